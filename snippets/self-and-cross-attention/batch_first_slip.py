# nn.MultiheadAttention expects (L, B, E) unless batch_first=True. Given
# (B, L, E), it runs anyway, and attends across the batch.
import torch
from torch import nn

torch.manual_seed(0)
B, L, E = 3, 4, 8
x = torch.randn(B, L, E)  # three sentences of four tokens
x_other = x.clone()
x_other[2] = torch.randn(L, E)  # replace sentence 2 only

for batch_first in (False, True):
    torch.manual_seed(1)  # the same weights both times
    attn = nn.MultiheadAttention(E, num_heads=2, batch_first=batch_first)
    with torch.no_grad():
        out, w = attn(x, x, x)
        out_other, _ = attn(x_other, x_other, x_other)
    change = (out_other[0] - out[0]).abs().max()  # sentence 0's outputs
    print(f"{batch_first=}: weights {tuple(w.shape)}")
    print(f"  outputs of sentence 0 changed by {change:.1e}")
