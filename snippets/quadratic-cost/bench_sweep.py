# Time and peak memory of five ways to compute attention against n, with the
# book's benchmark; then a straight line through log(time) against log(n).
# book: measured
# (Timings vary from machine to machine and from run to run.)
import math

import torch

from attention_book.bench import METHODS, run_benchmark

torch.manual_seed(0)
torch.set_num_threads(1)  # one thread: steadier timings, and said out loud
sizes = [256, 512, 1024]
rows = run_benchmark(sizes, repeats=5, heads=1, head_dim=64)  # B = 1, float32
print(f"n = {sizes}: time in ms (median of 5 calls), peak memory in MiB")
for method in METHODS:
    mine = [r for r in rows if r["method"] == method]
    ms = ", ".join(f"{r['time_s'] * 1e3:.3f}" for r in mine)
    mib = ", ".join(f"{r['peak_bytes'] / 2**20:.2f}" for r in mine)
    print(f"{method:<9} time {ms}  peak {mib}")


def fit(method: str) -> tuple[float, float]:
    """Slope and intercept of log(time) = a + b log(n), least squares."""
    x = [math.log(n) for n in sizes]
    y = [math.log(r["time_s"]) for r in rows if r["method"] == method]
    mx, my = sum(x) / len(x), sum(y) / len(y)
    dx = [xi - mx for xi in x]
    b = sum(d * (yi - my) for d, yi in zip(dx, y, strict=True))
    b /= sum(d * d for d in dx)
    return b, my - b * mx


for method in METHODS:
    print(f"time slope, {method}: {fit(method)[0]:.2f}")

# The two fitted lines meet where a_lin + b_lin log n = a_sdpa + b_sdpa log n.
(b_lin, a_lin), (b_sdpa, a_sdpa) = fit("linear"), fit("sdpa")
meet = math.exp((a_lin - a_sdpa) / (b_sdpa - b_lin))
print(f"linear and sdpa lines meet at n: {meet:.0f}")

n = sizes[-1]
flops = 4 * n * n * 64  # Q K^T and weights @ V, one head of width 64
for r in rows:
    if r["n"] == n and r["method"] in ("explicit", "sdpa"):
        rate = flops / r["time_s"] / 1e9
        print(f"GFLOP/s at n = {n}, {r['method']}: {rate:.1f}")
