# Table 1 of Vaswani et al. (2017) for a short sentence in a wide model.
import math

import torch

torch.manual_seed(0)  # nothing random here; every listing seeds anyway
n, d, k = 32, 1024, 3  # 32 tokens, width 1024, kernel 3
costs = {
    "self-attention": n * n * d,
    "recurrent": n * d * d,
    "convolution": k * n * d * d,
}
for name, ops in costs.items():
    print(f"{name:<15}{ops / 1e6:>8,.1f}M multiply-adds")
cheapest = min(costs, key=costs.get)
print(f"cheapest: {cheapest}")
ratio = costs["recurrent"] / costs["self-attention"]
print(f"recurrent / self-attention: {ratio:g}")
assert cheapest == "self-attention" and math.isclose(ratio, d / n)
