"""Reversing (or copying) a sequence with one cross-attention layer: the alignment you can see.

The source is a sequence of ``length`` random tokens. Each output position ``t`` asks a query built only from
its own position embedding; the keys and values are built from the source tokens *plus* their positions.
To reverse, target ``t`` must read source ``length - 1 - t``; to copy, source ``t``. The model has to find
that alignment through the attention weights, and after training they form the anti-diagonal (reverse) or
the diagonal (copy): the same picture as the alignment figures of Bahdanau, Cho & Bengio (2014), "Neural
Machine Translation by Jointly Learning to Align and Translate", arXiv:1409.0473.

Attention is :func:`attention_book.scaled_dot_product_attention` (Vaswani et al., 2017, arXiv:1706.03762).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

from ..core import scaled_dot_product_attention
from ._training import History, fit, held_out_generator

__all__ = [
    "Mode",
    "ReverseModel",
    "alignment_accuracy",
    "evaluate",
    "make_batch",
    "target_of",
    "train_reverse",
]

Mode = Literal["reverse", "copy"]
VOCAB = 10
LENGTH = 8


def target_of(source: Tensor, mode: Mode) -> Tensor:
    """The sequence the model must output: ``source`` reversed, or copied."""
    if mode == "reverse":
        return source.flip(-1)
    if mode == "copy":
        return source.clone()
    raise ValueError(f"mode: expected 'reverse' or 'copy', got {mode!r}")


def make_batch(
    generator: torch.Generator, mode: Mode = "reverse", batch_size: int = 128, length: int = LENGTH
) -> tuple[Tensor, Tensor]:
    """Random source tokens ``(B, length)`` and the target ``(B, length)``."""
    source = torch.randint(0, VOCAB, (batch_size, length), generator=generator)
    return source, target_of(source, mode)


class ReverseModel(nn.Module):
    """Target position queries attend over the embedded source; a linear layer reads out the token."""

    def __init__(self, d_model: int = 32, length: int = LENGTH, vocab: int = VOCAB) -> None:
        super().__init__()
        self.length = length
        self.token = nn.Embedding(vocab, d_model)
        self.source_position = nn.Embedding(length, d_model)
        self.target_position = nn.Embedding(length, d_model)
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.readout = nn.Linear(d_model, vocab)
        self.last_weights: Tensor | None = None  # (B, L, S) from the latest forward pass

    def forward(self, source: Tensor) -> Tensor:
        """``source (B, S)`` token ids -> logits ``(B, L, vocab)``, with ``L = S = length``."""
        logits, _ = self.forward_with_weights(source)
        return logits

    def forward_with_weights(self, source: Tensor) -> tuple[Tensor, Tensor]:
        """Logits ``(B, L, vocab)`` and the attention weights ``(B, L, S)``."""
        if source.dim() != 2 or source.shape[-1] != self.length:
            raise ValueError(f"source: expected shape (batch, {self.length}), got {tuple(source.shape)}")
        positions = torch.arange(self.length, device=source.device)
        memory = self.token(source) + self.source_position(positions)  # (B, S, d)
        queries = self.target_position(positions).expand(source.shape[0], -1, -1)  # (B, L, d)
        attended, weights = scaled_dot_product_attention(
            self.q_proj(queries), self.k_proj(memory), self.v_proj(memory)
        )  # (B, L, d), (B, L, S)
        assert weights is not None
        self.last_weights = weights.detach()
        return self.readout(attended), weights  # (B, L, vocab)


def _loss(logits: Tensor, target: Tensor) -> Tensor:
    return nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten())


def train_reverse(
    seed: int = 0, steps: int = 300, lr: float = 1e-2, mode: Mode = "reverse"
) -> tuple[ReverseModel, History]:
    """Train a :class:`ReverseModel` to reverse (or copy) sequences; deterministic for a given ``seed``."""
    target_of(torch.zeros(1, dtype=torch.long), mode)  # checks mode
    torch.manual_seed(seed)
    model = ReverseModel()
    history = fit(model, lambda g: make_batch(g, mode), _loss, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def evaluate(model: ReverseModel, mode: Mode = "reverse", num_sequences: int = 1000, seed: int = 0) -> float:
    """Fraction of held-out output tokens that are right."""
    source, target = make_batch(held_out_generator(seed), mode, num_sequences, model.length)
    return (model(source).argmax(-1) == target).float().mean().item()


@torch.no_grad()
def alignment_accuracy(
    model: ReverseModel, mode: Mode = "reverse", num_sequences: int = 200, seed: int = 0
) -> float:
    """Fraction of (sequence, target position) pairs whose strongest weight is on the right source position.

    Right means the anti-diagonal ``length - 1 - t`` for ``"reverse"`` and the diagonal ``t`` for ``"copy"``.
    """
    source, _ = make_batch(held_out_generator(seed), mode, num_sequences, model.length)
    _, weights = model.forward_with_weights(source)  # (B, L, S)
    expected = target_of(torch.arange(model.length), mode)  # the source position each target reads
    return (weights.argmax(-1) == expected).float().mean().item()
