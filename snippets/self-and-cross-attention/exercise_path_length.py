# How strongly does the last output depend on the first input?
# A recurrent network passes it through every step; self-attention reads it
# directly.
import torch
from torch import nn

from attention_book import MultiHeadAttention

torch.manual_seed(0)
E = 16
rnn = nn.RNN(E, E, batch_first=True)
attn = MultiHeadAttention(E, num_heads=1)


def reach(layer: nn.Module, L: int) -> float:
    """Size of d(last output) / d(first input), averaged over 20 inputs."""
    total = 0.0
    for _ in range(20):
        x = torch.randn(1, L, E, requires_grad=True)
        out = layer(x)[0]  # (1, L, E) for both layers
        out[0, -1].sum().backward()
        total += x.grad[0, 0].norm().item()
    return total / 20


print(f"{'L':>4} {'RNN':>9} {'attention':>10}")
for L in (4, 16, 64):
    print(f"{L:>4} {reach(rnn, L):>9.1e} {reach(attn, L):>10.1e}")
