# Three ways to time attention badly: counting the first call, leaving the
# number of threads to chance, and trusting the wall clock on a busy machine.
# book: measured
# (Timings vary from machine to machine and from run to run.)
import functools
import statistics
import time

import torch
import torch.nn.functional as F

from attention_book import scaled_dot_product_attention

torch.manual_seed(0)
q, k, v = (torch.randn(1, 2, 512, 64) for _ in range(3))  # (B, H, n, d)


def clocked(call) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all threads of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    call()
    return time.perf_counter() - wall, time.process_time() - cpu


def ours():
    return scaled_dot_product_attention(q, k, v)


first = clocked(ours)[0]
later = statistics.median(clocked(ours)[0] for _ in range(5))
print(f"first call of ours: {first * 1e3:.1f} ms")
print(f"later calls, median: {later * 1e3:.1f} ms")

default = torch.get_num_threads()
for threads in (1, default):
    torch.set_num_threads(threads)
    call = functools.partial(F.scaled_dot_product_attention, q, k, v)
    call()  # warm-up
    runs = [clocked(call) for _ in range(9)]
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    spread = max(w for w, _ in runs) / min(w for w, _ in runs)
    times = f"wall {wall * 1e3:.2f} ms, CPU {cpu * 1e3:.2f} ms"
    print(f"threads = {threads}: {times}, slowest / fastest {spread:.1f}")
