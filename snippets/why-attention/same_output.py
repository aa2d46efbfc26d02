# Two very different attention distributions over six source states that give
# the same context vector: the output alone cannot tell them apart.
import math

import torch

torch.manual_seed(0)
S, d_v = 6, 3
values = torch.randn(S, d_v, dtype=torch.float64)  # (S, d_v), one row a state
weights = torch.softmax(torch.randn(S, dtype=torch.float64), dim=0)  # (S,)

# Changes of the weights that move neither the context (values^T delta = 0)
# nor the total weight (sum delta = 0): the null space of a 4 x 6 matrix.
constraints = torch.cat([values.T, torch.ones(1, S, dtype=torch.float64)])
null = torch.linalg.svd(constraints).Vh[d_v + 1 :]  # (2, S)

best = weights
for degrees in range(360):  # try directions in that plane; go as far as
    angle = math.radians(degrees)  # the weights stay >= 0; keep the farthest
    delta = math.cos(angle) * null[0] + math.sin(angle) * null[1]  # (S,)
    shrinking = delta < 0
    step = (weights[shrinking] / -delta[shrinking]).min()
    other = (weights + step * delta).clamp(min=0)
    if (other - weights).abs().sum() > (best - weights).abs().sum():
        best = other

print("position  weights A  weights B")
for j in range(S):
    print(f"{j:>8} {weights[j]:>10.2f} {best[j]:>10.2f}")
context_a, context_b = weights @ values, best @ values  # (d_v,) each
print("context A:", " ".join(f"{c:.4f}" for c in context_a))
print("context B:", " ".join(f"{c:.4f}" for c in context_b))
gap = (context_a - context_b).abs().max().item()
moved = 0.5 * (weights - best).abs().sum()  # total variation distance
assert gap < 1e-12 and moved > 0.5
print(f"contexts equal to 1e-12: {gap < 1e-12}")
print(f"weight moved: {moved:.2f}")
