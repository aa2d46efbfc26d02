# Grouped-query attention: 8 query heads share 2 key/value heads. The
# library's version against PyTorch's enable_gqa and against copying each
# KV head to its group of query heads.
import torch
import torch.nn.functional as F

from attention_book import KVCache, MultiHeadAttention
from attention_book import scaled_dot_product_attention as sdpa

torch.manual_seed(0)
B, H, Hkv, T, D = 2, 8, 2, 6, 16
q = torch.randn(B, H, T, D)  # 8 query heads
k = torch.randn(B, Hkv, T, D)  # 2 key heads ...
v = torch.randn(B, Hkv, T, D)  # ... and 2 value heads

ours, weights = sdpa(q, k, v, is_causal=True, enable_gqa=True)
sdpa_torch = F.scaled_dot_product_attention
pytorch = sdpa_torch(q, k, v, is_causal=True, enable_gqa=True)
group = H // Hkv  # query heads 0-3 read KV head 0, heads 4-7 read KV head 1
k_copies = k.repeat_interleave(group, dim=1)  # (B, H, T, D): 0 0 0 0 1 1 1 1
v_copies = v.repeat_interleave(group, dim=1)
copied = sdpa_torch(q, k_copies, v_copies, is_causal=True)
same_as_pytorch = torch.allclose(ours, pytorch, atol=1e-6)
same_as_copies = torch.allclose(ours, copied, atol=1e-6)
assert same_as_pytorch and same_as_copies
print("ours == PyTorch enable_gqa:", same_as_pytorch)
print("ours == repeated KV heads: ", same_as_copies)
print("weights:", tuple(weights.shape), "(one row of weights per query head)")

# In a layer: the K and V projections shrink, and so does the cache.
x = torch.randn(1, 100, 128)
for kv_heads in (8, 2, 1):  # MHA, GQA, MQA
    attn = MultiHeadAttention(128, num_heads=8, num_kv_heads=kv_heads)
    cache = KVCache()
    with torch.no_grad():
        attn(x, is_causal=True, cache=cache)
    params = sum(p.numel() for p in attn.parameters())
    print(
        f"Hkv = {kv_heads}: k_proj {tuple(attn.k_proj.weight.shape)}, "
        f"{params} parameters, cache {cache.nbytes} bytes"
    )
