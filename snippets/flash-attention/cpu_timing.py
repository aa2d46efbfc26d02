# On a CPU, the tiled loop written in Python is not faster than PyTorch's
# fused kernel: it only saves memory. Median of 5 calls, one thread.
# book: measured
# (Timings vary from machine to machine and from run to run.)
from functools import partial

import torch
import torch.nn.functional as F

from attention_book import scaled_dot_product_attention
from attention_book.bench import time_calls
from attention_book.efficient import tiled_attention

torch.manual_seed(0)
torch.set_num_threads(1)
for n in (256, 512, 1024):
    q, k, v = (torch.randn(1, 2, n, 64) for _ in range(3))  # (B, H, n, D)
    calls = {
        "explicit": partial(scaled_dot_product_attention, q, k, v),
        "tiled": partial(tiled_attention, q, k, v, block_size=128),
        "sdpa": partial(F.scaled_dot_product_attention, q, k, v),
    }
    with torch.inference_mode():
        seconds = time_calls(calls, repeats=5)
    ms = ", ".join(f"{name} {seconds[name] * 1e3:.2f} ms" for name in calls)
    ratio = seconds["tiled"] / seconds["sdpa"]
    print(f"n = {n}: {ms}; tiled / sdpa = {ratio:.1f}")
