# A classic worked example: four query-key scores with d_k = 64, put through
# the softmax without and with the 1/sqrt(d_k) scale.
import math

import torch

torch.manual_seed(0)
scores = torch.tensor([25.3, 2.1, -18.7, 31.2])  # q . k for four keys
d_k = 64


def show(row: torch.Tensor) -> str:
    return "[" + ", ".join(f"{x:.4f}" for x in row.tolist()) + "]"


scaled = scores / math.sqrt(d_k)  # divide by 8
raw_weights = torch.softmax(scores, dim=-1)
scaled_weights = torch.softmax(scaled, dim=-1)
for row in (raw_weights, scaled_weights):
    assert torch.isclose(row.sum(), torch.tensor(1.0))

print("scores / sqrt(d_k):         ", show(scaled))
print("softmax(scores):            ", show(raw_weights))
print("softmax(scores / sqrt(d_k)):", show(scaled_weights))
print(f"largest weight, raw: {raw_weights.max():.4f}")
print(f"largest weight, scaled: {scaled_weights.max():.4f}")

# A row often quoted for the scaled case is not a softmax at all:
quoted = torch.tensor([0.21, 0.11, 0.01, 0.47])
assert not torch.isclose(quoted.sum(), torch.tensor(1.0))
print(f"sum of the quoted row: {quoted.sum():.2f}")
