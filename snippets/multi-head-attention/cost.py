# What multi-head attention costs as the sequence grows: memory and work.
import numpy as np
import torch

from attention_book import MultiHeadAttention

torch.manual_seed(0)
d_model, H = 512, 8
attention = MultiHeadAttention(d_model=d_model, num_heads=H).eval()
lengths = [128, 256, 512, 1024, 2048]
memory = []
print(f"{'n':>5} {'weights MiB':>12} {'projection MACs':>16} {'n^2 MACs':>14}")
for n in lengths:
    x = torch.randn(1, n, d_model)
    with torch.no_grad():
        _, weights = attention(x, x, x)  # (1, H, n, n) float32
    memory.append(weights.numel() * weights.element_size())
    projections = 4 * n * d_model * d_model  # W_Q, W_K, W_V, W_O
    quadratic = 2 * n * n * d_model  # q k^T and weights v, all heads
    mib = memory[-1] / 2**20
    print(f"{n:>5} {mib:>12.1f} {projections:>16,} {quadratic:>14,}")

# Fit log(bytes) = slope * log(n) + c: slope 2 means memory grows like n^2.
slope = np.polyfit(np.log(lengths), np.log(memory), deg=1)[0]
print(f"memory slope: {slope:.2f}")
print(f"weights at n = {lengths[-1]}: {memory[-1] / 2**20:.0f} MiB")
print(f"n^2 work overtakes the projections at n = 2 d_model = {2 * d_model}")
