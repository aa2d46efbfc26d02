# The causal mask with a cache: PyTorch's is_causal=True aligns the mask
# top-left, as if the new queries were positions 0, 1, ...; after a cache
# they are the LAST positions, and the mask must be aligned bottom-right.
import torch
import torch.nn.functional as F

from attention_book import scaled_dot_product_attention as sdpa

torch.manual_seed(0)
q, k, v = torch.randn(3, 1, 2, 8, 16).unbind(0)  # (B, H, T, D), T = 8
full = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # reference

for L in (1, 3):  # one new token, or a chunk of 3, after 8 - L cached
    new_q = q[:, :, 8 - L :]  # the last L queries; k and v hold all 8
    wrong = F.scaled_dot_product_attention(new_q, k, v, is_causal=True)
    right, _ = sdpa(new_q, k, v, is_causal=True, causal_offset=8 - L)
    error = (wrong - full[:, :, 8 - L :]).abs().max()
    same = torch.allclose(right, full[:, :, 8 - L :], atol=1e-6)
    assert same
    print(f"L = {L}: top-left off by up to {error:.2f}; bottom-right: {same}")

top_left = torch.ones(3, 8, dtype=torch.int).tril()  # what is_causal means
bottom_right = torch.ones(3, 8, dtype=torch.int).tril(5)  # offset S - L
print("keys seen by the 3 new queries, top-left / bottom-right:")
for a, b in zip(top_left.tolist(), bottom_right.tolist(), strict=True):
    print("  ", " ".join(map(str, a)), "  /  ", " ".join(map(str, b)))
