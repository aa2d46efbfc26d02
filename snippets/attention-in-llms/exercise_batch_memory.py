# From which batch size on does Llama-3-8B's KV cache, at its full context of
# 8192 tokens in 16-bit numbers, take more memory than its weights?
import math

params = 8.03e9  # Llama-3-8B's published parameter count
weights = 2 * params  # bytes, 16 bits each
layers, kv_heads, head_dim, context = 32, 8, 128, 8192
per_sequence = 2 * layers * kv_heads * head_dim * 2 * context  # K and V
batch = math.ceil(weights / per_sequence)
print(f"weights: {weights / 2**30:.1f} GiB")
print(f"cache of one sequence: {per_sequence / 2**30:.1f} GiB")
print(f"batch size from which the cache outweighs the weights: {batch}")
mha = per_sequence * 32 // kv_heads  # the same model with 32 KV heads
print(f"with MHA (32 KV heads): {math.ceil(weights / mha)}")
