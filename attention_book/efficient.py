"""Efficient attention: the same softmax attention, computed without the full L x S matrix.

Four ways to make attention cheaper than the explicit ``softmax(Q K^T / sqrt(E)) V``:

* :func:`tiled_attention` computes *exactly* the same output block by block, with the online softmax of
  Milakov & Gimelshein (2018, "Online normalizer calculation for softmax", arXiv:1805.02867) as used by
  FlashAttention: Dao, Fu, Ermon, Rudra & Ré (2022), "FlashAttention: Fast and Memory-Efficient Exact
  Attention with IO-Awareness", arXiv:2205.14135. Only ``(Bq, Bk)`` tiles of scores ever exist.
* :func:`linear_attention` replaces ``exp(q . k)`` with a kernel ``phi(q) . phi(k)`` so that the sum over keys
  can be done first: Katharopoulos, Vyas, Pappas & Fleuret (2020), "Transformers are RNNs: Fast Autoregressive
  Transformers with Linear Attention", arXiv:2006.16236. Cost O(n) instead of O(n^2); a different model.
* :func:`local_attention` lets each position see only its neighbours (a sliding window), so the cost is
  O(n * window). Used by Longformer and, causally, by Mistral.
* :func:`block_sparse_attention` combines local windows of blocks with a few *global* tokens that see and are
  seen by every position: Beltagy, Peters & Cohan (2020), "Longformer: The Long-Document Transformer",
  arXiv:2004.05150, and Zaheer et al. (2020), "Big Bird: Transformers for Longer Sequences", arXiv:2007.14062.
  :func:`block_sparse_mask` builds the equivalent dense keep-mask, for figures and tests.

Shapes are batch-first: queries ``(..., L, E)``, keys ``(..., S, E)``, values ``(..., S, Ev)``. Any leading
dimensions (batch, heads) are carried through unchanged.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from ._checks import check_positive_int, check_qkv, fmt_shape

__all__ = [
    "block_sparse_attention",
    "block_sparse_mask",
    "elu_feature_map",
    "linear_attention",
    "local_attention",
    "tiled_attention",
]

NEG_INF = float("-inf")


# --------------------------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------------------------


def _check_self_attention(query: Tensor, key: Tensor, what: str) -> None:
    if query.shape[-2] != key.shape[-2]:
        raise ValueError(
            f"key: {what} compares positions, so expected as many keys as queries ({query.shape[-2]}), "
            f"got shape {fmt_shape(key.shape)}"
        )


def _softmax_or_zero(scores: Tensor) -> Tensor:
    """Softmax over the last dimension; a row that is all ``-inf`` gives all zeros instead of NaN."""
    row_max = scores.amax(dim=-1, keepdim=True)
    row_max = torch.where(row_max == NEG_INF, torch.zeros_like(row_max), row_max)
    p = torch.exp(scores - row_max)
    total = p.sum(dim=-1, keepdim=True)
    return p / torch.where(total == 0, torch.ones_like(total), total)


# --------------------------------------------------------------------------------------------------------
# Tiled attention with the online softmax (FlashAttention's forward pass)
# --------------------------------------------------------------------------------------------------------


def tiled_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    *,
    block_size: int,
    is_causal: bool = False,
    scale: float | None = None,
) -> Tensor:
    r"""Exact softmax attention computed tile by tile, never holding the ``L x S`` score matrix.

    The output equals ``softmax(Q K^T * scale) V`` (``scale`` defaults to ``1/sqrt(E)``). For each block of
    ``block_size`` queries we walk over blocks of keys and keep, per query row, a running maximum ``m``, a
    running denominator ``l`` and a running (unnormalised) output ``acc``. When a new tile of scores ``s``
    arrives:

    .. math::

        m' = \max(m, \max_j s_j), \quad
        l' = e^{m - m'} l + \sum_j e^{s_j - m'}, \quad
        acc' = e^{m - m'} acc + \sum_j e^{s_j - m'} v_j

    and at the end ``output = acc / l``. Rescaling by ``e^{m - m'}`` corrects everything summed so far for
    the new maximum, so the result is exact (not an approximation) and numerically stable.

    Memory: besides the inputs and the output, only a ``(..., Bq, Bk)`` tile of scores and ``(..., Bq, Ev)``
    accumulators exist at a time, so the extra memory grows with ``block_size`` (squared), not with ``L x S``.

    Args:
        query: ``(..., L, E)``.
        key: ``(..., S, E)``.
        value: ``(..., S, Ev)``.
        block_size: rows of queries and of keys per tile; need not divide ``L`` or ``S``.
        is_causal: query ``i`` sees keys ``j <= i`` (top-left aligned, as ``F.scaled_dot_product_attention``).
            Key blocks entirely above the diagonal are skipped without being computed.
        scale: multiplies the scores; default ``1/sqrt(E)``.

    Returns:
        ``(..., L, Ev)``, equal to dense attention. A query row that sees no key gets zeros.
    """
    query, key, value = check_qkv(query, key, value, broadcast_batch=False)
    block_size = check_positive_int("block_size", block_size)
    seq_q = query.size(-2)
    scale = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale

    out = query.new_empty(*query.shape[:-1], value.size(-1))  # (..., L, Ev)
    for q_start in range(0, seq_q, block_size):
        q_end = min(q_start + block_size, seq_q)
        q_block = query[..., q_start:q_end, :] * scale  # (..., Bq, E)
        out[..., q_start:q_end, :] = _attend_one_query_block(
            q_block, key, value, q_start, block_size, is_causal
        )
    return out


def _attend_one_query_block(
    q_block: Tensor, key: Tensor, value: Tensor, q_start: int, block_size: int, is_causal: bool
) -> Tensor:
    """Online-softmax attention of one block of (already scaled) queries over all key blocks."""
    rows = q_block.size(-2)
    seq_k = key.size(-2)
    stats_shape = (*q_block.shape[:-1], 1)
    m = q_block.new_full(stats_shape, NEG_INF)  # running max        (..., Bq, 1)
    l = q_block.new_zeros(stats_shape)  # running denominator        (..., Bq, 1)  # noqa: E741
    acc = q_block.new_zeros(*q_block.shape[:-1], value.size(-1))  # running output (..., Bq, Ev)

    # Causal: the last query of this block is q_start + rows - 1, so later keys are never seen.
    last_key = min(seq_k, q_start + rows) if is_causal else seq_k
    for k_start in range(0, last_key, block_size):
        k_end = min(k_start + block_size, seq_k)
        s = q_block @ key[..., k_start:k_end, :].transpose(-2, -1)  # (..., Bq, Bk)
        if is_causal and k_end - 1 > q_start:  # this tile crosses the diagonal
            s = s.masked_fill(~_causal_tile(q_start, rows, k_start, k_end, s.device), NEG_INF)

        m_new = torch.maximum(m, s.amax(dim=-1, keepdim=True))  # (..., Bq, 1)
        # A row with every score so far -inf keeps m_new = -inf; shift it by 0 so exp() gives 0, not NaN.
        shift = torch.where(m_new == NEG_INF, torch.zeros_like(m_new), m_new)
        p = torch.exp(s - shift)  # (..., Bq, Bk)
        correction = torch.exp(m - shift)  # rescales what was summed under the old max
        l = correction * l + p.sum(dim=-1, keepdim=True)  # noqa: E741
        acc = correction * acc + p @ value[..., k_start:k_end, :]  # (..., Bq, Ev)
        m = m_new

    return acc / torch.where(l == 0, torch.ones_like(l), l)  # (..., Bq, Ev)


def _causal_tile(q_start: int, rows: int, k_start: int, k_end: int, device: torch.device) -> Tensor:
    """Keep-mask ``(rows, k_end - k_start)`` of one tile: query position >= key position."""
    q_pos = torch.arange(q_start, q_start + rows, device=device)
    k_pos = torch.arange(k_start, k_end, device=device)
    return q_pos[:, None] >= k_pos[None, :]


# --------------------------------------------------------------------------------------------------------
# Linear attention (Katharopoulos et al., 2020)
# --------------------------------------------------------------------------------------------------------


def elu_feature_map(x: Tensor) -> Tensor:
    r"""The feature map of linear attention, :math:`\phi(x) = \mathrm{elu}(x) + 1`, always positive."""
    return F.elu(x) + 1.0


def linear_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    *,
    causal: bool = False,
    eps: float = 1e-6,
) -> Tensor:
    r"""Linear attention: softmax's ``exp(q . k)`` replaced by ``phi(q) . phi(k)``, computed in O(n).

    .. math::

        \mathrm{out}_i = \frac{\phi(q_i)^\top \sum_j \phi(k_j) v_j^\top}
                              {\phi(q_i)^\top \sum_j \phi(k_j) + \varepsilon}

    with ``phi(x) = elu(x) + 1``. Because the sums over ``j`` do not depend on ``i`` they are computed once:
    ``phi(K)^T V`` is ``(E, Ev)`` and ``sum_j phi(k_j)`` is ``(E,)``, so the cost is O(n E Ev), linear in n.
    It is the same as the quadratic form ``w_ij = phi(q_i).phi(k_j) / (sum_j phi(q_i).phi(k_j) + eps)``,
    ``out = w V``, without ever forming ``w``.

    With ``causal=True`` the sums run over ``j <= i`` only; they become prefix sums (``cumsum``) of
    ``phi(k_j) v_j^T`` and ``phi(k_j)``, the "RNN" view of the paper (memory O(n E Ev)).

    Args:
        query: ``(..., L, E)``.
        key: ``(..., S, E)``.
        value: ``(..., S, Ev)``.
        causal: position ``i`` sees keys ``j <= i``; needs ``L == S``.
        eps: added to the denominator.

    Returns:
        ``(..., L, Ev)``.
    """
    query, key, value = check_qkv(query, key, value, broadcast_batch=False)
    if causal:
        _check_self_attention(query, key, "causal linear_attention")
    phi_q = elu_feature_map(query)  # (..., L, E)
    phi_k = elu_feature_map(key)  # (..., S, E)

    if not causal:
        kv = phi_k.transpose(-2, -1) @ value  # sum_j phi(k_j) v_j^T      (..., E, Ev)
        k_sum = phi_k.sum(dim=-2)  # sum_j phi(k_j)                         (..., E)
        numerator = phi_q @ kv  # (..., L, Ev)
        denominator = (phi_q @ k_sum.unsqueeze(-1)) + eps  # (..., L, 1)
        return numerator / denominator

    kv_prefix = torch.cumsum(phi_k.unsqueeze(-1) * value.unsqueeze(-2), dim=-3)  # (..., L, E, Ev)
    k_prefix = torch.cumsum(phi_k, dim=-2)  # (..., L, E)
    numerator = torch.einsum("...le,...lef->...lf", phi_q, kv_prefix)  # (..., L, Ev)
    denominator = (phi_q * k_prefix).sum(dim=-1, keepdim=True) + eps  # (..., L, 1)
    return numerator / denominator


# --------------------------------------------------------------------------------------------------------
# Local (sliding-window) attention
# --------------------------------------------------------------------------------------------------------


def local_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    *,
    window: int,
    causal: bool = True,
    scale: float | None = None,
) -> Tensor:
    r"""Sliding-window attention: query ``i`` sees only the keys within ``window`` positions of it.

    Exactly the keep-mask of :func:`attention_book.masks.sliding_window_mask`:

    * ``causal=True``: ``i - window < j <= i``, the ``window`` most recent tokens, itself included (Mistral);
    * ``causal=False``: ``|i - j| < window``, ``window - 1`` tokens on each side and itself (Longformer).

    It is computed without the ``L x S`` matrix: queries are cut into blocks of ``window`` rows. Every key
    that block ``b`` may see lies in blocks ``b - 1`` and ``b`` (causal) or ``b - 1 .. b + 1``, so each block
    attends to a strip of ``2 * window`` or ``3 * window`` keys, cut out with ``Tensor.unfold``, and the exact
    window is then masked inside the strip. Cost and memory are O(L x window) instead of O(L x S).

    Args:
        query: ``(..., L, E)``.
        key: ``(..., L, E)`` (same length: positions are compared).
        value: ``(..., L, Ev)``.
        window: the number of keys a causal query sees (itself included); ``window >= 1``.
        causal: see above.
        scale: multiplies the scores; default ``1/sqrt(E)``.

    Returns:
        ``(..., L, Ev)``.
    """
    query, key, value = check_qkv(query, key, value, broadcast_batch=False)
    _check_self_attention(query, key, "local_attention")
    window = check_positive_int("window", window)
    seq = query.size(-2)
    scale = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale

    blocks_after = 0 if causal else 1
    q_blocks, k_strips, v_strips, k_pos = _strips(query, key, value, window, 1, blocks_after)
    q_pos = torch.arange(q_blocks.size(-3) * window, device=query.device).view(-1, window, 1)  # (nb, W, 1)
    offset = q_pos - k_pos  # i - j                                                     (nb, W, strip)
    in_window = (offset >= 0) & (offset < window) if causal else offset.abs() < window
    keep = in_window & (k_pos >= 0) & (k_pos < seq)  # padding keys outside [0, L) are never kept

    scores = (q_blocks * scale) @ k_strips.transpose(-2, -1)  # (..., nb, W, strip)
    weights = _softmax_or_zero(scores.masked_fill(~keep, NEG_INF))
    out = weights @ v_strips  # (..., nb, W, Ev)
    return out.flatten(-3, -2)[..., :seq, :]  # (..., L, Ev)


def _strips(
    query: Tensor, key: Tensor, value: Tensor, block: int, blocks_before: int, blocks_after: int
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Cut queries into blocks and, for each block, the strip of keys/values from neighbouring blocks.

    Returns ``q_blocks (..., nb, block, E)``, ``k_strips (..., nb, strip, E)``, ``v_strips (..., nb, strip,
    Ev)`` and the key positions of each strip ``(nb, 1, strip)``, where ``strip = block * (blocks_before + 1
    + blocks_after)``. Positions outside ``[0, S)`` are zero padding; the caller masks them.
    """
    seq = query.size(-2)
    num_blocks = -(-seq // block)  # ceil
    tail = num_blocks * block - seq
    strip = block * (blocks_before + 1 + blocks_after)
    q_blocks = F.pad(query, (0, 0, 0, tail)).unflatten(-2, (num_blocks, block))  # (..., nb, block, E)
    pad = (0, 0, block * blocks_before, tail + block * blocks_after)
    # unfold puts the window last: (..., nb, E, strip) -> transpose to (..., nb, strip, E)
    k_strips = F.pad(key, pad).unfold(-2, strip, block).transpose(-2, -1)
    v_strips = F.pad(value, pad).unfold(-2, strip, block).transpose(-2, -1)
    starts = torch.arange(num_blocks, device=query.device) * block - block * blocks_before
    k_pos = (starts[:, None] + torch.arange(strip, device=query.device)).unsqueeze(1)  # (nb, 1, strip)
    return q_blocks, k_strips, v_strips, k_pos


# --------------------------------------------------------------------------------------------------------
# Block-sparse attention: local blocks + global tokens (Longformer, BigBird)
# --------------------------------------------------------------------------------------------------------


def block_sparse_mask(
    length: int,
    *,
    block_size: int,
    num_global: int = 0,
    window_blocks: int = 1,
    device: torch.device | str | None = None,
) -> Tensor:
    """The dense ``(length, length)`` keep-mask equivalent to :func:`block_sparse_attention`.

    Positions are grouped into blocks of ``block_size``; position ``i`` is in block ``i // block_size``.
    ``mask[i, j]`` is True when

    * the blocks of ``i`` and ``j`` are at most ``window_blocks`` apart (local window of blocks), or
    * ``i < num_global`` (a global token sees everything), or
    * ``j < num_global`` (every token sees the global tokens).
    """
    length = check_positive_int("length", length)
    block_size = check_positive_int("block_size", block_size)
    num_global, window_blocks = _check_sparse_args(num_global, window_blocks, length)
    block = torch.arange(length, device=device) // block_size  # (n,)
    local = (block[:, None] - block[None, :]).abs() <= window_blocks  # (n, n)
    is_global = torch.arange(length, device=device) < num_global  # (n,)
    return local | is_global[:, None] | is_global[None, :]


def _check_sparse_args(num_global: int, window_blocks: int, length: int) -> tuple[int, int]:
    if isinstance(num_global, bool) or not isinstance(num_global, int) or not 0 <= num_global <= length:
        raise ValueError(f"num_global: expected an integer in [0, {length}], got {num_global!r}")
    if isinstance(window_blocks, bool) or not isinstance(window_blocks, int) or window_blocks < 0:
        raise ValueError(f"window_blocks: expected a non-negative integer, got {window_blocks!r}")
    return num_global, window_blocks


def block_sparse_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    *,
    block_size: int,
    num_global: int = 0,
    window_blocks: int = 1,
    scale: float | None = None,
) -> Tensor:
    """Block-sparse attention: a sliding window of blocks plus global tokens.

    Equals dense attention with the keep-mask :func:`block_sparse_mask` (``window_blocks`` blocks on each
    side, the first ``num_global`` tokens global), but computes, for each block of queries, only the scores
    against its ``2 * window_blocks + 1`` neighbouring key blocks and the ``num_global`` global keys:

    * local rows: a ``(block_size, (2w + 1) * block_size + num_global)`` tile per block, O(n) overall;
    * global rows (``i < num_global``): dense attention over all ``S`` keys, ``num_global x S``.

    The global keys are appended to each local strip; where a global key is already inside the strip, its
    strip copy is masked out so no key is counted twice. (BigBird also adds a few random blocks; they are
    left out here.)

    Args:
        query: ``(..., L, E)``.
        key: ``(..., L, E)`` (same length: positions are compared).
        value: ``(..., L, Ev)``.
        block_size: positions per block.
        num_global: the first ``num_global`` positions are global.
        window_blocks: how many blocks on each side a block sees.
        scale: multiplies the scores; default ``1/sqrt(E)``.

    Returns:
        ``(..., L, Ev)``.
    """
    query, key, value = check_qkv(query, key, value, broadcast_batch=False)
    _check_self_attention(query, key, "block_sparse_attention")
    block_size = check_positive_int("block_size", block_size)
    seq = query.size(-2)
    num_global, window_blocks = _check_sparse_args(num_global, window_blocks, seq)
    scale = 1.0 / math.sqrt(query.size(-1)) if scale is None else scale

    q_blocks, k_strips, v_strips, k_pos = _strips(query, key, value, block_size, window_blocks, window_blocks)
    num_blocks = q_blocks.size(-3)
    # Global keys are kept in the appended part, so their copies inside a strip are masked.
    keep_local = (k_pos >= num_global) & (k_pos < seq)  # (nb, 1, strip)
    keep_local = keep_local.expand(num_blocks, block_size, -1)  # (nb, bs, strip)
    keep_global = keep_local.new_ones(num_blocks, block_size, num_global)  # (nb, bs, g)
    keep = torch.cat([keep_local, keep_global], dim=-1)  # (nb, bs, strip + g)

    global_k = key[..., :num_global, :].unsqueeze(-3).expand(*k_strips.shape[:-2], num_global, -1)
    global_v = value[..., :num_global, :].unsqueeze(-3).expand(*v_strips.shape[:-2], num_global, -1)
    k_all = torch.cat([k_strips, global_k], dim=-2)  # (..., nb, strip + g, E)
    v_all = torch.cat([v_strips, global_v], dim=-2)  # (..., nb, strip + g, Ev)

    scores = (q_blocks * scale) @ k_all.transpose(-2, -1)  # (..., nb, bs, strip + g)
    weights = _softmax_or_zero(scores.masked_fill(~keep, NEG_INF))
    out = (weights @ v_all).flatten(-3, -2)[..., :seq, :]  # (..., L, Ev)

    if num_global > 0:  # global queries see every key: a small dense (g, S) attention
        g_scores = (query[..., :num_global, :] * scale) @ key.transpose(-2, -1)  # (..., g, S)
        out = torch.cat([_softmax_or_zero(g_scores) @ value, out[..., num_global:, :]], dim=-2)
    return out
