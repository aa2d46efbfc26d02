# Sliding-window attention decoded with a rolling cache: the cache never holds
# more than `window` positions (plus the sinks), and the outputs are those of
# full attention under the sliding-window mask.
import torch

from attention_book import MultiHeadAttention, RollingKVCache
from attention_book.masks import sliding_window_mask

torch.manual_seed(0)
attn = MultiHeadAttention(d_model=32, num_heads=4, num_kv_heads=2).eval()
T, window = 12, 4
x = torch.randn(1, T, 32)


def decode(cache: RollingKVCache) -> torch.Tensor:
    """Feed x one token at a time; return the outputs (1, T, 32)."""
    outs = []
    with torch.no_grad():
        for t in range(T):
            out, _ = attn(x[:, t : t + 1], is_causal=True, cache=cache)
            outs.append(out)
            if t in (3, 6, 9):
                print(
                    f"  t = {t:>2}: {len(cache)} cached, {cache.nbytes}"
                    f" bytes, positions {cache.positions.tolist()}"
                )
    return torch.cat(outs, dim=1)


print(f"window {window}, no sinks:")
rolled = decode(RollingKVCache(window=window))
keep = sliding_window_mask(T, window)  # (T, T): i - window < j <= i
with torch.no_grad():
    masked, _ = attn(x, mask=keep)
same = torch.allclose(rolled, masked, atol=1e-6)
assert same
print("rolling cache == sliding-window mask:", same)

print(f"window {window} and 2 sinks:")
rolled = decode(RollingKVCache(window=window, sinks=2))
j = torch.arange(T)
keep_sinks = keep | (torch.tril(torch.ones(T, T, dtype=torch.bool)) & (j < 2))
with torch.no_grad():
    masked, _ = attn(x, mask=keep_sinks)
same = torch.allclose(rolled, masked, atol=1e-6)
assert same
print("rolling cache with sinks == window-or-sink mask:", same)
