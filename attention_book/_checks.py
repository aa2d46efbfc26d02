"""Input checks shared by the modules of `attention_book`.

Every public function checks its arguments with these helpers, so that bad input fails early with a
``ValueError`` that names the argument, what was expected, and what was given, e.g.::

    mask: expected a shape that broadcasts to (2, 4, 5, 7), got (3, 5)
"""

from __future__ import annotations

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
    try:
        result = torch.broadcast_shapes(tuple(x.shape), target)
    except RuntimeError:
        result = None
    if result != target:
        raise ValueError(
            f"{name}: expected a shape that broadcasts to {fmt_shape(target)}, got {fmt_shape(x.shape)}"
        )


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
