# Per layer and head: a KV cache of 2*n*d numbers, or a linear state of
# d*d + d. Where do they cross, and does the state stay put while
# decoding?
import torch

from attention_book import linear_attention
from attention_book.efficient import elu_feature_map

d = 128
crossing = next(n for n in range(1, 10_000) if 2 * n * d > d * d + d)
print(f"first n with a larger KV cache, d={d}: {crossing}")

torch.manual_seed(0)
n, d = 50, 8
q, k, v = torch.randn(3, n, d, dtype=torch.float64).unbind(0)
state = torch.zeros(d, d, dtype=torch.float64)  # never grows
z = torch.zeros(d, dtype=torch.float64)
outputs = []
for i in range(n):  # decoding: one token at a time
    phi_k, phi_q = elu_feature_map(k[i]), elu_feature_map(q[i])
    state, z = state + torch.outer(phi_k, v[i]), z + phi_k
    outputs.append(phi_q @ state / (phi_q @ z))
full = linear_attention(q, k, v, causal=True, eps=0.0)
assert torch.allclose(torch.stack(outputs), full)
size = state.numel() + z.numel()
print(f"decoded {n} tokens with a state of {size} numbers")
print("equal to linear_attention(causal=True):", True)
