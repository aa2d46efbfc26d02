# More heads, same parameters: the heads share out the width d_model.
import torch

from attention_book import MultiHeadAttention

torch.manual_seed(0)
d_model = 512
for H in (1, 2, 8, 64):
    mha = MultiHeadAttention(d_model=d_model, num_heads=H)
    count = sum(p.numel() for p in mha.parameters())
    print(f"H = {H:>2}, D = {d_model // H:>3}: {count:,} parameters")
print(f"4 d^2 + 4 d = {4 * d_model**2 + 4 * d_model:,}")
