# Linear attention two ways: normalize the n x n similarities
# phi(q_i) . phi(k_j), or sum over the keys first. Same numbers.
import torch

from attention_book import linear_attention
from attention_book.efficient import elu_feature_map

torch.manual_seed(0)
n, d = 512, 16
q, k, v = torch.randn(3, n, d, dtype=torch.float64).unbind(0)
phi_q, phi_k = elu_feature_map(q), elu_feature_map(k)  # (n, d), > 0

# Quadratic order: an (n, n) matrix, each row divided by its sum.
sim = phi_q @ phi_k.T  # (n, n)
quadratic = (sim / sim.sum(-1, keepdim=True)) @ v  # (n, d)

# Linear order: (phi(Q) phi(K)^T) V = phi(Q) (phi(K)^T V).
kv = phi_k.T @ v  # (d, d): sum_j phi(k_j) v_j^T
z = phi_k.sum(0)  # (d,): sum_j phi(k_j)
linear = (phi_q @ kv) / (phi_q @ z)[:, None]  # (n, d)

assert torch.allclose(quadratic, linear)
assert torch.allclose(linear, linear_attention(q, k, v, eps=0.0))
print("the two orders agree to:", f"{(quadratic - linear).abs().max():.0e}")
print("biggest intermediate, quadratic order:", tuple(sim.shape))
print("biggest intermediate, linear order:", tuple(kv.shape))

# Multiply-adds of the two orders for one head of width d = 64.
for n in [1024, 16384, 131072]:
    print(f"n={n:>6}: quadratic / linear = {n * n * 64 / (n * 64 * 64):,.0f}")
