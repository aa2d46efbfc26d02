# One mask, three conventions: the book, F.scaled_dot_product_attention and
# nn.MultiheadAttention give the same output.
import torch
import torch.nn.functional as F
from torch import nn

from attention_book import (
    MultiHeadAttention,
    causal_mask,
    combine_masks,
    padding_mask,
)

torch.manual_seed(0)
B, L, E, H = 2, 5, 8, 2
x = torch.randn(B, L, E)
lengths = torch.tensor([5, 3])
pad = padding_mask(lengths, L)  # (B, 1, S) keep: True = real token
causal = causal_mask(L)  # (L, S) keep: True = may attend
torch_mha = nn.MultiheadAttention(E, H, batch_first=True).eval()
book_mha = MultiHeadAttention.from_torch(torch_mha)  # the same weights


def heads(t: torch.Tensor) -> torch.Tensor:
    return t.view(B, L, H, E // H).transpose(1, 2)  # (B, H, L, D)


with torch.no_grad():
    # 1. The book: one keep-mask, True = may attend.
    keep = combine_masks(pad, causal)  # (B, L, S)
    ours, _ = book_mha(x, mask=keep)

    # 2. F.scaled_dot_product_attention: bool attn_mask, True = may attend.
    q = heads(book_mha.q_proj(x))
    k = heads(book_mha.k_proj(x))
    v = heads(book_mha.v_proj(x))
    o = F.scaled_dot_product_attention(q, k, v, attn_mask=keep[:, None])
    fused = book_mha.out_proj(o.transpose(1, 2).reshape(B, L, E))

    # 3. nn.MultiheadAttention: bool masks, True = may NOT attend.
    blocked, pads = ~causal, ~pad[:, 0]  # (L, S) and (B, S)
    theirs, _ = torch_mha(x, x, x, attn_mask=blocked, key_padding_mask=pads)

print("sequence 1, query 4:")
print("  book / F.sdpa keep:", keep[1, 4].int().tolist())
print("  nn.MHA attn_mask:  ", blocked[4].int().tolist())
print("  key_padding_mask:  ", pads[1].int().tolist())
for name, other in (("F.sdpa", fused), ("nn.MultiheadAttention", theirs)):
    assert torch.allclose(ours, other, atol=1e-6)
    print(f"max |book - {name}|: {(ours - other).abs().max():.1e}")
