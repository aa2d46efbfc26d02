# Causal linear attention as a recurrent network: a fixed-size state,
# updated once per token, gives the same outputs as the masked
# quadratic form.
import torch

from attention_book import causal_mask, linear_attention
from attention_book.efficient import elu_feature_map

torch.manual_seed(0)
n, d = 12, 4
q, k, v = torch.randn(3, n, d, dtype=torch.float64).unbind(0)
phi_q, phi_k = elu_feature_map(q), elu_feature_map(k)  # (n, d)

state = torch.zeros(d, d, dtype=torch.float64)  # S_i = sum phi(k_j) v_j^T
z = torch.zeros(d, dtype=torch.float64)  # z_i = sum_{j<=i} phi(k_j)
outputs = []
for i in range(n):  # one step per token, like an RNN
    state = state + torch.outer(phi_k[i], v[i])
    z = z + phi_k[i]
    outputs.append(phi_q[i] @ state / (phi_q[i] @ z))
recurrent = torch.stack(outputs)  # (n, d)

sim = (phi_q @ phi_k.T) * causal_mask(n)  # (n, n), zero above diagonal
quadratic = (sim / sim.sum(-1, keepdim=True)) @ v  # (n, d)
library = linear_attention(q, k, v, causal=True, eps=0.0)

assert torch.allclose(recurrent, quadratic)
assert torch.allclose(recurrent, library)
gap_quadratic = (recurrent - quadratic).abs().max()
gap_library = (recurrent - library).abs().max()
print(f"recurrent vs masked quadratic: {gap_quadratic:.0e}")
print(f"recurrent vs linear_attention(causal=True): {gap_library:.0e}")
print("state size: d*d + d =", state.numel() + z.numel(), "for any n")
print("a KV cache holds 2*n*d =", 2 * n * d, "numbers, growing with n")
