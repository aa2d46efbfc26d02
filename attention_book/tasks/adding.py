r"""Adding two numbers with attention: the smallest model in which every step can be printed.

Two integers ``a`` and ``b`` from ``0 .. max_value`` form a sequence of two tokens. Each token is embedded
(its value times a learned direction, plus a learned position vector), projected to queries, keys and
values, and the two tokens attend to each other with :func:`attention_book.scaled_dot_product_attention`
(Vaswani et al., 2017, "Attention Is All You Need", arXiv:1706.03762):

.. math::

    A = \operatorname{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}}\right) V,
    \qquad \hat y = \mathrm{MLP}([A_1; A_2]).

A small MLP reads the two attended vectors and predicts ``a + b``. Attention is more than this task needs;
the point is that the reader can see ``Q``, ``K``, ``V``, the scores, the weights and the output for a
concrete pair, like ``3 + 5``. Two variants of the model measure what attention contributes: weights fixed
at ``1/2`` (``attention="uniform"``), and no mixing at all, each token keeping its own value
(``attention="none"``, the identity as weights).

A prediction counts as correct when it rounds to the true sum (it is within 0.5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor, nn

from ..core import scaled_dot_product_attention
from ._cache import cached_training
from ._training import History, fit, held_out_generator

__all__ = [
    "ATTENTION",
    "AddingModel",
    "AddingSteps",
    "Attention",
    "accuracy_by_size",
    "evaluate",
    "make_batch",
    "train_adding",
]

MAX_VALUE = 99
Attention = Literal["learned", "uniform", "none"]
ATTENTION: tuple[str, ...] = ("learned", "uniform", "none")


@dataclass
class AddingSteps:
    """Every intermediate of one forward pass, for a batch of ``B`` pairs (2 tokens, width ``d``)."""

    numbers: Tensor  # (B, 2)     the inputs a, b
    embedded: Tensor  # (B, 2, d)  token embeddings
    query: Tensor  # (B, 2, d)
    key: Tensor  # (B, 2, d)
    value: Tensor  # (B, 2, d)
    scores: Tensor  # (B, 2, 2)  Q K^T / sqrt(d)
    weights: Tensor  # (B, 2, 2)  softmax of the scores (or fixed); each row sums to 1
    attended: Tensor  # (B, 2, d)  weights @ V
    prediction: Tensor  # (B,)       the predicted sum


class AddingModel(nn.Module):
    """Embed two numbers, let them attend to each other, and predict their sum with a small MLP.

    Args:
        d_model: ``d``, the width of embeddings, queries, keys and values.
        hidden: width of the MLP's hidden layer.
        max_value: the largest training operand; inputs are divided by it.
        attention: ``"learned"`` (softmax of the scores), ``"uniform"`` (every weight ``1/2``) or
            ``"none"`` (the identity: each token keeps its own value, the tokens do not mix). It is a
            plain attribute, so a trained model can be switched to another setting to test it.
    """

    def __init__(
        self,
        d_model: int = 16,
        hidden: int = 64,
        max_value: int = MAX_VALUE,
        attention: Attention = "learned",
    ) -> None:
        super().__init__()
        if attention not in ATTENTION:
            raise ValueError(f"attention: expected one of {ATTENTION}, got {attention!r}")
        self.max_value = max_value
        self.attention: Attention = attention
        self.value_direction = nn.Parameter(torch.randn(d_model))  # how a number enters the embedding
        self.position = nn.Parameter(torch.randn(2, d_model) * 0.1)  # first or second operand
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.mlp = nn.Sequential(nn.Linear(2 * d_model, hidden), nn.ReLU(), nn.Linear(hidden, 1))

    def forward(self, numbers: Tensor) -> Tensor:
        """``numbers (B, 2)`` -> predicted sums ``(B,)``."""
        return self.forward_with_steps(numbers).prediction

    def forward_with_steps(self, numbers: Tensor) -> AddingSteps:
        """The forward pass, returning every intermediate tensor (see :class:`AddingSteps`)."""
        if numbers.dim() != 2 or numbers.shape[-1] != 2:
            raise ValueError(f"numbers: expected shape (batch, 2), got {tuple(numbers.shape)}")
        x = numbers.float() / self.max_value  # (B, 2), scaled to [0, 1] in the training range
        embedded = x.unsqueeze(-1) * self.value_direction + self.position  # (B, 2, d)
        q, k, v = self.q_proj(embedded), self.k_proj(embedded), self.v_proj(embedded)  # (B, 2, d) each
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, 2, 2), shown for the reader
        if self.attention == "learned":
            attended, weights = scaled_dot_product_attention(q, k, v)  # (B, 2, d), (B, 2, 2)
            assert weights is not None
        else:
            fixed = torch.full((2, 2), 0.5) if self.attention == "uniform" else torch.eye(2)
            weights = fixed.expand(numbers.shape[0], 2, 2)  # (B, 2, 2), the same for every pair
            attended = weights @ v  # (B, 2, d)
        prediction = self.mlp(attended.flatten(1)).squeeze(-1) * self.max_value  # (B,), back to the sum scale
        return AddingSteps(numbers, embedded, q, k, v, scores, weights, attended, prediction)


def make_batch(
    generator: torch.Generator, batch_size: int = 256, max_value: int = MAX_VALUE, min_value: int = 0
) -> tuple[Tensor, Tensor]:
    """Random pairs ``(B, 2)`` of integers in ``min_value .. max_value`` and their sums ``(B,)``."""
    if max_value < min_value:
        raise ValueError(f"max_value: expected at least min_value ({min_value}), got {max_value}")
    numbers = torch.randint(min_value, max_value + 1, (batch_size, 2), generator=generator)
    return numbers, numbers.sum(dim=-1).float()


def _loss(prediction: Tensor, target: Tensor) -> Tensor:
    return nn.functional.mse_loss(prediction / MAX_VALUE, target / MAX_VALUE)


@cached_training
def train_adding(
    seed: int = 0, steps: int = 600, lr: float = 1e-2, attention: Attention = "learned"
) -> tuple[AddingModel, History]:
    """Train :class:`AddingModel` from scratch on operands ``0 .. 99`` with the mean squared error.

    The same ``seed`` gives the same model, bit for bit. Cached on disk
    (:func:`attention_book.tasks._cache.cached_training`): a second call with the same arguments loads it.
    """
    torch.manual_seed(seed)
    model = AddingModel(attention=attention)
    history = fit(model, make_batch, _loss, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def evaluate(model: AddingModel, num_pairs: int = 2000, seed: int = 0) -> float:
    """Fraction of held-out pairs whose prediction rounds to the true sum."""
    numbers, sums = make_batch(held_out_generator(seed), batch_size=num_pairs, max_value=model.max_value)
    return ((model(numbers) - sums).abs() < 0.5).float().mean().item()


@torch.no_grad()
def accuracy_by_size(
    model: AddingModel, ranges: Sequence[tuple[int, int]], num_pairs: int = 1000, seed: int = 0
) -> dict[tuple[int, int], tuple[float, float]]:
    """For each ``(low, high)``: the fraction right and the mean absolute error on pairs drawn from it.

    Both operands are drawn uniformly from ``low .. high``; ranges past ``model.max_value`` test the model
    on numbers larger than any it was trained on.
    """
    result = {}
    for low, high in ranges:
        numbers, sums = make_batch(held_out_generator(seed + low), num_pairs, high, low)
        error = (model(numbers) - sums).abs()
        result[(low, high)] = ((error < 0.5).float().mean().item(), error.mean().item())
    return result
