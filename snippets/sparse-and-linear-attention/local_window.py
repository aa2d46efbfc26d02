# Sliding-window attention computed in strips equals dense attention
# under the sliding-window mask, and computes far fewer scores.
import torch
import torch.nn.functional as F

from attention_book import local_attention, sliding_window_mask

torch.manual_seed(0)
B, n, d, window = 2, 64, 16, 8
q, k, v = torch.randn(3, B, n, d).unbind(0)  # (B, n, d) each

local = local_attention(q, k, v, window=window)  # (B, n, d), causal
keep = sliding_window_mask(n, window)  # (n, n): i - window < j <= i
dense = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
assert torch.allclose(local, dense, atol=1e-6)
print("equal to PyTorch's SDPA with the window mask:", True)
print("largest difference:", f"{(local - dense).abs().max():.1e}")

# Query i scores min(i + 1, W) keys instead of i + 1.
W = 512
for length in [1024, 16384, 131072]:
    causal = length * (length + 1) // 2
    windowed = torch.arange(length).clamp(max=W - 1).add(1).sum().item()
    share = windowed / causal
    print(f"n={length:>6}: the window computes {share:6.2%} of the scores")
print(f"share at n=131072: {share:.2%}")
