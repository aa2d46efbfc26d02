# The from-scratch module, turned into cross-attention: queries from x,
# keys and values from a second sequence, the context.
import math

import torch
from torch import Tensor, nn

from attention_book import MultiHeadAttention


class CrossAttention(nn.Module):
    """softmax(X Wq (C Wk)^T / sqrt(E)) C Wv Wo: x (B, L, E), C (B, S, E)."""

    def __init__(self, d_model: int) -> None:
        super().__init__()
        self.query = nn.Linear(d_model, d_model)
        self.key = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        q = self.query(x)  # (B, L, E): one query per target position
        k, v = self.key(context), self.value(context)  # (B, S, E) each
        scores = q @ k.transpose(-2, -1) / math.sqrt(x.shape[-1])  # (B, L, S)
        weights = torch.softmax(scores, dim=-1)  # over the S context positions
        return self.out(weights @ v), weights  # (B, L, E), (B, L, S)


torch.manual_seed(0)
B, L, S, E = 2, 3, 7, 16
x, context = torch.randn(B, L, E), torch.randn(B, S, E)
ours = CrossAttention(E).eval()
book = MultiHeadAttention(E, num_heads=1).eval()
for mine, theirs in zip(
    (ours.query, ours.key, ours.value, ours.out),
    (book.q_proj, book.k_proj, book.v_proj, book.out_proj),
    strict=True,
):
    theirs.load_state_dict(mine.state_dict())

with torch.no_grad():
    out, w = ours(x, context)
    out_book, w_book = book(x, context, context)
assert torch.allclose(out, out_book, atol=1e-6)
assert torch.allclose(w, w_book[:, 0], atol=1e-6)
print("output:", tuple(out.shape), " weights:", tuple(w.shape))
print(f"max |ours - book|: {(out - out_book).abs().max():.1e}")
