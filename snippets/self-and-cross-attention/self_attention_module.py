# Self-attention from scratch, checked against the library and PyTorch.
import math

import torch
from torch import Tensor, nn

from attention_book import MultiHeadAttention, causal_mask


class SelfAttention(nn.Module):
    """One head of self-attention: softmax(X Wq (X Wk)^T / sqrt(E)) X Wv Wo.

    Every token of x is a query, a key and a value at once.
    """

    def __init__(self, d_model: int) -> None:
        super().__init__()
        self.query = nn.Linear(d_model, d_model)  # Wq: what a token looks for
        self.key = nn.Linear(d_model, d_model)  # Wk: what it can be found by
        self.value = nn.Linear(d_model, d_model)  # Wv: what it hands over
        self.out = nn.Linear(d_model, d_model)  # Wo: mixes the result

    def forward(
        self,
        x: Tensor,  # (B, L, E)
        mask: Tensor | None = None,  # keep-mask (L, L): True = may attend
    ) -> tuple[Tensor, Tensor]:
        q, k, v = self.query(x), self.key(x), self.value(x)  # (B, L, E) each
        scores = q @ k.transpose(-2, -1) / math.sqrt(x.shape[-1])  # (B, L, L)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=-1)  # (B, L, L), rows sum to 1
        return self.out(weights @ v), weights  # (B, L, E), (B, L, L)


torch.manual_seed(0)
B, L, E = 2, 5, 16
x = torch.randn(B, L, E)
ours = SelfAttention(E).eval()

# The library's multi-head attention with one head, given our weights.
book = MultiHeadAttention(E, num_heads=1).eval()
pairs = [
    (ours.query, book.q_proj),
    (ours.key, book.k_proj),
    (ours.value, book.v_proj),
    (ours.out, book.out_proj),
]
for mine, theirs in pairs:
    theirs.load_state_dict(mine.state_dict())

# PyTorch's: the three input projections are stacked in one matrix.
torch_mha = nn.MultiheadAttention(E, num_heads=1, batch_first=True).eval()
with torch.no_grad():
    w_in = torch.cat([ours.query.weight, ours.key.weight, ours.value.weight])
    b_in = torch.cat([ours.query.bias, ours.key.bias, ours.value.bias])
    torch_mha.in_proj_weight.copy_(w_in)  # (3E, E)
    torch_mha.in_proj_bias.copy_(b_in)  # (3E,)
    torch_mha.out_proj.load_state_dict(ours.out.state_dict())

with torch.no_grad():
    for name, mask in (("no mask", None), ("causal", causal_mask(L))):
        out, w = ours(x, mask)
        out_book, w_book = book(x, mask=mask)
        blocked = None if mask is None else ~mask  # PyTorch: True = blocked
        out_torch, w_torch = torch_mha(x, x, x, attn_mask=blocked)
        assert torch.allclose(out, out_book, atol=1e-6)
        assert torch.allclose(w, w_book[:, 0], atol=1e-6)  # the one head
        assert torch.allclose(out, out_torch, atol=1e-6)
        assert torch.allclose(w, w_torch, atol=1e-6)
        to_book = (out - out_book).abs().max()
        to_torch = (out - out_torch).abs().max()
        print(f"{name}, max |ours - book|: {to_book:.1e}")
        print(f"{name}, max |ours - torch|: {to_torch:.1e}")
print("output:", tuple(out.shape), " weights:", tuple(w.shape))
