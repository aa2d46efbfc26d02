# ALiBi (Press et al., 2021): no position vectors at all, only a penalty
# -m_h |i - j| on the logits, with a different slope m_h per head.
import torch

from attention_book import alibi_bias, alibi_slopes
from attention_book import scaled_dot_product_attention as attention

torch.set_printoptions(precision=3, sci_mode=False)
torch.manual_seed(0)
H, T = 8, 6
slopes = alibi_slopes(H)  # 2^-1, 2^-2, ..., 2^-8
print("slopes:", [f"1/{round(1 / m)}" for m in slopes.tolist()])
bias = alibi_bias(H, T)  # (H, T, T)
print("bias of head 0 (m = 1/2):\n", bias[0] + 0.0)  # + 0.0: no "-0."

i, j = torch.arange(T)[:, None], torch.arange(T)[None, :]
assert torch.equal(bias, -slopes[:, None, None] * (i - j).abs())

# With content scores all equal (q = 0), what each head looks at is
# ALiBi alone: weight on key j falls by exp(-m) per step back.
q = torch.zeros(1, H, T, 4)  # (B, H, T, D)
k, v = torch.randn(1, H, T, 4), torch.randn(1, H, T, 4)
_, w = attention(q, k, v, bias=bias, is_causal=True)
last = w[0, :, -1]  # (H, T): the last query's weights, per head
print("last query, head 0:", last[0])
print("last query, head 7:", last[7])
ratio = last[:, -2] / last[:, -1]  # one step back vs the query itself
assert torch.allclose(ratio, torch.exp(-slopes))
print(f"weight on the query itself, head 0: {last[0, -1]:.2f}")
print(f"weight on the query itself, head 7: {last[7, -1]:.2f}")
