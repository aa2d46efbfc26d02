"""Benchmark: time and peak memory of the attention implementations of this library, against PyTorch's.

Run it as ``python -m attention_book.bench`` (``--help`` lists the options). For each sequence length ``n``
it measures, on the same random ``(B, H, n, D)`` inputs and in one process:

* ``explicit``: :func:`attention_book.scaled_dot_product_attention` with ``need_weights=True``, which builds
  the ``n x n`` weights (Vaswani et al., 2017, arXiv:1706.03762);
* ``fused``: the same function with ``need_weights=False``, which calls PyTorch's fused kernel;
* ``tiled``: :func:`attention_book.efficient.tiled_attention`, FlashAttention's online softmax in plain
  PyTorch (Dao et al., 2022, arXiv:2205.14135);
* ``linear``: :func:`attention_book.efficient.linear_attention` (Katharopoulos et al., 2020,
  arXiv:2006.16236), a different model whose cost is linear in ``n``;
* ``sdpa``: ``torch.nn.functional.scaled_dot_product_attention``, the reference.

**Time** is the median wall-clock time of ``repeats`` calls, after one warm-up call, under
``torch.inference_mode()``; the methods take turns, one call each per round, so that a change in the
machine's load affects them alike; ``ratio`` is that time divided by the ``sdpa`` time for the same ``n``.

**Peak memory** is measured in a separate call under ``torch.profiler.profile(profile_memory=True)``: the
profiler records every CPU allocation and free made by PyTorch's allocator during the call, with its size;
the running sum of those sizes, in time order, is the memory the call holds beyond what existed before it,
and ``peak_bytes`` is its maximum. It includes the output (``B * H * n * D * 4`` bytes in float32) and every
temporary, such as the ``n x n`` scores of the explicit path. It does not include the inputs.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.profiler import ProfilerActivity, profile

from .core import scaled_dot_product_attention
from .efficient import linear_attention, tiled_attention

__all__ = ["METHODS", "format_table", "main", "peak_memory_bytes", "run_benchmark", "time_calls"]

METHODS: tuple[str, ...] = ("explicit", "fused", "tiled", "linear", "sdpa")
DEFAULT_SIZES: tuple[int, ...] = (256, 512, 1024, 2048, 4096, 8192)

Attention = Callable[[Tensor, Tensor, Tensor], Tensor]


def _methods(block_size: int) -> dict[str, Attention]:
    return {
        "explicit": lambda q, k, v: scaled_dot_product_attention(q, k, v, need_weights=True)[0],
        "fused": lambda q, k, v: scaled_dot_product_attention(q, k, v, need_weights=False)[0],
        "tiled": lambda q, k, v: tiled_attention(q, k, v, block_size=block_size),
        "linear": lambda q, k, v: linear_attention(q, k, v),
        "sdpa": lambda q, k, v: F.scaled_dot_product_attention(q, k, v),
    }


def time_calls(calls: Mapping[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall-clock seconds of ``repeats`` calls of each function, after one warm-up call each.

    The functions take turns (one call of each per round), so a change in the machine's load during the
    run slows all of them alike instead of one, and the ratios between them stay fair.
    """
    for fn in calls.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, fn in calls.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def peak_memory_bytes(fn: Callable[[], object]) -> int:
    """Peak of the bytes allocated (minus freed) on the CPU by PyTorch while ``fn()`` runs.

    Uses the allocation events that ``torch.profiler`` records with ``profile_memory=True``.
    """
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        result = fn()
    del result
    profiler = prof.profiler
    assert profiler is not None and profiler.kineto_results is not None
    events = [e for e in profiler.kineto_results.events() if e.name() == "[memory]"]
    events.sort(key=lambda e: e.start_ns())
    held = peak = 0
    for event in events:
        held += event.nbytes()  # positive for an allocation, negative for a free
        peak = max(peak, held)
    return peak


def run_benchmark(
    sizes: Sequence[int] = DEFAULT_SIZES,
    *,
    repeats: int = 5,
    block_size: int = 256,
    batch: int = 1,
    heads: int = 4,
    head_dim: int = 64,
    explicit_max: int = 4096,
    methods: Sequence[str] = METHODS,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Time and peak memory of each method at each sequence length; one dict per (n, method).

    Keys: ``n``, ``method``, ``time_s``, ``ratio`` (time / sdpa time, or None without sdpa), ``peak_bytes``,
    and the settings ``batch``, ``heads``, ``head_dim``, ``block_size``, ``threads``. The explicit path is
    skipped for ``n > explicit_max`` (its ``n x n`` weights take ``batch * heads * n^2 * 4`` bytes).
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"methods: expected names from {METHODS}, got {unknown}")
    functions = _methods(block_size)
    generator = torch.Generator().manual_seed(seed)
    rows: list[dict[str, Any]] = []
    for n in sizes:
        q, k, v = (torch.randn(batch, heads, n, head_dim, generator=generator) for _ in range(3))
        calls = {
            name: functools.partial(functions[name], q, k, v)
            for name in methods
            if not (name == "explicit" and n > explicit_max)
        }
        with torch.inference_mode():
            seconds_by_name = time_calls(calls, repeats)
            peaks = {name: peak_memory_bytes(call) for name, call in calls.items()}
        reference = seconds_by_name.get("sdpa")
        for name, seconds in seconds_by_name.items():
            rows.append(
                {
                    "n": n,
                    "method": name,
                    "time_s": seconds,
                    "ratio": None if reference is None else seconds / reference,
                    "peak_bytes": peaks[name],
                    "batch": batch,
                    "heads": heads,
                    "head_dim": head_dim,
                    "block_size": block_size,
                    "threads": torch.get_num_threads(),
                }
            )
    return rows


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """A plain-text table: one line per (n, method), time in ms, ratio to sdpa, peak memory in MiB."""
    lines = [f"{'n':>6}  {'method':<9}{'time (ms)':>11}{'x sdpa':>9}{'peak (MiB)':>12}"]
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        lines.append(
            f"{row['n']:>6}  {row['method']:<9}{row['time_s'] * 1e3:>11.2f}{ratio:>9}"
            f"{row['peak_bytes'] / 2**20:>12.2f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m attention_book.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="sequence lengths")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per method (median is reported)")
    parser.add_argument("--block-size", type=int, default=256, help="tile size of tiled_attention")
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--head-dim", type=int, default=64)
    parser.add_argument("--explicit-max", type=int, default=4096, help="largest n for the explicit path")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON to PATH")
    args = parser.parse_args(argv)
    rows = run_benchmark(
        args.sizes,
        repeats=args.repeats,
        block_size=args.block_size,
        heads=args.heads,
        head_dim=args.head_dim,
        explicit_max=args.explicit_max,
    )
    print(f"B=1, H={args.heads}, D={args.head_dim}, float32, {torch.get_num_threads()} threads")
    print(format_table(rows))
    if args.json:
        with open(args.json, "w") as file:
            json.dump(rows, file, indent=2)


if __name__ == "__main__":
    main()
