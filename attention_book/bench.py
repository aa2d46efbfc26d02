"""Benchmark: time and peak memory of this library's attention against PyTorch's, as users run it.

Run it as ``python -m attention_book.bench`` (``--help`` lists the options); the default run takes a few
seconds, ``--large`` runs the sizes of the book's tables. Three benchmarks, each timed against PyTorch's
own way of computing the same thing, in the same process and on the same inputs:

* ``attention``: one attention over ``(B, H, n, D)`` inputs, causal and not, for sequence lengths ``n``:

  - ``explicit``: :func:`attention_book.scaled_dot_product_attention` with ``need_weights=True``, which
    builds the ``n x n`` weights (Vaswani et al., 2017, arXiv:1706.03762);
  - ``fused``: the same function with ``need_weights=False``, which calls PyTorch's fused kernel;
  - ``tiled``: :func:`attention_book.efficient.tiled_attention`, FlashAttention's online softmax in plain
    PyTorch (Dao et al., 2022, arXiv:2205.14135);
  - ``linear``: :func:`attention_book.efficient.linear_attention` (Katharopoulos et al., 2020,
    arXiv:2006.16236), a different model whose cost is linear in ``n``;
  - ``sdpa``: ``torch.nn.functional.scaled_dot_product_attention``, the reference.

* ``gqa``: grouped-query attention (Ainslie et al., 2023, arXiv:2305.13245), ``H`` query heads sharing
  ``Hkv`` key/value heads, causal: ``explicit`` and ``fused`` with ``enable_gqa=True`` against ``sdpa``
  with ``enable_gqa=True``.

* ``decode``: generating one token at a time with a KV cache, in milliseconds per token, against the
  number ``n`` of positions already cached: :class:`attention_book.MultiHeadAttention` with a
  :class:`attention_book.KVCache`, ``explicit`` (``need_weights=True``, the default) and ``fused``
  (``need_weights=False``); ``sdpa`` is the same step written with PyTorch alone: the same projections,
  keys and values written into a preallocated tensor, and ``F.scaled_dot_product_attention(...,
  enable_gqa=True)`` over its first ``n + 1`` positions.

**Time** is the median wall-clock time of ``repeats`` calls, after one warm-up call, under
``torch.inference_mode()``; the methods take turns, one call each per round, so that a change in the
machine's load affects them alike; ``ratio`` is that time divided by the reference's (``sdpa``) time for
the same ``n``. For ``decode`` one call is ``tokens`` steps, and the time is per step.

**Peak memory** is measured in a separate call under ``torch.profiler.profile(profile_memory=True)``: the
profiler records every CPU allocation and free made by PyTorch's allocator during the call, with its size;
the running sum of those sizes, in time order, is the memory the call holds beyond what existed before it,
and ``peak_bytes`` is its maximum. It includes the output (``B * H * n * D * 4`` bytes in float32) and every
temporary, such as the ``n x n`` scores of the explicit path. It does not include the inputs. For
``decode`` it is the peak of one step.
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
from .kv_cache import KVCache
from .multihead import MultiHeadAttention

__all__ = [
    "DECODE_METHODS",
    "GQA_METHODS",
    "METHODS",
    "format_table",
    "main",
    "peak_memory_bytes",
    "run_benchmark",
    "run_decode_benchmark",
    "run_gqa_benchmark",
    "time_calls",
]

METHODS: tuple[str, ...] = ("explicit", "fused", "tiled", "linear", "sdpa")
GQA_METHODS: tuple[str, ...] = ("explicit", "fused", "sdpa")
DECODE_METHODS: tuple[str, ...] = ("explicit", "fused", "sdpa")
DEFAULT_SIZES: tuple[int, ...] = (256, 512)
LARGE_SIZES: tuple[int, ...] = (256, 512, 1024, 2048, 4096, 8192)
DEFAULT_DECODE_LENGTHS: tuple[int, ...] = (256, 1024, 4096)
LARGE_DECODE_LENGTHS: tuple[int, ...] = (512, 1024, 2048, 4096, 8192, 16384)

Attention = Callable[[Tensor, Tensor, Tensor], Tensor]


def _methods(block_size: int, causal: bool) -> dict[str, Attention]:
    return {
        "explicit": lambda q, k, v: scaled_dot_product_attention(q, k, v, is_causal=causal)[0],
        "fused": lambda q, k, v: scaled_dot_product_attention(q, k, v, is_causal=causal, need_weights=False)[
            0
        ],
        "tiled": lambda q, k, v: tiled_attention(q, k, v, block_size=block_size, is_causal=causal),
        "linear": lambda q, k, v: linear_attention(q, k, v, causal=causal),
        "sdpa": lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=causal),
    }


def _gqa_methods() -> dict[str, Attention]:
    return {
        "explicit": lambda q, k, v: scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)[0],
        "fused": lambda q, k, v: scaled_dot_product_attention(
            q, k, v, is_causal=True, enable_gqa=True, need_weights=False
        )[0],
        "sdpa": lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True),
    }


def time_calls(calls: Mapping[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall-clock seconds of ``repeats`` calls of each function, after one warm-up call each.

    The functions take turns (one call of each per round), so a change in the machine's load during the
    run slows all of them alike instead of one, and the ratios between them stay fair. In each turn an
    untimed call comes first: the timed one then finds the caches and the allocator as its own previous
    call left them, not as another function did (a call right after the explicit path, which leaves
    megabytes of weights behind, measured up to 15% slower).
    """
    for fn in calls.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, fn in calls.items():
            fn()  # settles the caches and the allocator; not timed
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


def _rows(
    benchmark: str,
    n: int,
    seconds_by_name: Mapping[str, float],
    peaks: Mapping[str, int],
    settings: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """One row per method, with its time relative to the reference ``sdpa`` (None without it)."""
    reference = seconds_by_name.get("sdpa")
    return [
        {
            "benchmark": benchmark,
            "n": n,
            "method": name,
            "time_s": seconds,
            "ratio": None if reference is None else seconds / reference,
            "peak_bytes": peaks[name],
            **settings,
            "threads": torch.get_num_threads(),
        }
        for name, seconds in seconds_by_name.items()
    ]


def _check_methods(methods: Sequence[str], known: Sequence[str]) -> None:
    unknown = [m for m in methods if m not in known]
    if unknown:
        raise ValueError(f"methods: expected names from {tuple(known)}, got {unknown}")


def run_benchmark(
    sizes: Sequence[int] = DEFAULT_SIZES,
    *,
    repeats: int = 5,
    block_size: int = 256,
    batch: int = 1,
    heads: int = 8,
    head_dim: int = 64,
    explicit_max: int = 4096,
    methods: Sequence[str] = METHODS,
    causal: bool = False,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Time and peak memory of each attention method at each sequence length; one dict per (n, method).

    Keys: ``benchmark`` (``"attention"``), ``n``, ``method``, ``time_s``, ``ratio`` (time / sdpa time, or
    None without sdpa), ``peak_bytes``, and the settings ``causal``, ``batch``, ``heads``, ``head_dim``,
    ``block_size``, ``threads``. The explicit path is skipped for ``n > explicit_max`` (its ``n x n``
    weights take ``batch * heads * n^2 * 4`` bytes).
    """
    _check_methods(methods, METHODS)
    functions = _methods(block_size, causal)
    generator = torch.Generator().manual_seed(seed)
    settings = {
        "causal": causal,
        "batch": batch,
        "heads": heads,
        "head_dim": head_dim,
        "block_size": block_size,
    }
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
        rows += _rows("attention", n, seconds_by_name, peaks, settings)
    return rows


def run_gqa_benchmark(
    sizes: Sequence[int] = DEFAULT_SIZES,
    *,
    repeats: int = 5,
    batch: int = 1,
    heads: int = 8,
    kv_heads: int = 2,
    head_dim: int = 64,
    explicit_max: int = 4096,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Causal grouped-query attention, query ``(B, H, n, D)``, keys and values ``(B, Hkv, n, D)``.

    Rows as :func:`run_benchmark`'s, with ``benchmark = "gqa"`` and the setting ``kv_heads``.
    """
    functions = _gqa_methods()
    generator = torch.Generator().manual_seed(seed)
    settings = {"causal": True, "batch": batch, "heads": heads, "kv_heads": kv_heads, "head_dim": head_dim}
    rows: list[dict[str, Any]] = []
    for n in sizes:
        q = torch.randn(batch, heads, n, head_dim, generator=generator)
        k, v = (torch.randn(batch, kv_heads, n, head_dim, generator=generator) for _ in range(2))
        calls = {
            name: functools.partial(fn, q, k, v)
            for name, fn in functions.items()
            if not (name == "explicit" and n > explicit_max)
        }
        with torch.inference_mode():
            seconds_by_name = time_calls(calls, repeats)
            peaks = {name: peak_memory_bytes(call) for name, call in calls.items()}
        rows += _rows("gqa", n, seconds_by_name, peaks, settings)
    return rows


class _TorchDecoder:
    """The reference decode step in plain PyTorch: the module's projections, a preallocated cache, sdpa."""

    def __init__(self, attn: MultiHeadAttention, keys: Tensor, values: Tensor, room: int) -> None:
        self.attn = attn
        B, Hkv, n, D = keys.shape
        self.keys = torch.empty(B, Hkv, n + room, D)  # (B, Hkv, capacity, D)
        self.values = torch.empty(B, Hkv, n + room, D)
        self.keys[:, :, :n], self.values[:, :, :n] = keys, values
        self.length = n

    def step(self, x: Tensor) -> Tensor:
        """One token ``(B, 1, d_model)`` -> ``(B, 1, d_model)``."""
        attn, B, t = self.attn, x.shape[0], self.length
        q = attn.q_proj(x).view(B, 1, attn.num_heads, attn.head_dim).transpose(1, 2)  # (B, H, 1, D)
        k = attn.k_proj(x).view(B, 1, attn.num_kv_heads, attn.head_dim).transpose(1, 2)  # (B, Hkv, 1, D)
        v = attn.v_proj(x).view(B, 1, attn.num_kv_heads, attn.head_dim).transpose(1, 2)
        self.keys[:, :, t : t + 1], self.values[:, :, t : t + 1] = k, v
        self.length = t + 1
        out = F.scaled_dot_product_attention(
            q, self.keys[:, :, : t + 1], self.values[:, :, : t + 1], enable_gqa=True
        )  # (B, H, 1, D)
        return attn.out_proj(out.transpose(1, 2).reshape(B, 1, attn.d_model))


Step = Callable[[Tensor], object]  # one decoding step: a token (B, 1, d_model) in, its output out


def _decoders(
    attn: MultiHeadAttention, keys: Tensor, values: Tensor, room: int
) -> dict[str, Callable[[], Step]]:
    """For each method, a function that returns a fresh decoding step whose cache holds ``keys, values``."""

    def ours(need_weights: bool) -> Callable[[], Step]:
        def make() -> Step:
            cache = KVCache()
            cache.append(keys, values)
            return lambda x: attn(x, is_causal=True, cache=cache, need_weights=need_weights)

        return make

    def sdpa() -> Step:
        return _TorchDecoder(attn, keys, values, room).step

    return {"explicit": ours(True), "fused": ours(False), "sdpa": sdpa}


def _time_decoding(decoders: Mapping[str, Callable[[], Step]], x: Tensor, repeats: int) -> dict[str, float]:
    """Median seconds per step of decoding ``x[:, 1:]``, one token at a time, after a warm-up step.

    Like :func:`time_calls`: the methods take turns, and a first round is not counted.
    """
    times: dict[str, list[float]] = {name: [] for name in decoders}
    for round_ in range(repeats + 1):
        for name, make in decoders.items():
            step = make()
            step(x[:, :1])  # warm-up: a KVCache doubles its storage here
            start = time.perf_counter()
            for t in range(1, x.shape[1]):
                step(x[:, t : t + 1])
            if round_ > 0:
                times[name].append((time.perf_counter() - start) / (x.shape[1] - 1))
    return {name: statistics.median(seconds) for name, seconds in times.items()}


def _decode_step_peak(make: Callable[[], Step], x: Tensor) -> int:
    """Peak memory of one decoding step, after a warm-up step."""
    step = make()
    step(x[:, :1])
    return peak_memory_bytes(lambda: step(x[:, 1:2]))


def run_decode_benchmark(
    lengths: Sequence[int] = DEFAULT_DECODE_LENGTHS,
    *,
    repeats: int = 5,
    tokens: int = 16,
    batch: int = 1,
    d_model: int = 512,
    heads: int = 8,
    kv_heads: int = 2,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """Seconds per generated token with a KV cache that already holds ``n`` positions.

    For each ``n`` and each round, each method gets a cache holding the same ``n`` random positions and
    one warm-up step (in which a :class:`KVCache` doubles its storage); then ``tokens`` steps are timed
    together. Rows as :func:`run_benchmark`'s, with ``benchmark = "decode"``, ``time_s`` per token,
    ``peak_bytes`` of one step, and the settings ``tokens``, ``batch``, ``d_model``, ``heads``,
    ``kv_heads``.
    """
    torch.manual_seed(seed)
    attn = MultiHeadAttention(d_model, heads, num_kv_heads=kv_heads).eval()
    generator = torch.Generator().manual_seed(seed)
    settings = {"tokens": tokens, "batch": batch, "d_model": d_model, "heads": heads, "kv_heads": kv_heads}
    rows: list[dict[str, Any]] = []
    for n in lengths:
        keys, values = (
            torch.randn(batch, kv_heads, n, d_model // heads, generator=generator) for _ in range(2)
        )
        x = torch.randn(batch, tokens + 1, d_model, generator=generator)  # the warm-up token, then the timed
        decoders = _decoders(attn, keys, values, room=tokens + 1)
        with torch.inference_mode():
            seconds_by_name = _time_decoding(decoders, x, repeats)
            peaks = {name: _decode_step_peak(make, x) for name, make in decoders.items()}
        rows += _rows("decode", n, seconds_by_name, peaks, settings)
    return rows


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """A plain-text table: one line per row, time in ms, ratio to sdpa, peak memory in MiB.

    The first column says which benchmark: ``full`` and ``causal`` attention, ``gqa`` (causal) and
    ``decode``. ``n`` is the sequence length, or for ``decode`` the number of cached positions, where the
    time is per generated token.
    """
    lines = [f"{'case':<8}{'n':>6}  {'method':<9}{'time (ms)':>11}{'x sdpa':>9}{'peak (MiB)':>12}"]
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        lines.append(
            f"{_label(row):<8}{row['n']:>6}  {row['method']:<9}{row['time_s'] * 1e3:>11.3f}{ratio:>9}"
            f"{row['peak_bytes'] / 2**20:>12.2f}"
        )
    return "\n".join(lines)


def _label(row: Mapping[str, Any]) -> str:
    benchmark = row.get("benchmark", "attention")
    if benchmark == "attention":
        return "causal" if row.get("causal") else "full"
    return str(benchmark)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m attention_book.bench", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sizes", type=int, nargs="+", help="sequence lengths (attention, gqa)")
    parser.add_argument("--decode-lengths", type=int, nargs="+", help="cached positions (decode)")
    parser.add_argument("--large", action="store_true", help="the large sizes: n up to 8192, caches to 16384")
    parser.add_argument(
        "--only", choices=("attention", "gqa", "decode"), nargs="+", help="run only these benchmarks"
    )
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per method (median is reported)")
    parser.add_argument("--tokens", type=int, default=16, help="timed decoding steps per call (decode)")
    parser.add_argument("--block-size", type=int, default=256, help="tile size of tiled_attention")
    parser.add_argument("--heads", type=int, default=8)
    parser.add_argument("--kv-heads", type=int, default=2, help="key/value heads (gqa, decode)")
    parser.add_argument("--head-dim", type=int, default=64)
    parser.add_argument("--explicit-max", type=int, default=4096, help="largest n for the explicit path")
    parser.add_argument("--json", metavar="PATH", help="also write the rows as JSON to PATH")
    args = parser.parse_args(argv)
    sizes = args.sizes or (LARGE_SIZES if args.large else DEFAULT_SIZES)
    lengths = args.decode_lengths or (LARGE_DECODE_LENGTHS if args.large else DEFAULT_DECODE_LENGTHS)
    only = set(args.only or ("attention", "gqa", "decode"))
    common = {"repeats": args.repeats, "heads": args.heads}
    rows: list[dict[str, Any]] = []
    if "attention" in only:
        for causal in (False, True):
            rows += run_benchmark(
                sizes,
                block_size=args.block_size,
                head_dim=args.head_dim,
                explicit_max=args.explicit_max,
                causal=causal,
                **common,
            )
    if "gqa" in only:
        rows += run_gqa_benchmark(
            sizes, kv_heads=args.kv_heads, head_dim=args.head_dim, explicit_max=args.explicit_max, **common
        )
    if "decode" in only:
        rows += run_decode_benchmark(
            lengths, tokens=args.tokens, d_model=args.heads * args.head_dim, kv_heads=args.kv_heads, **common
        )
    print(
        f"B=1, H={args.heads}, Hkv={args.kv_heads} (gqa, decode), D={args.head_dim}, float32, "
        f"{torch.get_num_threads()} threads; decode: n = cached positions, time per generated token"
    )
    print(format_table(rows))
    if args.json:
        with open(args.json, "w") as file:
            json.dump(rows, file, indent=2)


if __name__ == "__main__":
    main()
