# The book's benchmark for one decoding step of MultiHeadAttention(512, 8,
# num_kv_heads=2) over a KV cache that already holds n positions.
# book: measured
# (Timings vary from machine to machine and from run to run.)
import torch

from attention_book.bench import format_table, run_decode_benchmark

torch.set_num_threads(1)  # one thread: steadier timings, and said out loud
rows = run_decode_benchmark([512, 4096], tokens=32, repeats=3)
print(format_table(rows))  # time: ms per generated token; sdpa = PyTorch's
ms = {(r["method"], r["n"]): r["time_s"] * 1e3 for r in rows}
for method in ("fused", "sdpa"):
    growth = ms[method, 4096] / ms[method, 512]
    print(f"{method}, 4096 over 512 cached positions: {growth:.2f} times")
print(f"fused over sdpa at 4096: {ms['fused', 4096] / ms['sdpa', 4096]:.2f}")
