# The book's MultiHeadAttention equals torch.nn.MultiheadAttention.
import torch
from torch import nn

from attention_book import MultiHeadAttention, padding_mask

torch.manual_seed(0)
B, L, d_model, H = 2, 10, 512, 8
theirs = nn.MultiheadAttention(d_model, H, batch_first=True)
ours = MultiHeadAttention.from_torch(theirs)  # same weights, copied
x = torch.randn(B, L, d_model)

causal = torch.tril(torch.ones(L, L, dtype=torch.bool))  # True = keep
padded = padding_mask(torch.tensor([10, 6]), max_len=L)  # (B, 1, L)
# PyTorch's boolean masks mean the opposite: True = masked out.
cases = {
    "no mask": ({}, {}),
    "causal": ({"mask": causal}, {"attn_mask": ~causal}),
    "padding": ({"mask": padded}, {"key_padding_mask": ~padded[:, 0]}),
}
for name, (our_mask, their_mask) in cases.items():
    out, w = ours(x, x, x, **our_mask)
    ref, ref_w = theirs(x, x, x, average_attn_weights=False, **their_mask)
    gap = max((out - ref).abs().max(), (w - ref_w).abs().max()).item()
    assert gap < 1e-5
    print(f"{name:<8} max |ours - torch|, output and weights: {gap:.1e}")
