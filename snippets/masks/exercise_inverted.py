# The book's keep-mask handed to nn.MultiheadAttention, which reads it inverted.
import torch
from torch import nn

from attention_book import MultiHeadAttention, causal_mask

torch.manual_seed(0)
L, E = 4, 8
x = torch.randn(1, L, E)
torch_mha = nn.MultiheadAttention(E, num_heads=1, batch_first=True).eval()
book_mha = MultiHeadAttention.from_torch(torch_mha)
keep = causal_mask(L)  # True = may attend

with torch.no_grad():
    right, _ = book_mha(x, mask=keep)
    wrong, w = torch_mha(x, x, x, attn_mask=keep)  # read as True = blocked
print("weights with the keep-mask passed as is:")
print(w[0])
print("NaN rows:", w[0].isnan().any(-1).tolist())
with torch.no_grad():
    fixed, _ = torch_mha(x, x, x, attn_mask=~keep)
print(f"with ~keep, max |book - torch|: {(fixed - right).abs().max():.1e}")
