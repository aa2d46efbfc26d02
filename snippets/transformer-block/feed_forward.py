# The feed-forward network works on each position alone; attention mixes
# positions. Change one token and see which outputs move.
import torch

from attention_book import FeedForward, MultiHeadAttention

torch.manual_seed(0)
B, T, d_model, d_ff = 1, 6, 16, 64
ff = FeedForward(d_model, d_ff)  # d_model -> d_ff -> d_model
attention = MultiHeadAttention(d_model, num_heads=4)
x = torch.randn(B, T, d_model)

hidden = ff.linear1(x)
print("x", tuple(x.shape), "-> hidden", tuple(hidden.shape),
      "-> out", tuple(ff(x).shape))  # fmt: skip

# One position at a time gives the same result as the whole sequence.
one_by_one = torch.cat([ff(x[:, t : t + 1]) for t in range(T)], dim=1)
assert torch.allclose(one_by_one, ff(x), atol=1e-6)
print("FFN of the sequence == FFN of each position alone:", True)

changed = x.clone()
changed[:, 2] = torch.randn(d_model)  # a new token at position 2
with torch.no_grad():
    for name, layer in (("FFN", ff), ("attention", lambda z: attention(z)[0])):
        moved = (layer(changed) - layer(x)).abs().amax(-1)[0] > 1e-6
        where = [t for t in range(T) if moved[t]]
        print(f"{name:<9} outputs that changed: positions {where}")
