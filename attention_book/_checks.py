"""Input checks shared by the modules of `attention_book`.

Every public function checks its arguments with these helpers, so that bad input fails early with a
``ValueError`` that names the argument, what was expected, and what was given, e.g.::

    mask: expected a shape that broadcasts to (2, 4, 5, 7), got (3, 5)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import torch
from torch import Tensor


def fmt_shape(shape: Sequence[int]) -> str:
    """Format a shape as ``(2, 4, 5)``, the way the error messages print shapes."""
    return "(" + ", ".join(str(int(n)) for n in shape) + ")"


def check_tensor(name: str, x: object) -> Tensor:
    """Return ``x`` if it is a tensor, else raise ``ValueError`` naming the argument."""
    if not isinstance(x, Tensor):
        raise ValueError(f"{name}: expected a torch.Tensor, got {type(x).__name__}")
    return x


def check_ndim(name: str, x: Tensor, ndims: Sequence[int], meaning: str) -> None:
    """Raise ``ValueError`` unless ``x.dim()`` is one of ``ndims``; ``meaning`` describes the layout."""
    if x.dim() not in ndims:
        raise ValueError(f"{name}: expected a tensor of shape {meaning}, got {fmt_shape(x.shape)}")


def check_broadcasts(name: str, x: Tensor, target: Sequence[int]) -> None:
    """Raise ``ValueError`` unless ``x`` broadcasts to exactly ``target`` (without growing it)."""
    target = tuple(int(n) for n in target)
    if broadcast_shapes(x.shape, target) != target:
        raise ValueError(
            f"{name}: expected a shape that broadcasts to {fmt_shape(target)}, got {fmt_shape(x.shape)}"
        )


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...] | None:
    """The shape that ``shapes`` broadcast to, by NumPy's rule, or ``None`` if they don't broadcast.

    Aligned from the right, each dimension's sizes must be equal or 1. Plain Python: on a few short shapes
    it takes a microsecond, where ``torch.broadcast_shapes`` takes about 15 (and imports SymPy the first
    time), which is most of a small attention call's overhead.
    """
    first = tuple(shapes[0]) if shapes else ()
    if all(tuple(shape) == first for shape in shapes):  # the common case: nothing to broadcast
        return first
    result: list[int] = []
    for sizes in itertools.zip_longest(*(reversed(tuple(shape)) for shape in shapes), fillvalue=1):
        grown = {int(size) for size in sizes} - {1}
        if len(grown) > 1:
            return None
        result.append(grown.pop() if grown else 1)
    return tuple(reversed(result))


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` if it is an int >= 1, else raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name}: expected a positive integer, got {value!r}")
    return value


def as_keep_mask(name: str, mask: object) -> Tensor:
    """Turn a keep-mask into a bool tensor: ``True`` (or nonzero, for float/int masks) = may attend."""
    mask = check_tensor(name, mask)
    if mask.dtype == torch.bool:
        return mask
    if mask.is_complex():
        raise ValueError(f"{name}: expected a bool or real-valued keep-mask, got dtype {mask.dtype}")
    return mask != 0


def check_keep_mask(name: str, mask: object, target: Sequence[int]) -> Tensor:
    """A keep-mask as a bool tensor, checked to broadcast to ``target``, e.g. ``(B, H, L, S)``.

    The one check a mask gets: public functions call it at the door, and the internal functions they call
    take the bool tensor it returns as it is.
    """
    keep = as_keep_mask(name, mask)
    check_broadcasts(name, keep, target)
    return keep


def check_qkv(
    query: object, key: object, value: object, *, broadcast_batch: bool = True, enable_gqa: bool = False
) -> tuple[Tensor, Tensor, Tensor]:
    """Check query ``(..., L, E)``, key ``(..., S, E)`` and value ``(..., S, Ev)`` of one dtype.

    The leading (batch) dimensions must broadcast against each other, or, with
    ``broadcast_batch=False``, be equal. With ``enable_gqa=True`` the inputs are ``(..., H, L, E)``,
    ``(..., Hkv, S, E)`` and ``(..., Hkv, S, Ev)``, where ``Hkv`` divides ``H`` (grouped-query attention),
    and the dimensions before the heads must broadcast.
    """
    q, k, v = check_tensor("query", query), check_tensor("key", key), check_tensor("value", value)
    min_dim, layout = (3, "(..., heads, length, dim)") if enable_gqa else (2, "(..., length, dim)")
    for name, x in (("query", q), ("key", k), ("value", v)):
        if x.dim() < min_dim:
            raise ValueError(f"{name}: expected a tensor of shape {layout}, got {fmt_shape(x.shape)}")
    if k.shape[-1] != q.shape[-1]:
        raise ValueError(
            f"key: expected last dimension {q.shape[-1]} (the query's), got shape {fmt_shape(k.shape)}"
        )
    if v.shape[-2] != k.shape[-2]:
        raise ValueError(
            f"value: expected length {k.shape[-2]} (the key's, dimension -2), got shape {fmt_shape(v.shape)}"
        )
    batch_dims = -2
    if enable_gqa:
        _check_gqa_heads(q, k, v)
        batch_dims = -3
    if broadcast_batch:
        if broadcast_shapes(q.shape[:batch_dims], k.shape[:batch_dims], v.shape[:batch_dims]) is None:
            raise ValueError(
                f"key: expected batch dimensions that broadcast with the query's "
                f"{fmt_shape(q.shape[:batch_dims])}, "
                f"got key {fmt_shape(k.shape)} and value {fmt_shape(v.shape)}"
            )
    elif k.shape[:batch_dims] != q.shape[:batch_dims] or v.shape[:batch_dims] != q.shape[:batch_dims]:
        raise ValueError(
            f"key: expected the query's batch dimensions {fmt_shape(q.shape[:batch_dims])}, "
            f"got key {fmt_shape(k.shape)} and value {fmt_shape(v.shape)}"
        )
    if not (q.dtype == k.dtype == v.dtype):
        raise ValueError(
            f"key: expected query, key and value of one dtype, got {q.dtype}, {k.dtype}, {v.dtype}"
        )
    return q, k, v


def _check_gqa_heads(q: Tensor, k: Tensor, v: Tensor) -> None:
    """Grouped-query heads: ``Hkv`` (dimension -3 of key and value) must divide ``H`` (the query's)."""
    heads, kv_heads = q.shape[-3], k.shape[-3]
    if kv_heads == 0 or heads % kv_heads != 0:
        raise ValueError(
            f"key: expected a number of heads (dimension -3) that divides the query's {heads}, "
            f"got shape {fmt_shape(k.shape)}"
        )
    if v.shape[-3] != kv_heads:
        raise ValueError(
            f"value: expected {kv_heads} heads (the key's, dimension -3), got shape {fmt_shape(v.shape)}"
        )
