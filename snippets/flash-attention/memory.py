# Peak memory of one attention head, explicit against tiled, measured with the
# book's benchmark helper (PyTorch's profiler records every allocation), and
# the sizes that explain it, computed from the shapes.
from functools import partial

import torch
import torch.nn.functional as F

from attention_book import scaled_dot_product_attention
from attention_book.bench import peak_memory_bytes
from attention_book.efficient import tiled_attention

torch.manual_seed(0)
torch.set_num_threads(1)  # one thread: the same buffers on every machine
d, block, MiB = 64, 128, 2**20  # head width, tile size, bytes in a MiB
tile = block * block * 4  # one tile of float32 scores, in bytes

print("    n  n x n scores  explicit   tiled    sdpa  (MiB)")
for n in (1024, 2048, 4096):
    q, k, v = (torch.randn(1, 1, n, d) for _ in range(3))  # (1, 1, n, d)
    runs = {  # explicit: the book's attention, which returns the weights too
        "explicit": partial(scaled_dot_product_attention, q, k, v),
        "tiled": partial(tiled_attention, q, k, v, block_size=block),
        "sdpa": partial(F.scaled_dot_product_attention, q, k, v),
    }
    with torch.inference_mode():
        peak = {name: peak_memory_bytes(run) for name, run in runs.items()}
    explicit, tiled, fused = peak["explicit"], peak["tiled"], peak["sdpa"]
    matrix, output = n * n * 4, n * d * 4  # bytes in float32
    mib = [f"{x / MiB:.2f}" for x in (matrix, explicit, tiled, fused)]
    print(f"{n:>5}{mib[0]:>14}{mib[1]:>10}{mib[2]:>8}{mib[3]:>8}")
    assert explicit > 2 * matrix  # the scores and the weights, both n x n
    assert tiled - output < 8 * tile  # a few tiles, whatever n

print(f"one tile of scores: {tile / 1024:.0f} KiB")
print(f"tiled, beyond its output, n = {n}: {(tiled - output) / 1024:.0f} KiB")
print(f"explicit / tiled at n = {n}: {explicit / tiled:.0f}")
