# Causal and padding masks together, checked against nn.MultiheadAttention.
import torch
from torch import nn

from attention_book import (
    MultiHeadAttention,
    causal_mask,
    combine_masks,
    padding_mask,
)

torch.manual_seed(0)
B, L, d_model, H = 2, 6, 32, 4
theirs = nn.MultiheadAttention(d_model, H, batch_first=True)
ours = MultiHeadAttention.from_torch(theirs)
x = torch.randn(B, L, d_model)

pad = padding_mask(torch.tensor([6, 3]), max_len=L)  # (B, 1, L), True = keep
keep = combine_masks(causal_mask(L), pad)  # (B, L, L), True = keep
out, w = ours(x, x, x, mask=keep)
# PyTorch takes the two masks separately, each with True = masked.
torch_masks = {"attn_mask": ~causal_mask(L), "key_padding_mask": ~pad[:, 0]}
ref, ref_w = theirs(x, x, x, average_attn_weights=False, **torch_masks)
gap = max((out - ref).abs().max(), (w - ref_w).abs().max()).item()
assert gap < 1e-5
print(f"max |ours - torch|, output and weights: {gap:.1e}")
row = [round(p, 2) for p in w[1, 0, 4].tolist()]
print("sequence 1 (3 real tokens), head 0, query 4:", row)
