# How a (B, 1, 1, S) padding mask and an (L, S) causal mask broadcast.
import torch

from attention_book import (
    causal_mask,
    combine_masks,
    padding_mask,
    scaled_dot_product_attention,
)

torch.set_printoptions(precision=2)
torch.manual_seed(0)
B, H, L, E = 2, 4, 5, 8  # self-attention, so S = L
q, k, v = (torch.randn(B, H, L, E) for _ in range(3))  # (B, H, L, E)
lengths = torch.tensor([5, 3])  # sequence 1 has two pads

pad = padding_mask(lengths, L)[:, None]  # (B, 1, 1, S): one row per sequence
causal = causal_mask(L)  # (L, S): the same for every sequence and head
both = combine_masks(pad, causal)  # (B, 1, L, S): logical AND
out, w = scaled_dot_product_attention(q, k, v, mask=both)
print("padding: ", tuple(pad.shape))
print("causal:  ", tuple(causal.shape))
print("combined:", tuple(both.shape))
print("scores and weights:", tuple(w.shape))
print("sequence 1, head 0:")
print(w[1, 0])
assert torch.equal(w != 0, both.expand(B, H, L, L))
