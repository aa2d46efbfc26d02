# RoPE (Su et al., 2021): rotate each pair of query and key dimensions by
# an angle proportional to the position. Shifting both positions by the
# same amount leaves the score unchanged: only the offset counts.
import torch

from attention_book import RotaryEmbedding, sinusoidal_encoding

torch.manual_seed(0)
D = 64  # head width
rope = RotaryEmbedding(D)
q, k = torch.randn(1, D), torch.randn(1, D)  # one query, one key


def score(m: int, n: int) -> float:
    """q rotated to position m, dotted with k rotated to position n."""
    q_m = rope.rotate(q, offset=m)  # (1, D)
    k_n = rope.rotate(k, offset=n)
    return (q_m @ k_n.T).item()


base = score(3, 10)
for shift in (0, 100, 500):
    s = score(3 + shift, 10 + shift)
    assert abs(s - base) < 1e-3
    print(f"score, positions ({3 + shift}, {10 + shift}): {s:.3f}")
print(f"score, positions (3, 11): {score(3, 11):.3f}")  # another offset

# a rotation keeps lengths: RoPE changes angles, never norms
assert torch.allclose(rope.rotate(q, offset=500).norm(), q.norm())
print("norm kept:", True)

# with q = k = (1, ..., 1) the score is twice the sinusoidal dot product
ones = torch.ones(1, D)
pe = sinusoidal_encoding(64, D)
for m, n in ((0, 5), (20, 60)):
    r = rope.rotate(ones, offset=m) @ rope.rotate(ones, offset=n).T
    assert torch.isclose(r[0, 0], 2 * pe[m] @ pe[n], atol=1e-3)
print("<R_m 1, R_n 1> = 2 PE_m . PE_n:", True)
