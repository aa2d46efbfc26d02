# The book's attention equals PyTorch's fused kernel, with and without a mask.
import torch
import torch.nn.functional as F

from attention_book import causal_mask, scaled_dot_product_attention

torch.manual_seed(0)
B, H, L, E = 2, 3, 5, 8
q, k, v = (torch.randn(B, H, L, E) for _ in range(3))  # (B, H, L, E) each

ours, weights = scaled_dot_product_attention(q, k, v)
theirs = F.scaled_dot_product_attention(q, k, v)
print("weights:", tuple(weights.shape), " output:", tuple(ours.shape))
print(f"max |ours - torch|, no mask: {(ours - theirs).abs().max():.1e}")

keep = causal_mask(L)  # (L, L) bool, True = may attend
ours, weights = scaled_dot_product_attention(q, k, v, mask=keep)
theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
print(f"max |ours - torch|, causal:  {(ours - theirs).abs().max():.1e}")
above = weights.triu(diagonal=1).abs().max().item()
print("weights above the diagonal:", above)
