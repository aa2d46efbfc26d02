# Exercise 3: each output coordinate lies between the smallest and the
# largest value of that coordinate, because the weights are convex.
import math

import torch

torch.manual_seed(0)
L, S, d_k, d_v = 6, 9, 8, 5
q, k = torch.randn(L, d_k), torch.randn(S, d_k)
v = torch.randn(S, d_v) * 10  # (S, d_v), a wide range of values

weights = torch.softmax(q @ k.T / math.sqrt(d_k), dim=-1)  # (L, S)
output = weights @ v  # (L, d_v)

low, high = v.min(dim=0).values, v.max(dim=0).values  # (d_v,) each
inside = bool(((output >= low) & (output <= high)).all())
assert inside
print("every output coordinate inside its range:", inside)
margin = min((output - low).min(), (high - output).min())
print(f"smallest distance from an output to a bound: {margin:.3f}")
