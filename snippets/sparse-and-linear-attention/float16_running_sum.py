# Causal linear attention keeps running sums that grow with the
# position. float16 cannot hold them: it stops at 65504 and, above
# 2048, it cannot add 1.
import torch

from attention_book import linear_attention
from attention_book.efficient import elu_feature_map

torch.manual_seed(0)
n, d = 4096, 64  # one head of a usual width
q, k, v = torch.randn(3, 1, n, d).unbind(0)  # (1, n, d) each

exact = linear_attention(q.double(), k.double(), v.double(), causal=True)
half = linear_attention(q.half(), k.half(), v.half(), causal=True)
error = (half.double() - exact).abs().amax(-1)[0]  # (n,)
zero = (half[0] == 0).all(-1)  # (n,): outputs that are exactly 0
print("first position whose output is all zeros:", int(zero.nonzero()[0]))
for i in [10, 100, 1000, 4000]:
    print(f"position {i:>4}: largest error {error[i]:.1e}")

# Token-by-token decoding with a float16 state: additions get lost.
phi_k = elu_feature_map(k[0, :, 0])  # (n,) one feature, float32
z_half = torch.zeros((), dtype=torch.float16)
for x in phi_k.half():
    z_half = z_half + x  # z_i = z_{i-1} + phi(k_i), in float16
print("sum of phi(k) over 4096 tokens, float16 state:", f"{z_half:.0f}")
print("sum of phi(k) over 4096 tokens, exact:", f"{phi_k.sum():.0f}")
