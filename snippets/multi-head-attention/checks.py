# Six properties every multi-head attention layer must have, checked.
import itertools

import torch

from attention_book import MultiHeadAttention, padding_mask

torch.manual_seed(0)
B, L, S, d_model, H = 2, 6, 9, 512, 8
attention = MultiHeadAttention(d_model=d_model, num_heads=H)
x = torch.randn(B, L, d_model)
memory = torch.randn(B, S, d_model)  # another sequence, for cross-attention

out, w = attention(x, x, x)
assert out.shape == x.shape and w.shape == (B, H, L, L)
print("1. output has the input's shape:", tuple(out.shape))

error = (w.sum(dim=-1) - 1).abs().max()
assert error < 1e-6
print(f"2. every row of weights sums to 1: max error {error:.0e}")

keep = padding_mask(torch.tensor([6, 4]), max_len=L)  # keys 4, 5 of seq 1
_, w = attention(x, x, x, mask=keep)
assert (w[1, :, :, 4:] == 0).all()
print("3. masked keys get weight exactly 0:", w[1, :, :, 4:].max().item())

out, w = attention(x, memory, memory)
assert out.shape == (B, L, d_model) and w.shape == (B, H, L, S)
print("4. cross-attention: output", tuple(out.shape), "weights", tuple(w.shape))

_, w = attention(x, x, x, mask=torch.tril(torch.ones(L, L)))
future = w.triu(diagonal=1).max().item()
assert future == 0 and (w[..., 0, 0] == 1).all()
print("5. causal: largest weight above the diagonal", future)

_, w = attention(x, x, x)  # (B, H, L, L)
pairs = list(itertools.combinations(range(H), 2))
# Total variation distance between two heads' rows, averaged over rows.
tv = [0.5 * (w[:, a] - w[:, b]).abs().sum(-1).mean().item() for a, b in pairs]
assert min(tv) > 0.01
print(f"6. heads differ: smallest distance of {len(tv)} pairs {min(tv):.3f}")
