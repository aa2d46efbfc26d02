r"""Associative recall with softmax, linear and local attention: what the cheaper attentions give up.

The task is the one of :mod:`attention_book.tasks.recall`: a sequence ``k1 v1 k2 v2 ... kn vn q`` stores
``n`` key-value pairs and ends with a query key ``q``, one of the ``k_i``; the answer is its ``v_i``. Here
the number of pairs changes from batch to batch (``MIN_PAIRS`` to ``MAX_PAIRS`` while training), and the
trained models are then asked to recall from more pairs than they were trained on. Arora et al. (2023),
"Zoology: Measuring and Improving Recall in Efficient Language Models", arXiv:2312.04927, use this kind of
task to show that attention with a fixed-size state recalls less as the number of pairs grows.

:class:`EfficientRecallModel` is one attention layer whose only choice is the kind of attention. Each pair
sits at one position (key embedding plus value embedding) and the query key at the last position, ``T =
n + 1`` positions in all. The layer is causal self-attention, and the answer is read from the output of the
last position, so only the last query's row of attention is ever needed:

* ``"softmax"``: :math:`o = \sum_j \mathrm{softmax}_j(q \cdot k_j / \sqrt{d}) v_j` over all ``T`` positions
  (Vaswani et al., 2017, arXiv:1706.03762);
* ``"linear"``: :math:`o = \phi(q)^\top \sum_j \phi(k_j) v_j^\top / \phi(q)^\top \sum_j \phi(k_j)` with
  :math:`\phi(x) = \mathrm{elu}(x) + 1` (Katharopoulos et al., 2020, arXiv:2006.16236). The sums are a
  ``(d, d)`` matrix and a ``(d,)`` vector: a state whose size does not grow with ``n``;
* ``"local"``: softmax over the last ``window`` positions only, the query itself included, as in the
  causal sliding window of :func:`attention_book.masks.sliding_window_mask` (Beltagy et al., 2020,
  arXiv:2004.05150). Pairs further back are invisible.

The last row of the causal layer equals :func:`attention_book.core.scaled_dot_product_attention` with
``is_causal=True``, :func:`attention_book.efficient.linear_attention` with ``causal=True`` and
:func:`attention_book.efficient.local_attention` computed over the whole sequence (the tests check it).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

from .._checks import check_positive_int, check_tensor, fmt_shape
from ..core import scaled_dot_product_attention
from ..efficient import linear_attention
from ..masks import sliding_window_mask
from ._cache import cached_training
from ._training import History, fit, held_out_generator

__all__ = [
    "ATTENTIONS",
    "MAX_PAIRS",
    "MIN_PAIRS",
    "NUM_KEYS",
    "NUM_VALUES",
    "AttentionKind",
    "EfficientRecallModel",
    "accuracy_by_distance",
    "evaluate",
    "make_batch",
    "train_efficient_recall",
]

AttentionKind = Literal["softmax", "linear", "local"]
ATTENTIONS: tuple[str, ...] = ("softmax", "linear", "local")

NUM_KEYS = 64
NUM_VALUES = 16
MIN_PAIRS = 4
MAX_PAIRS = 32


def make_batch(
    generator: torch.Generator, batch_size: int = 256, num_pairs: int | None = None
) -> tuple[Tensor, Tensor]:
    """Sequences ``(B, 2 * num_pairs + 1)`` of ``k1 v1 ... kn vn q`` and the answers ``(B,)``.

    Keys are distinct within a sequence. With ``num_pairs=None`` the number of pairs is drawn from
    ``MIN_PAIRS .. MAX_PAIRS`` (one number for the whole batch), as in training.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    if num_pairs is None:
        num_pairs = int(torch.randint(MIN_PAIRS, MAX_PAIRS + 1, (1,), generator=generator))
    elif isinstance(num_pairs, bool) or not isinstance(num_pairs, int) or not 1 <= num_pairs <= NUM_KEYS:
        raise ValueError(f"num_pairs: expected an integer in [1, {NUM_KEYS}] (NUM_KEYS), got {num_pairs!r}")
    keys = torch.rand(batch_size, NUM_KEYS, generator=generator).argsort(-1)[:, :num_pairs]  # (B, n) distinct
    values = torch.randint(0, NUM_VALUES, (batch_size, num_pairs), generator=generator)  # (B, n)
    which = torch.randint(0, num_pairs, (batch_size, 1), generator=generator)  # (B, 1)
    query = keys.gather(-1, which)  # (B, 1)
    pairs = torch.stack([keys, values], dim=-1).flatten(1)  # (B, 2n): k1 v1 k2 v2 ...
    return torch.cat([pairs, query], dim=-1), values.gather(-1, which).squeeze(-1)


class EfficientRecallModel(nn.Module):
    """One causal attention layer over the pairs and the query, of the kind ``attention``, and a readout.

    Args:
        attention: ``"softmax"``, ``"linear"`` or ``"local"``.
        d_model: the width ``d`` of the embeddings, queries, keys and values. The state of linear attention
            is ``d x d`` numbers plus ``d``.
        window: for ``"local"``, how many positions the query sees, itself included (``window - 1`` pairs).
    """

    def __init__(self, attention: AttentionKind = "softmax", d_model: int = 16, window: int = 4) -> None:
        super().__init__()
        if attention not in ATTENTIONS:
            raise ValueError(f"attention: expected one of {ATTENTIONS}, got {attention!r}")
        self.attention = attention
        self.window = check_positive_int("window", window)
        d_model = check_positive_int("d_model", d_model)
        self.key_embedding = nn.Embedding(NUM_KEYS, d_model)
        self.value_embedding = nn.Embedding(NUM_VALUES, d_model)
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.readout = nn.Linear(d_model, NUM_VALUES)

    def embed(self, sequence: Tensor) -> Tensor:
        """``sequence (B, 2n + 1)`` -> one position per pair, then the query: ``(B, n + 1, d)``."""
        sequence = check_tensor("sequence", sequence)
        if sequence.dim() != 2 or sequence.shape[-1] % 2 != 1:
            raise ValueError(
                f"sequence: expected shape (batch, 2 * num_pairs + 1), got {fmt_shape(sequence.shape)}"
            )
        keys, values = sequence[:, :-1:2], sequence[:, 1:-1:2]  # (B, n) each
        pairs = self.key_embedding(keys) + self.value_embedding(values)  # (B, n, d)
        query = self.key_embedding(sequence[:, -1:])  # (B, 1, d)
        return torch.cat([pairs, query], dim=1)  # (B, T, d), T = n + 1

    def project(self, sequence: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Queries, keys and values of every position, ``(B, T, d)`` each."""
        x = self.embed(sequence)
        return self.q_proj(x), self.k_proj(x), self.v_proj(x)

    def attend(self, query: Tensor, key: Tensor, value: Tensor) -> Tensor:
        """The last position's output ``(B, 1, d)`` from its query ``(B, 1, d)`` and all keys, values."""
        if self.attention == "softmax":
            out, _ = scaled_dot_product_attention(query, key, value, need_weights=False)
        elif self.attention == "linear":
            out = linear_attention(query, key, value)  # the sums run over all T positions
        else:
            seen = sliding_window_mask(key.size(-2), self.window, device=key.device)[-1:]  # (1, T)
            out, _ = scaled_dot_product_attention(query, key, value, seen, need_weights=False)
        return out

    def forward(self, sequence: Tensor) -> Tensor:
        """``sequence (B, 2n + 1)`` -> logits over the values ``(B, NUM_VALUES)``."""
        q, k, v = self.project(sequence)  # (B, T, d) each
        return self.readout(self.attend(q[:, -1:], k, v).squeeze(1))


@cached_training
def train_efficient_recall(
    attention: AttentionKind = "softmax",
    *,
    d_model: int = 16,
    window: int = 4,
    steps: int = 400,
    lr: float = 1e-2,
    seed: int = 0,
) -> tuple[EfficientRecallModel, History]:
    """Train an :class:`EfficientRecallModel` on ``MIN_PAIRS`` to ``MAX_PAIRS`` pairs; deterministic.

    Cached on disk (:func:`attention_book.tasks._cache.cached_training`): a second call with the same
    arguments loads the model instead of training it again.
    """
    torch.manual_seed(seed)
    model = EfficientRecallModel(attention, d_model=d_model, window=window)
    history = fit(model, make_batch, nn.functional.cross_entropy, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def evaluate(model: EfficientRecallModel, num_pairs: int, num_sequences: int = 2000, seed: int = 0) -> float:
    """Fraction of held-out sequences of ``num_pairs`` pairs whose value is recalled correctly."""
    sequence, answer = make_batch(held_out_generator(seed), num_sequences, num_pairs)
    return (model(sequence).argmax(-1) == answer).float().mean().item()


@torch.no_grad()
def accuracy_by_distance(
    model: EfficientRecallModel, num_pairs: int, num_sequences: int = 4000, seed: int = 0
) -> Tensor:
    """Accuracy ``(num_pairs,)`` by where the answer's pair is: entry ``t`` is ``t + 1`` pairs back.

    Entry 0 is the pair just before the query, entry ``num_pairs - 1`` the first pair of the sequence. A
    local model with ``window`` positions sees entries ``0 .. window - 2`` only.
    """
    sequence, answer = make_batch(held_out_generator(seed), num_sequences, num_pairs)
    keys, query = sequence[:, :-1:2], sequence[:, -1:]  # (B, n), (B, 1)
    back = num_pairs - 1 - (keys == query).int().argmax(-1)  # (B,): 0 = the last pair
    right = (model(sequence).argmax(-1) == answer).float()  # (B,)
    hits = torch.zeros(num_pairs).index_add_(0, back, right)
    counts = torch.zeros(num_pairs).index_add_(0, back, torch.ones_like(right))
    return hits / counts.clamp(min=1)
