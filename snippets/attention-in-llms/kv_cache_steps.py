# A KV cache by hand: one attention layer run over a prompt (the prefill),
# then one token at a time, gives exactly what one causal pass over the
# whole sequence gives.
import torch

from attention_book import KVCache, MultiHeadAttention

torch.manual_seed(0)
attn = MultiHeadAttention(d_model=32, num_heads=4).eval()
x = torch.randn(1, 8, 32)  # (B, T, E): a prompt of 5 tokens, then 3 more

with torch.no_grad():
    full, _ = attn(x, is_causal=True)  # every position at once, (1, 8, 32)

    cache = KVCache()
    prefill, _ = attn(x[:, :5], is_causal=True, cache=cache)  # 5 queries
    shape = tuple(cache.keys.shape)  # (B, Hkv, T, D)
    print(f"after the prefill: {len(cache)} positions, keys {shape}")
    steps = [prefill]
    for t in range(5, 8):  # one new token: L = 1 query, S = t + 1 keys
        out, weights = attn(x[:, t : t + 1], is_causal=True, cache=cache)
        steps.append(out)
        shape, room = tuple(weights.shape), cache.capacity
        print(f"step {t}: weights {shape}, {len(cache)} cached, room {room}")

cached = torch.cat(steps, dim=1)  # (1, 8, 32)
assert torch.allclose(cached, full, atol=1e-6)
print("cached == full pass:", torch.allclose(cached, full, atol=1e-6))

# Several new queries at once (a chunk of the prompt): they are the LAST
# L of S positions, so the causal mask is aligned bottom-right.
cache = KVCache()
with torch.no_grad():
    attn(x[:, :5], is_causal=True, cache=cache)
    _, weights = attn(x[:, 5:8], is_causal=True, cache=cache)  # L=3, S=8
print("which keys the 3 new queries see (head 0):")
for row in (weights[0, 0] > 0).int().tolist():
    print("  ", " ".join(map(str, row)))
