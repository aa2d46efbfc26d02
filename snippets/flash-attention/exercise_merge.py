# Two partial results of the online softmax, each a triple (m, ell, acc) over
# its own chunk of keys, merge into the result over both chunks. So the keys
# can be split among workers, in any order (split-K, as in Flash-Decoding).
import random

import torch

torch.manual_seed(0)
random.seed(0)
s, v = torch.randn(64) * 3, torch.randn(64, 4)  # one query: 64 scores, values


def partial_state(s, v):
    """One chunk's (m, ell, acc): max, sum of e^(s - m), sum of e^(s - m) v."""
    m = s.max()
    p = torch.exp(s - m)
    return m, p.sum(), p @ v


def merge(a, b):
    m = torch.maximum(a[0], b[0])
    fa, fb = torch.exp(a[0] - m), torch.exp(b[0] - m)  # rescale both sides
    return m, fa * a[1] + fb * b[1], fa * a[2] + fb * b[2]


chunks = [partial_state(s[i : i + 16], v[i : i + 16]) for i in range(0, 64, 16)]
full = torch.softmax(s, dim=0) @ v

random.shuffle(chunks)  # any order ...
m, ell, acc = chunks[0]
for chunk in chunks[1:]:
    m, ell, acc = merge((m, ell, acc), chunk)
assert torch.allclose(acc / ell, full, atol=1e-6)
print("merged left to right, shuffled: equal to softmax(s) @ v")

left = merge(chunks[0], chunks[1])  # ... and any grouping
right = merge(chunks[2], chunks[3])
m, ell, acc = merge(left, right)
assert torch.allclose(acc / ell, full, atol=1e-6)
print("merged as a tree: equal to softmax(s) @ v")
