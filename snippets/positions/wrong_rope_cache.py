# Decoding with a KV cache: the new token's query and key must be rotated
# at the token's real position, offset=len(cache). The default offset=0
# puts every new token at position 0.
import torch

from attention_book import RotaryEmbedding

torch.manual_seed(0)
T, D = 10, 16
rope = RotaryEmbedding(D)
q, k = torch.randn(T, D), torch.randn(T, D)  # one head, ten tokens

full = rope.rotate(q)[-1] @ rope.rotate(k).T  # last query, all at once

cache = rope.rotate(k[:-1])  # keys 0 .. 8, rotated when they were new
for offset in (T - 1, 0):  # right, then the default
    q_new = rope.rotate(q[-1:], offset=offset)  # (1, D)
    k_new = rope.rotate(k[-1:], offset=offset)
    step = (q_new @ torch.cat([cache, k_new]).T)[0]  # (T,)
    gap = (step - full).abs().max()
    print(f"offset={offset}: max difference from the full pass {gap:.1e}")
    assert (gap < 1e-4) == (offset == T - 1)
