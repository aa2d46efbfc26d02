# Pre-LN never normalizes the residual stream itself: it grows with depth,
# and only a final LayerNorm brings it back. PyTorch's nn.TransformerEncoder
# adds none unless you pass norm=.
import torch
from torch import nn

from attention_book import EncoderBlock

torch.manual_seed(0)
B, T, d_model, H, d_ff, L = 4, 16, 64, 4, 256, 24
x = torch.randn(B, T, d_model)  # entries of standard deviation 1
blocks = [EncoderBlock(d_model, H, d_ff, norm_first=True) for _ in range(L)]
with torch.no_grad():
    h = x
    for i, block in enumerate(blocks, start=1):
        h = block(h)
        if i in (1, 6, 12, 24):
            print(f"pre-LN, std after block {i:>2}: {h.std():.2f}")
    final = nn.LayerNorm(d_model)(h)
    print(f"pre-LN, std after a final LayerNorm: {final.std():.2f}")

flags = dict(batch_first=True, norm_first=True)
layer = nn.TransformerEncoderLayer(d_model, H, d_ff, **flags)
for norm in (None, nn.LayerNorm(d_model)):
    stack = nn.TransformerEncoder(layer, L, norm, enable_nested_tensor=False)
    stack.eval()
    with torch.no_grad():
        std = stack(x).std().item()
    name = "None" if norm is None else "LayerNorm"
    print(f"nn.TransformerEncoder(norm={name}), std: {std:.2f}")
