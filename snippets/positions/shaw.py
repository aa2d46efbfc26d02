# Relative positions after Shaw et al. (2018): the score of query i and
# key j gets a learned vector for the offset j - i, clipped to +-k_max.
import torch

torch.set_printoptions(precision=3)
torch.manual_seed(0)
T, D, k_max = 6, 8, 2
q, k = torch.randn(T, D), torch.randn(T, D)  # (T, D) one head
a_K = torch.randn(2 * k_max + 1, D)  # a vector for each offset -2 .. 2

i, j = torch.arange(T)[:, None], torch.arange(T)[None, :]
offset = (j - i).clamp(-k_max, k_max)  # (T, T), clipped offsets
print("clipped offsets j - i:\n", offset)

# e_ij = q_i . (k_j + a_K[j - i]) / sqrt(D): content + position
rel = a_K[offset + k_max]  # (T, T, D): the vector of each pair
scores = (q @ k.T + torch.einsum("id,ijd->ij", q, rel)) / D**0.5

loop = torch.empty(T, T)  # the same, one pair at a time
for a in range(T):
    for b in range(T):
        o = max(-k_max, min(k_max, b - a)) + k_max
        loop[a, b] = q[a] @ (k[b] + a_K[o]) / D**0.5
assert torch.allclose(scores, loop, atol=1e-6)
print("vectorised == loop:", True)
print("scores:\n", scores)
