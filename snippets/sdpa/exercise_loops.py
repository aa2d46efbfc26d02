# Exercise 4: attention for one query with no matrix product, then a loop
# over the queries. Compare with the four lines of step_by_step.py.
import math

import torch

torch.manual_seed(0)
L, d_k = 4, 4
q, k, v = torch.randn(L, d_k), torch.randn(L, d_k), torch.randn(L, d_k)


def attend_one(query: torch.Tensor) -> torch.Tensor:
    # q . k_j for every key j, one product at a time
    scores = [sum(query[m] * key[m] for m in range(d_k)) for key in k]
    scaled = [s / math.sqrt(d_k) for s in scores]
    top = max(scaled)
    exps = [math.exp(s - top) for s in scaled]  # stable softmax
    weights = [e / sum(exps) for e in exps]
    return sum(w * value for w, value in zip(weights, v, strict=True))


loops = torch.stack([attend_one(q[i]) for i in range(L)])  # loop over queries
matrices = torch.softmax(q @ k.T / math.sqrt(d_k), dim=-1) @ v
assert torch.allclose(loops, matrices, atol=1e-6)
print(f"max |loops - matrices|: {(loops - matrices).abs().max():.1e}")
