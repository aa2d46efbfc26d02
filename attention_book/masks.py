"""Attention masks: causal, padding, sliding-window, and their combination.

A mask in this library is a *keep-mask*: ``True`` means "this query may attend to this key", exactly like
the boolean ``attn_mask`` of ``torch.nn.functional.scaled_dot_product_attention`` and like
``torch.tril(torch.ones(n, n))``. Masked positions become ``-inf`` logits, so they get zero weight.
(``nn.MultiheadAttention`` uses the opposite meaning for its boolean masks: there ``True`` = masked.)

* The causal mask is the one of the Transformer decoder (Vaswani et al., 2017, "Attention Is All You
  Need", arXiv:1706.03762): position ``i`` may not look at later positions.
* The padding mask hides the padding tokens of shorter sequences in a batch.
* The sliding-window mask lets each position see only its ``window`` nearest keys (Beltagy et al., 2020,
  "Longformer: The Long-Document Transformer", arXiv:2004.05150).

Every function returns a bool tensor; combine them with :func:`combine_masks` (a logical AND).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ._checks import as_keep_mask, check_ndim, check_positive_int, check_tensor, fmt_shape

__all__ = ["causal_mask", "combine_masks", "padding_mask", "padding_mask_from_ids", "sliding_window_mask"]


def causal_mask(
    L: int, S: int | None = None, *, offset: int = 0, device: torch.device | str | None = None
) -> Tensor:
    """Causal keep-mask: query ``i`` may attend to key ``j`` when ``j <= i + offset``.

    ``offset = 0`` (the default) aligns the mask top-left, exactly as PyTorch's ``is_causal`` and
    ``torch.ones(L, S).tril()``. With a KV cache the ``L`` new queries are the *last* ``L`` of ``S``
    positions; pass ``offset = S - L`` (bottom-right alignment) so a single new query sees every cached key::

        causal_mask(3)                 causal_mask(2, 4, offset=2)
        [[1, 0, 0],                    [[1, 1, 1, 0],
         [1, 1, 0],                     [1, 1, 1, 1]]
         [1, 1, 1]]

    Args:
        L: number of queries.
        S: number of keys (default ``L``).
        offset: how many extra keys each query may see beyond the diagonal.
        device: where to create the mask.

    Returns:
        bool tensor ``(L, S)``.

    Examples:
        >>> causal_mask(3).int()
        tensor([[1, 0, 0],
                [1, 1, 0],
                [1, 1, 1]], dtype=torch.int32)
        >>> causal_mask(1, 4, offset=3)  # one new query after three cached keys sees all four
        tensor([[True, True, True, True]])
    """
    L = check_positive_int("L", L)
    S = L if S is None else check_positive_int("S", S)
    return torch.ones(L, S, dtype=torch.bool, device=device).tril(diagonal=offset)


def padding_mask(lengths: Tensor, max_len: int) -> Tensor:
    """Padding keep-mask: key ``j`` of sequence ``b`` is kept when ``j < lengths[b]``.

    The shape ``(B, 1, S)`` broadcasts against scores ``(B, L, S)`` (the ``1`` stands for every query).
    ``MultiHeadAttention`` reads a 3-D mask as ``(B, L, S)`` shared by all heads, so the same mask works
    there; for a direct call of ``scaled_dot_product_attention`` on ``(B, H, L, S)`` scores, use
    ``padding_mask(...)[:, None]`` = ``(B, 1, 1, S)``.

    Args:
        lengths: int tensor ``(B,)``, the true length of each sequence.
        max_len: ``S``, the padded length.

    Returns:
        bool tensor ``(B, 1, S)``.
    """
    lengths = check_tensor("lengths", lengths)
    check_ndim("lengths", lengths, (1,), "(B,)")
    max_len = check_positive_int("max_len", max_len)
    if lengths.is_floating_point() or lengths.is_complex() or lengths.dtype == torch.bool:
        raise ValueError(f"lengths: expected an integer tensor, got dtype {lengths.dtype}")
    if lengths.numel() > 0 and (int(lengths.min()) < 0 or int(lengths.max()) > max_len):
        raise ValueError(f"lengths: expected values in [0, {max_len}] (max_len), got {lengths.tolist()}")
    positions = torch.arange(max_len, device=lengths.device)  # (S,)
    return (positions[None, :] < lengths[:, None]).unsqueeze(1)  # (B, 1, S)


def padding_mask_from_ids(ids: Tensor, pad_id: int) -> Tensor:
    """Padding keep-mask from token ids: keep every key whose id is not ``pad_id``.

    Args:
        ids: int tensor ``(B, S)``.
        pad_id: the id of the padding token.

    Returns:
        bool tensor ``(B, 1, S)``, shaped like :func:`padding_mask`.

    Examples:
        >>> padding_mask_from_ids(torch.tensor([[5, 7, 0, 0]]), pad_id=0)  # (B, 1, S)
        tensor([[[ True,  True, False, False]]])
    """
    ids = check_tensor("ids", ids)
    check_ndim("ids", ids, (2,), "(B, S)")
    return (ids != pad_id).unsqueeze(1)  # (B, 1, S)


def sliding_window_mask(
    L: int, window: int, causal: bool = True, *, device: torch.device | str | None = None
) -> Tensor:
    """Sliding-window (local) keep-mask over a sequence of length ``L``.

    * ``causal=True``: query ``i`` sees the ``window`` keys ``i - window < j <= i`` (itself included),
      the window of Mistral and of Longformer's causal variant.
    * ``causal=False``: query ``i`` sees the keys with ``|i - j| < window``, that is ``window - 1``
      neighbours on each side plus itself.

    Example, ``L = 5, window = 2, causal=True``::

        [[1, 0, 0, 0, 0],
         [1, 1, 0, 0, 0],
         [0, 1, 1, 0, 0],
         [0, 0, 1, 1, 0],
         [0, 0, 0, 1, 1]]

    Returns:
        bool tensor ``(L, L)``.
    """
    L = check_positive_int("L", L)
    window = check_positive_int("window", window)
    i = torch.arange(L, device=device)[:, None]  # (L, 1) query positions
    j = torch.arange(L, device=device)[None, :]  # (1, L) key positions
    distance = i - j  # (L, L), positive when the key is in the past
    if causal:
        return (distance >= 0) & (distance < window)
    return distance.abs() < window


def combine_masks(*masks: Tensor | None) -> Tensor | None:
    """Logical AND of keep-masks, with broadcasting: a key is kept only if every mask keeps it.

    ``None`` entries are ignored; if every entry is ``None`` the result is ``None`` (no mask). Float and
    int masks are read as keep-masks (nonzero = keep).

    Example: ``combine_masks(causal_mask(L), padding_mask(lengths, L))`` has shape ``(B, L, L)``.
    """
    result: Tensor | None = None
    for index, mask in enumerate(masks):
        if mask is None:
            continue
        keep = as_keep_mask(f"masks[{index}]", mask)
        if result is None:
            result = keep
            continue
        try:
            result = result & keep
        except RuntimeError:
            raise ValueError(
                f"masks[{index}]: expected a shape that broadcasts with {fmt_shape(result.shape)}, "
                f"got {fmt_shape(keep.shape)}"
            ) from None
    return result
