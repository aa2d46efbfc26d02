# Handing torch.nn.MultiheadAttention a keep-mask: two silent failures.
import torch
from torch import nn

torch.manual_seed(0)
L, d_model = 4, 16
torch_mha = nn.MultiheadAttention(d_model, num_heads=2, batch_first=True)
x = torch.randn(1, L, d_model)

# A float 0/1 mask is ADDED to the scores there: nothing is masked at all.
float_tril = torch.tril(torch.ones(L, L))
_, w = torch_mha(x, x, x, attn_mask=float_tril)
print("float tril: weight on future keys", f"{w.triu(1).sum():.2f}")

# A bool True means "masked out" there: the mask is inverted.
bool_tril = torch.tril(torch.ones(L, L, dtype=torch.bool))
out, w = torch_mha(x, x, x, attn_mask=bool_tril)
seen = (w[0, 0] > 0).nonzero().flatten().tolist()
print("bool tril, query 0 sees keys:", seen)
print("bool tril, weights of query 3:", w[0, 3].tolist())

# The fix: pass the opposite, ~keep (True = masked).
out, w = torch_mha(x, x, x, attn_mask=~bool_tril)
print("~bool tril: weight on future keys", f"{w.triu(1).sum():.2f}")
