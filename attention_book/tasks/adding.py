"""Adding two numbers with attention: the smallest model in which every step can be printed.

Two integers ``a`` and ``b`` from ``0 .. max_value`` form a sequence of two tokens. Each token is embedded
(its value times a learned direction, plus a learned position vector), projected to queries, keys and
values, and the two tokens attend to each other with :func:`attention_book.scaled_dot_product_attention`
(Vaswani et al., 2017, "Attention Is All You Need", arXiv:1706.03762). A small MLP reads the two attended
vectors and predicts ``a + b``. Attention is more than this task needs; the point is that the reader can
see ``Q``, ``K``, ``V``, the scores, the weights and the output for a concrete pair, like ``3 + 5``.

A prediction counts as correct when it rounds to the true sum (it is within 0.5).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ..core import scaled_dot_product_attention
from ._training import History, fit, held_out_generator

__all__ = ["AddingModel", "AddingSteps", "evaluate", "make_batch", "train_adding"]

MAX_VALUE = 99


@dataclass
class AddingSteps:
    """Every intermediate of one forward pass, for a batch of ``B`` pairs (2 tokens, width ``d``)."""

    numbers: Tensor  # (B, 2)     the inputs a, b
    embedded: Tensor  # (B, 2, d)  token embeddings
    query: Tensor  # (B, 2, d)
    key: Tensor  # (B, 2, d)
    value: Tensor  # (B, 2, d)
    scores: Tensor  # (B, 2, 2)  Q K^T / sqrt(d)
    weights: Tensor  # (B, 2, 2)  softmax of the scores; each row sums to 1
    attended: Tensor  # (B, 2, d)  weights @ V
    prediction: Tensor  # (B,)       the predicted sum


class AddingModel(nn.Module):
    """Embed two numbers, let them attend to each other, and predict their sum with a small MLP."""

    def __init__(self, d_model: int = 16, hidden: int = 64, max_value: int = MAX_VALUE) -> None:
        super().__init__()
        self.max_value = max_value
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
        x = numbers.float() / self.max_value  # (B, 2), scaled to [0, 1]
        embedded = x.unsqueeze(-1) * self.value_direction + self.position  # (B, 2, d)
        q, k, v = self.q_proj(embedded), self.k_proj(embedded), self.v_proj(embedded)  # (B, 2, d) each
        attended, weights = scaled_dot_product_attention(q, k, v)  # (B, 2, d), (B, 2, 2)
        assert weights is not None
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, 2, 2), shown for the reader
        prediction = self.mlp(attended.flatten(1)).squeeze(-1) * self.max_value  # (B,), back to the sum scale
        return AddingSteps(numbers, embedded, q, k, v, scores, weights, attended, prediction)


def make_batch(
    generator: torch.Generator, batch_size: int = 256, max_value: int = MAX_VALUE
) -> tuple[Tensor, Tensor]:
    """Random pairs ``(B, 2)`` of integers in ``0 .. max_value`` and their sums ``(B,)``."""
    numbers = torch.randint(0, max_value + 1, (batch_size, 2), generator=generator)
    return numbers, numbers.sum(dim=-1).float()


def _loss(prediction: Tensor, target: Tensor) -> Tensor:
    return nn.functional.mse_loss(prediction / MAX_VALUE, target / MAX_VALUE)


def train_adding(seed: int = 0, steps: int = 600, lr: float = 1e-2) -> tuple[AddingModel, History]:
    """Train :class:`AddingModel` from scratch; the same ``seed`` gives the same model, bit for bit."""
    torch.manual_seed(seed)
    model = AddingModel()
    history = fit(model, make_batch, _loss, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def evaluate(model: AddingModel, num_pairs: int = 2000, seed: int = 0) -> float:
    """Fraction of held-out pairs whose prediction rounds to the true sum."""
    numbers, sums = make_batch(held_out_generator(seed), batch_size=num_pairs, max_value=model.max_value)
    return ((model(numbers) - sums).abs() < 0.5).float().mean().item()
