r"""Counting the reads and writes of GPU memory that attention makes: the IO model of FlashAttention.

A GPU has a large, slow **high-bandwidth memory** (HBM, tens of GB at 1.5 to 5 TB/s) and, in each streaming
multiprocessor, a small, fast on-chip **SRAM** (about 100 to 230 KB). An operation whose data does not fit
in SRAM streams it from HBM, and for attention that traffic, not the arithmetic, sets the running time.
Dao, Fu, Ermon, Rudra & Ré (2022), "FlashAttention: Fast and Memory-Efficient Exact Attention with
IO-Awareness", arXiv:2205.14135, count the HBM accesses of one attention head (``n`` queries and keys of
width ``d``) in two ways:

* the **standard** algorithm writes the ``n x n`` scores ``S`` to HBM, reads them back for the softmax,
  writes the weights ``P``, and reads them again for ``P V``: :math:`4n^2 + 4nd` elements,
  :math:`\Theta(n^2)`;
* the **tiled** algorithm (:func:`attention_book.efficient.tiled_attention`) keeps a tile of scores in SRAM
  and never writes it: it reads ``Q`` and writes ``O`` once and reads ``K`` and ``V`` once per block of
  queries, :math:`2nd + 2nd \lceil n / B \rceil` elements. With a block ``B`` proportional to ``M / d``
  for an SRAM of ``M`` elements this is :math:`\Theta(n^2 d^2 / M)` (the paper's Theorem 2).

The functions count *elements*; multiply by the bytes of one element (2 in float16 or bfloat16) for bytes.
They count what the algorithm must move at least: real unfused code makes more passes (a mask, a dropout,
a softmax that reads its input twice), and real kernels also hit the L2 cache, which this model ignores.

Examples:
    >>> standard_attention_hbm(1024, 64)  # one head, n = 1024, d = 64
    4456448
    >>> tiled_attention_hbm(1024, 64, block_size=128)
    1180672
"""

from __future__ import annotations

from ._checks import check_positive_int

__all__ = [
    "attention_flops",
    "block_size_for_sram",
    "sram_elements_used",
    "standard_attention_hbm",
    "tiled_attention_hbm",
]


def _check_sizes(n: object, d: object) -> tuple[int, int]:
    return check_positive_int("n", n), check_positive_int("d", d)


def standard_attention_hbm(n: int, d: int) -> int:
    r"""HBM elements read and written by standard attention over one head (Algorithm 0 of Dao et al.).

    .. math::

        \underbrace{2nd}_{\text{read } Q, K} + \underbrace{n^2}_{\text{write } S}
        + \underbrace{n^2}_{\text{read } S} + \underbrace{n^2}_{\text{write } P}
        + \underbrace{n^2 + nd}_{\text{read } P, V} + \underbrace{nd}_{\text{write } O}
        = 4n^2 + 4nd

    Args:
        n: the sequence length (queries = keys = ``n``).
        d: the width of a head.

    Returns:
        The number of elements moved between HBM and the chip.
    """
    n, d = _check_sizes(n, d)
    return 4 * n * n + 4 * n * d


def tiled_attention_hbm(n: int, d: int, *, block_size: int, causal: bool = False) -> int:
    r"""HBM elements read and written by the tiled forward pass over one head, in ``tiled_attention``'s order.

    The outer loop runs over blocks of ``block_size`` queries, as in
    :func:`attention_book.efficient.tiled_attention` and FlashAttention-2. Each query block ``Q_i`` is read
    once; for each key block it visits, ``K_j`` and ``V_j`` are read; then ``O_i`` is written once, with
    its ``log-sum-exp`` (one number per query, kept for the backward pass). The scores, the weights and the
    running statistics stay on the chip. Without a mask every query block visits all key blocks:

    .. math::

        \underbrace{nd}_{\text{read } Q} + \underbrace{2nd \lceil n/B \rceil}_{\text{read } K, V}
        + \underbrace{nd + n}_{\text{write } O, \text{LSE}}

    With ``causal=True`` query block ``i`` stops at key block ``i`` (the blocks above the diagonal are
    skipped), so ``K`` and ``V`` are read about half as often. Blocks at the end may be shorter than
    ``block_size``; they are counted at their true size.

    Args:
        n: the sequence length (queries = keys = ``n``).
        d: the width of a head.
        block_size: queries and keys per tile, ``B``.
        causal: skip the tiles above the diagonal.

    Returns:
        The number of elements moved between HBM and the chip.
    """
    n, d = _check_sizes(n, d)
    block_size = check_positive_int("block_size", block_size)
    total = n * d + n * d + n  # read Q once; write O and the log-sum-exp once
    for q_start in range(0, n, block_size):
        rows = min(block_size, n - q_start)
        keys_seen = min(n, q_start + rows) if causal else n  # the key blocks this query block visits
        total += 2 * keys_seen * d  # read K_j and V_j for each visited tile
    return total


def sram_elements_used(block_size: int, d: int) -> int:
    r"""Elements the tiled loop holds on the chip at once for one query block and one key block.

    ``Q_i`` and the running output ``O_i`` (``B x d`` each), ``K_j`` and ``V_j`` (``B x d`` each), the tile of
    scores (``B x B``), and the running maximum and denominator (``B`` each):
    :math:`4Bd + B^2 + 2B`.
    """
    block_size = check_positive_int("block_size", block_size)
    d = check_positive_int("d", d)
    return 4 * block_size * d + block_size * block_size + 2 * block_size


def block_size_for_sram(d: int, sram_bytes: int, *, bytes_per_element: int = 2) -> int:
    """The largest power of two ``B`` whose tile fits in ``sram_bytes`` (see :func:`sram_elements_used`).

    Real kernels choose their tiles with more care (registers, float32 accumulators, double buffering), but
    land on the same sizes: 64 or 128 rows for heads of width 64 to 128.

    Raises:
        ValueError: if not even ``B = 1`` fits.
    """
    d = check_positive_int("d", d)
    sram_bytes = check_positive_int("sram_bytes", sram_bytes)
    bytes_per_element = check_positive_int("bytes_per_element", bytes_per_element)
    if sram_elements_used(1, d) * bytes_per_element > sram_bytes:
        raise ValueError(
            f"sram_bytes: expected room for at least a 1-row tile "
            f"({sram_elements_used(1, d) * bytes_per_element} bytes for d={d}), got {sram_bytes}"
        )
    block = 1
    while sram_elements_used(2 * block, d) * bytes_per_element <= sram_bytes:
        block *= 2
    return block


def attention_flops(n: int, d: int, *, causal: bool = False) -> int:
    r"""Floating-point operations of the two matrix products of attention over one head: :math:`4n^2d`.

    ``Q K^T`` and ``P V`` each take :math:`n^2 d` multiply-adds, two operations each. With ``causal=True``
    only the :math:`n(n+1)/2` kept scores count. The softmax's :math:`O(n^2)` operations are left out.
    """
    n, d = _check_sizes(n, d)
    pairs = n * (n + 1) // 2 if causal else n * n
    return 4 * pairs * d
