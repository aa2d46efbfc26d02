# Bytes of the attention weights of ONE layer for a long context.
n, H, bytes_per_weight = 32_768, 32, 2  # 32k tokens, 32 heads, float16
weights = H * n * n * bytes_per_weight
kv = 2 * n * 4096 * bytes_per_weight  # keys and values, d_model = 4096
print(f"weights, one layer: {weights / 2**30:.0f} GiB")
print(f"keys and values, one layer: {kv / 2**30:.2f} GiB")
print(f"ratio: {weights // kv}")
