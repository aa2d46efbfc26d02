# The KV cache of three published models, in float16, measured with the
# library's caches on PyTorch's "meta" device: tensors with a shape and a
# dtype but no storage, so gigabytes cost nothing here.
import torch

from attention_book import KVCache, RollingKVCache

# name: (layers, query heads, KV heads, head dim, context, sliding window)
MODELS = {
    "Llama-2-7B": (32, 32, 32, 128, 4096, None),
    "Llama-3-8B": (32, 32, 8, 128, 8192, None),
    "Mistral-7B": (32, 32, 8, 128, 8192, 4096),
}
MiB, GiB = 2**20, 2**30


def cache_bytes(layers, kv_heads, head_dim, tokens, window=None):
    """Bytes of the caches of all layers after `tokens` positions."""
    cache = KVCache() if window is None else RollingKVCache(window)
    shape = (1, kv_heads, tokens, head_dim)  # (B, Hkv, T, D)
    k = torch.empty(shape, dtype=torch.float16, device="meta")
    cache.update(k, k)  # keys and values: the same shape
    return layers * cache.nbytes  # every layer keeps its own


print("model       layers   H  Hkv    D  KiB/token  context   GiB")
totals = {}
for name, (layers, heads, kv, dim, context, window) in MODELS.items():
    per_token = cache_bytes(layers, kv, dim, 1)
    assert per_token == 2 * layers * kv * dim * 2  # K and V, 2 bytes each
    totals[name] = cache_bytes(layers, kv, dim, context, window)
    left = f"{name:<11}{layers:>7}{heads:>4}{kv:>5}{dim:>5}"
    right = f"{per_token // 1024:>11}{context:>9}{totals[name] / GiB:>6.2f}"
    print(left + right)
for name, (layers, _, kv, dim, *_) in MODELS.items():
    print(f"{name} per token: {cache_bytes(layers, kv, dim, 1) // 1024} KiB")
    print(f"{name} cache at full context: {totals[name] / GiB:.2f} GiB")

# Llama-3-8B's shape with 32 KV heads (MHA), 8 (GQA, as shipped), 1 (MQA).
layers, heads, _, dim, context, _ = MODELS["Llama-3-8B"]
for label, kv in (("MHA", 32), ("GQA", 8), ("MQA", 1)):
    total = cache_bytes(layers, kv, dim, context)
    mib = total / MiB
    print(f"{label}, Hkv = {kv:>2}: {mib:>5.0f} MiB at {context} tokens")

# Mistral's rolling cache stops growing at the window.
layers, _, kv, dim, _, window = MODELS["Mistral-7B"]
full = cache_bytes(layers, kv, dim, 32768)
rolling = cache_bytes(layers, kv, dim, 32768, window)
print(f"32768 tokens, full cache / rolling cache: {full / rolling:.0f}")
