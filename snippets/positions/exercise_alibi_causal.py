# In a causal model, ALiBi's -m (i - j) equals -m i + m j. The -m i part
# is the same for a whole row, and softmax ignores it: a bias m j on the
# key position alone gives the same attention.
import torch

from attention_book import alibi_bias, alibi_slopes
from attention_book import scaled_dot_product_attention as attention

torch.manual_seed(0)
B, H, T, D = 2, 4, 7, 8
q, k, v = (torch.randn(B, H, T, D) for _ in range(3))

alibi = alibi_bias(H, T)  # (H, T, T): -m |i - j|
keys_only = alibi_slopes(H)[:, None, None] * torch.arange(T)  # (H, 1, T)

out, w = attention(q, k, v, bias=alibi, is_causal=True)
out2, w2 = attention(q, k, v, bias=keys_only, is_causal=True)
assert torch.allclose(w, w2, atol=1e-6) and torch.allclose(out, out2, atol=1e-6)
print(f"max weight difference: {(w - w2).abs().max():.1e}")
print("bias shapes:", tuple(alibi.shape), "vs", tuple(keys_only.shape))
