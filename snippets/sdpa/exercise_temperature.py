# Exercise 1: multiplying the queries by c divides the softmax temperature
# by c. As c grows, the weights become one-hot on the best key.
import math

import torch

torch.manual_seed(0)
d_k = 4
q, k = torch.randn(d_k), torch.randn(5, d_k)  # one query, five keys
scores = k @ q / math.sqrt(d_k)  # (S,)

for c in (1.0, 2.0, 4.0, 16.0, 100.0):
    weights = torch.softmax(k @ (c * q) / math.sqrt(d_k), dim=-1)
    # the same as a softmax at temperature T = 1 / c
    assert torch.allclose(weights, torch.softmax(scores / (1 / c), dim=-1))
    print(f"c = {c:>5}:", [round(w, 3) for w in weights.tolist()])

one_hot = torch.nn.functional.one_hot(scores.argmax(), 5).float()
assert torch.allclose(weights, one_hot, atol=1e-6)
print("c = 100 gives the one-hot vector of the best key:", True)
