# RoPE with a KV cache: the new token must be rotated at its real position,
# len(cache), not at 0. Forgetting the offset raises no error; it quietly
# changes every score between the new query and the cached keys.
import torch

from attention_book import RotaryEmbedding
from attention_book import scaled_dot_product_attention as sdpa

torch.manual_seed(0)
rope = RotaryEmbedding(head_dim=16)
q, k, v = torch.randn(3, 1, 1, 10, 16).unbind(0)  # (B, H, T, D), T = 10
rq, rk = rope(q, k)  # positions 0 .. 9
full, _ = sdpa(rq, rk, v, is_causal=True)

cached_keys = rk[:, :, :9]  # the cache: keys of positions 0 .. 8, rotated
for offset in (9, 0):  # right: the new token is position 9; wrong: 0
    new_q, new_k = rope(q[:, :, 9:], k[:, :, 9:], offset=offset)
    keys = torch.cat([cached_keys, new_k], dim=2)  # (1, 1, 10, 16)
    out, weights = sdpa(new_q, keys, v)  # one query sees all 10 keys
    same = torch.allclose(out, full[:, :, 9:], atol=1e-6)
    error = (out - full[:, :, 9:]).abs().max()
    print(f"offset {offset}: same as the full pass: {same}, error {error:.2f}")
    print("  weights:", " ".join(f"{w:.2f}" for w in weights[0, 0, 0]))
