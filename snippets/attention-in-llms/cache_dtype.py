# The cache's dtype. The library's caches refuse keys of another dtype than
# the ones they hold; and a cache in bfloat16 keeps fewer digits than one in
# float16, for the same bytes, but a far wider range.
import textwrap

import torch

from attention_book import KVCache
from attention_book import scaled_dot_product_attention as sdpa

torch.manual_seed(0)
q, k, v = torch.randn(3, 1, 8, 512, 64).unbind(0)  # (B, H, T, D)
new_q = q[:, :, 511:]  # the query of the newest token

cache = KVCache()
cache.update(k[:, :, :511].half(), v[:, :, :511].half())  # a float16 cache
try:
    cache.update(k[:, :, 511:], v[:, :, 511:])  # float32 from the model
except ValueError as error:
    print(textwrap.fill(f"ValueError: {error}", width=72))

reference, _ = sdpa(new_q, k, v)  # float32 keys and values
for dtype in (torch.float16, torch.bfloat16):
    out, _ = sdpa(new_q, k.to(dtype).float(), v.to(dtype).float())
    error = (out - reference).abs().max().item()
    size = k.to(dtype).element_size()
    print(f"{str(dtype):<14}: {size} bytes a number, largest error {error:.0e}")

# float16 stops at 65504; bfloat16 reaches float32's range. One large key:
big = k.clone()
big[0, 0, 3, 0] = 1e5
for dtype in (torch.float16, torch.bfloat16):
    out, _ = sdpa(new_q, big.to(dtype).float(), v)
    finite = bool(out.isfinite().all())
    print(f"{str(dtype):<14}: a key entry of 1e5, output finite: {finite}")
