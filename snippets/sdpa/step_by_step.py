# Attention for one short sequence, one line per step of
# softmax(q k^T / sqrt(d_k)) v.
import math

import torch

torch.set_printoptions(precision=2, sci_mode=False)
torch.manual_seed(0)
L, d_k = 4, 4
q, k, v = torch.randn(L, d_k), torch.randn(L, d_k), torch.randn(L, d_k)

scores = q @ k.T  # (L, L): scores[i, j] = q_i . k_j
scaled = scores / math.sqrt(d_k)  # (L, L): spread independent of d_k
weights = torch.softmax(scaled, dim=-1)  # (L, L): each row sums to 1
output = weights @ v  # (L, d_k): row i averages the values

print("scores\n", scores)
print("weights\n", weights)
print("row sums:", weights.sum(dim=-1))
print("output\n", output)
