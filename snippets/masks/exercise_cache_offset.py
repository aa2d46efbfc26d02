# Decoding with a KV cache: one new query against all the keys so far.
import torch

from attention_book import causal_mask, scaled_dot_product_attention

torch.manual_seed(0)
S, E = 6, 8
q, k, v = (torch.randn(S, E) for _ in range(3))
full, _ = scaled_dot_product_attention(q, k, v, is_causal=True)  # (S, E)

new_q = q[-1:]  # (1, E): the newest position, S - 1
top_left = causal_mask(1, S)  # what is_causal=True means when L != S
bottom_right = causal_mask(1, S, offset=S - 1)  # the last of S positions
print("top-left mask:    ", top_left.int().tolist())
print("bottom-right mask:", bottom_right.int().tolist())
for name, mask in (("top-left", top_left), ("bottom-right", bottom_right)):
    out, _ = scaled_dot_product_attention(new_q, k, v, mask=mask)
    print(f"{name} error: {(out - full[-1:]).abs().max():.2f}")
flag, _ = scaled_dot_product_attention(new_q, k, v, is_causal=True)
out, _ = scaled_dot_product_attention(new_q, k, v, mask=top_left)
assert torch.equal(flag, out)
