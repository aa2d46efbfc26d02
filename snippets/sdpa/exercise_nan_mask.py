# Exercise 5: left padding plus a causal mask. The first query of a
# left-padded sequence may only see keys at or before it: all padding.
import torch

from attention_book import causal_mask, scaled_dot_product_attention

torch.manual_seed(0)
L, E = 4, 8
q, k, v = (torch.randn(1, L, E) for _ in range(3))  # (B, L, E), B = 1
real = torch.tensor([[False, True, True, True]])  # one pad token on the left
keep = causal_mask(L) & real[:, None, :]  # (1, L, L): causal AND not a pad

scores = (q @ k.transpose(1, 2) / E**0.5).masked_fill(~keep, float("-inf"))
print("torch.softmax, query 0:", torch.softmax(scores, dim=-1)[0, 0].tolist())

output, weights = scaled_dot_product_attention(q, k, v, mask=keep)
assert not output.isnan().any()
print("book weights,  query 0:", weights[0, 0].tolist())
print("any NaN in the book's output:", bool(output.isnan().any()))
