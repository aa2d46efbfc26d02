"""Time (one thread) and memory of MultiHeadAttention(512, 8) against the sequence length, on log axes.

The memory curve is exact (bytes of the weights tensor). The time curve is measured on the machine that
builds the book, so its values and fitted slope change from build to build; the page states none of them.
"""

import functools
import time

import numpy as np
import torch
from matplotlib.figure import Figure

from attention_book import MultiHeadAttention
from attention_book.viz import plot_lines

LENGTHS = [128, 256, 512, 1024, 2048]


def seconds(attention: MultiHeadAttention, n: int, budget_s: float = 0.3) -> float:
    """Fastest of several forward passes on one sequence of length ``n`` (at least 2, at most 10)."""
    x = torch.randn(1, n, attention.d_model)
    runs: list[float] = []
    with torch.no_grad():
        attention(x, x, x)  # warm-up
        while len(runs) < 2 or (len(runs) < 10 and sum(runs) < budget_s):
            start = time.perf_counter()
            attention(x, x, x)
            runs.append(time.perf_counter() - start)
    return min(runs)


@functools.cache
def measured_ms() -> tuple[float, ...]:
    """Milliseconds per forward pass for each length; measured once for both themes of the figure.

    On one thread: on a busy machine, threads that wait for each other make timings erratic.
    """
    torch.manual_seed(0)
    attention = MultiHeadAttention(d_model=512, num_heads=8).eval()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return tuple(1e3 * seconds(attention, n) for n in LENGTHS)
    finally:
        torch.set_num_threads(threads)


def slope(xs: list[int], ys: list[float]) -> float:
    return float(np.polyfit(np.log(xs), np.log(ys), deg=1)[0])


def draw() -> Figure:
    times = list(measured_ms())
    memory = [8 * n * n * 4 / 2**20 for n in LENGTHS]  # MiB: (1, 8, n, n) float32
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    last = LENGTHS[-1]
    plot_lines(
        LENGTHS,
        {
            f"measured (slope {slope(LENGTHS[-3:], times[-3:]):.1f})": times,
            "∝ n² (slope 2)": [times[-1] * (n / last) ** 2 for n in LENGTHS],
        },
        xlabel="sequence length n",
        ylabel="ms per forward, one thread",
        logx=True,
        logy=True,
        title="Time",
        ax=left,
    )
    plot_lines(
        LENGTHS,
        {f"weights tensor (slope {slope(LENGTHS, memory):.1f})": memory},
        xlabel="sequence length n",
        ylabel="MiB",
        logx=True,
        logy=True,
        title="Memory",
        ax=right,
    )
    return fig
