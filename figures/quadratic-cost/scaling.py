"""Time and peak memory of five attention methods against n, on log-log axes, from the book's benchmark.

The sweep runs once per process, so both themes draw the same measurement. It runs on one thread, and its
clock is the CPU time of that thread instead of the wall clock (``bench`` has no option for it, so its
clock is patched here): on a build machine shared with other jobs, the wall-clock time of any call longer
than a few milliseconds includes time the scheduler gave to other processes, which bends every curve up.
The slopes in the legend are least-squares slopes of log(y) against log(n) for n >= FIT_FROM, where the
fixed costs of a call no longer dominate. A dotted line marks where linear attention overtakes the kernel.
"""

from __future__ import annotations

import functools
import math
import time
from typing import Any
from unittest import mock

import torch
from matplotlib.figure import Figure

from attention_book import bench
from attention_book.bench import METHODS
from attention_book.viz import plot_lines

SIZES = (64, 128, 256, 512, 1024, 2048)
FIT_FROM = 512  # slopes are fitted over n >= FIT_FROM


@functools.cache
def measure() -> tuple[dict[str, Any], ...]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # the work runs on the calling thread, so its CPU time is the work's
    try:
        with mock.patch.object(bench.time, "perf_counter", time.thread_time):
            rows = bench.run_benchmark(SIZES, repeats=5, heads=1, head_dim=64, explicit_max=max(SIZES))
    finally:
        torch.set_num_threads(threads)
    return tuple(rows)


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) against log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def crossover(ns: list[int], faster: list[float], slower: list[float]) -> float | None:
    """First n (interpolated on log-log axes) from which ``faster`` stays below ``slower``, or None."""
    ratios = [math.log(f / s) for f, s in zip(faster, slower, strict=True)]
    if ratios[-1] >= 0:
        return None
    i = len(ratios) - 1
    while i > 0 and ratios[i - 1] < 0:
        i -= 1
    if i == 0:
        return float(ns[0])
    t = ratios[i - 1] / (ratios[i - 1] - ratios[i])  # where the log-ratio crosses 0
    return math.exp(math.log(ns[i - 1]) + t * (math.log(ns[i]) - math.log(ns[i - 1])))


def draw() -> Figure:
    rows = measure()
    ns = list(SIZES)
    fit = [i for i, n in enumerate(ns) if n >= FIT_FROM]
    times: dict[str, tuple[float, list[float]]] = {}  # method -> (slope, values)
    peaks: dict[str, tuple[float, list[float]]] = {}
    for method in METHODS:
        t = [r["time_s"] * 1e3 for r in rows if r["method"] == method]  # ms
        m = [r["peak_bytes"] / 2**20 for r in rows if r["method"] == method]  # MiB
        ts = slope([ns[i] for i in fit], [t[i] for i in fit])
        ms = slope([ns[i] for i in fit], [m[i] for i in fit])
        times[method], peaks[method] = (ts, t), (ms, m)

    fig = Figure(figsize=(7.0, 8.4), layout="constrained")
    top, bottom = fig.subplots(2, 1)
    labels = [f"{m}: time {times[m][0]:.1f}, memory {peaks[m][0]:.1f}" for m in METHODS]
    plot_lines(
        ns,
        {label: times[m][1] for label, m in zip(labels, METHODS, strict=True)},
        xlabel="sequence length n",
        ylabel="time per call (ms)",
        logx=True,
        logy=True,
        title="Time per call",
        ax=top,
    )
    plot_lines(
        ns,
        {label: peaks[m][1] for label, m in zip(labels, METHODS, strict=True)},
        xlabel="sequence length n",
        ylabel="peak memory (MiB)",
        logx=True,
        logy=True,
        title="Peak memory beyond the inputs",
        ax=bottom,
    )
    linear = [r["time_s"] for r in rows if r["method"] == "linear"]
    sdpa = [r["time_s"] for r in rows if r["method"] == "sdpa"]
    n_cross = crossover(ns, linear, sdpa)
    if n_cross is not None:
        top.axvline(n_cross, linestyle=":", linewidth=1.2, color=top.xaxis.label.get_color())
        where = "at every n" if n_cross == ns[0] else f"from n ≈ {n_cross:.0f}"
        top.annotate(
            f"linear < sdpa\n{where}",
            xy=(n_cross, 0.97),
            xycoords=("data", "axes fraction"),
            xytext=(4, 0),
            textcoords="offset points",
            va="top",
            fontsize=10,
        )
    for ax in (top, bottom):
        ax.set_xticks(ns, [str(n) for n in ns])
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
    handles, _ = top.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=2,
        fontsize=10,
        title=f"slope of log(y) against log(n), fitted for n ≥ {FIT_FROM}",
        title_fontsize=10,
    )
    return fig
