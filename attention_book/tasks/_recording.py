"""Read the attention weights of a trained model's layers without changing how the model calls them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from torch import Tensor, nn

from ..multihead import MultiHeadAttention

__all__ = ["recording_attention"]


@contextmanager
def recording_attention(layers: Iterable[object]) -> Iterator[list[Tensor]]:
    """Inside the block, every call of one of ``layers`` returns and records its weights.

    Each ``layer`` is a :class:`attention_book.MultiHeadAttention`; a forward pre-hook asks it for its
    weights (``need_weights=True``) and a forward hook appends them, ``(B, H, L, S)``, to the list the
    block yields, in call order. The hooks are removed on leaving the block.
    """
    recorded: list[Tensor] = []

    def ask_for_weights(_module: nn.Module, args: Any, kwargs: dict[str, Any]) -> Any:
        return args, {**kwargs, "need_weights": True}

    def keep(_module: nn.Module, _args: Any, output: Any) -> None:
        recorded.append(output[1].detach())  # (B, H, L, S)

    handles = []
    for attention in layers:
        assert isinstance(attention, MultiHeadAttention)
        handles.append(attention.register_forward_pre_hook(ask_for_weights, with_kwargs=True))
        handles.append(attention.register_forward_hook(keep))
    try:
        yield recorded
    finally:
        for handle in handles:
            handle.remove()
