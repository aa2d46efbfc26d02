# Left padding plus a causal mask leaves a query with no key at all.
import torch
import torch.nn.functional as F

from attention_book import (
    causal_mask,
    combine_masks,
    padding_mask_from_ids,
    scaled_dot_product_attention,
)

torch.manual_seed(0)
PAD, L, E = 0, 4, 8
ids = torch.tensor([[0, 0, 7, 3]])  # left-padded, as for batched generation
keep = combine_masks(padding_mask_from_ids(ids, PAD), causal_mask(L))
print("keep (1, L, S):")
print(keep[0].int())
print("queries with no key:", (~keep.any(dim=-1)).nonzero()[:, 1].tolist())


def textbook(x: torch.Tensor) -> torch.Tensor:
    """Self-attention with -inf logits and a plain torch.softmax."""
    scores = x @ x.transpose(1, 2) / E**0.5  # (1, L, L)
    scores = scores.masked_fill(~keep, float("-inf"))
    return torch.softmax(scores, dim=-1) @ x  # (1, L, E)


def nan_rows(h: torch.Tensor) -> list[int]:
    return h[0].isnan().any(dim=-1).nonzero()[:, 0].tolist()


def book(x: torch.Tensor) -> torch.Tensor:
    return scaled_dot_product_attention(x, x, x, mask=keep)[0]


x = torch.randn(1, L, E)  # (B, L, E)
for name, layer in (("textbook", textbook), ("book", book)):
    h1 = layer(x)  # first layer
    h2 = layer(h1)  # second layer: its values include h1's padded rows
    print(f"{name}, layer 1, query 0:", h1[0, 0, :3].tolist())
    print(f"{name}, NaN rows after layer 1:", nan_rows(h1))
    print(f"{name}, NaN rows after layer 2:", nan_rows(h2))

# PyTorch's two front doors (note the inverted mask for nn.MultiheadAttention).
mha = torch.nn.MultiheadAttention(E, num_heads=1, batch_first=True)
for need_weights in (True, False):
    out = mha(x, x, x, attn_mask=~keep[0], need_weights=need_weights)[0]
    print(f"nn.MultiheadAttention, {need_weights=}, NaN rows:", nan_rows(out))
out = F.scaled_dot_product_attention(x, x, x, attn_mask=keep)
print("F.scaled_dot_product_attention, NaN rows:", nan_rows(out))
