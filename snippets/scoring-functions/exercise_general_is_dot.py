# Luong's "general" score q^T W k contains the other two dot products:
# W = I gives "dot", W = I / sqrt(d) gives the scaled dot product.
import torch

from attention_book import DotProductAttention, MultiplicativeAttention

torch.manual_seed(0)
d = 16
query, keys = torch.randn(3, 4, d), torch.randn(3, 6, d)  # (B, L, d), (B, S, d)
general = MultiplicativeAttention(d, d, "general")
for name, scale, other in (
    ("dot", 1.0, MultiplicativeAttention(d, d, "dot")),
    ("scaled dot", d**-0.5, DotProductAttention(scaled=True)),
):
    with torch.no_grad():
        general.W.weight.copy_(torch.eye(d) * scale)  # W = scale * I
    gap = (general.score(query, keys) - other.score(query, keys)).abs().max()
    assert gap < 1e-5
    print(f"general with W = {scale:.3f} I equals {name}: {gap < 1e-5}")
