"""Associative recall: find the value stored under a key, by attention.

A sequence holds ``num_pairs`` key-value pairs, ``k1 v1 k2 v2 ... kn vn``, followed by a query key ``q``
that is one of the ``k_i``; the answer is its ``v_i``. Keys are distinct within a sequence and are drawn
from ``0 .. num_keys - 1``; values from ``0 .. num_values - 1``. This is the task used to probe what a
sequence model can look up, e.g. in Ba et al. (2016), "Using Fast Weights to Attend to the Recent Past",
arXiv:1610.06258, and in the Zoology study of Arora et al. (2023), arXiv:2312.04927.

The model keeps each pair at one position (the embedding of its key plus the embedding of its value), so
a single attention layer can solve the task: the query key is projected to a query, every pair to a key and
a value; a matching key should win the softmax and bring its value along. It uses
:func:`attention_book.scaled_dot_product_attention` (Vaswani et al., 2017, arXiv:1706.03762).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..core import scaled_dot_product_attention
from ._training import History, fit, held_out_generator

__all__ = ["NUM_KEYS", "NUM_PAIRS", "NUM_VALUES", "RecallModel", "evaluate", "make_batch", "train_recall"]

NUM_KEYS = 16
NUM_VALUES = 16
NUM_PAIRS = 6


def make_batch(
    generator: torch.Generator, batch_size: int = 256, num_pairs: int = NUM_PAIRS
) -> tuple[Tensor, Tensor]:
    """Sequences ``(B, 2 * num_pairs + 1)`` of ``k1 v1 ... kn vn q`` and the answers ``(B,)``."""
    keys = torch.rand(batch_size, NUM_KEYS, generator=generator).argsort(-1)[:, :num_pairs]  # distinct keys
    values = torch.randint(0, NUM_VALUES, (batch_size, num_pairs), generator=generator)
    which = torch.randint(0, num_pairs, (batch_size, 1), generator=generator)
    query = keys.gather(-1, which)  # (B, 1)
    pairs = torch.stack([keys, values], dim=-1).flatten(1)  # (B, 2n): k1 v1 k2 v2 ...
    return torch.cat([pairs, query], dim=-1), values.gather(-1, which).squeeze(-1)


class RecallModel(nn.Module):
    """One attention layer from the query key over the stored pairs, then a linear readout of the value."""

    def __init__(self, d_model: int = 32) -> None:
        super().__init__()
        self.key_embedding = nn.Embedding(NUM_KEYS, d_model)
        self.value_embedding = nn.Embedding(NUM_VALUES, d_model)
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.readout = nn.Linear(d_model, NUM_VALUES)

    def forward(self, sequence: Tensor) -> Tensor:
        """``sequence (B, 2n + 1)`` -> logits over the values ``(B, NUM_VALUES)``."""
        logits, _ = self.forward_with_weights(sequence)
        return logits

    def forward_with_weights(self, sequence: Tensor) -> tuple[Tensor, Tensor]:
        """Logits ``(B, NUM_VALUES)`` and the query's attention weights over the pairs ``(B, n)``."""
        if sequence.dim() != 2 or sequence.shape[-1] % 2 != 1:
            raise ValueError(
                f"sequence: expected shape (batch, 2 * num_pairs + 1), got {tuple(sequence.shape)}"
            )
        keys, values = sequence[:, :-1:2], sequence[:, 1:-1:2]  # (B, n) each
        query = sequence[:, -1:]  # (B, 1)
        pairs = self.key_embedding(keys) + self.value_embedding(values)  # (B, n, d): one position a pair
        q = self.q_proj(self.key_embedding(query))  # (B, 1, d)
        attended, weights = scaled_dot_product_attention(q, self.k_proj(pairs), self.v_proj(pairs))
        assert weights is not None  # attended (B, 1, d), weights (B, 1, n)
        return self.readout(attended.squeeze(1)), weights.squeeze(1)


def train_recall(seed: int = 0, steps: int = 400, lr: float = 1e-2) -> tuple[RecallModel, History]:
    """Train a :class:`RecallModel`; deterministic for a given ``seed``."""
    torch.manual_seed(seed)
    model = RecallModel()
    history = fit(model, make_batch, nn.functional.cross_entropy, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def evaluate(model: RecallModel, num_sequences: int = 2000, seed: int = 0) -> float:
    """Fraction of held-out sequences whose value is recalled correctly."""
    sequence, answer = make_batch(held_out_generator(seed), num_sequences)
    return (model(sequence).argmax(-1) == answer).float().mean().item()
