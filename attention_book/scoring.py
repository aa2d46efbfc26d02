"""Score functions of the first attention models: additive (Bahdanau) and multiplicative (Luong).

Attention first appeared in neural machine translation. A decoder state (the *query*) is compared with
every encoder state (the *keys*); a softmax turns the scores into alignment weights; the *context* is the
weighted average of the encoder states (the *values*). The models differ only in the score function:

* Bahdanau, Cho and Bengio (2014), "Neural Machine Translation by Jointly Learning to Align and
  Translate", arXiv:1409.0473 -- additive attention: ``score(q, k) = v^T tanh(W_q q + W_k k)``.
* Luong, Pham and Manning (2015), "Effective Approaches to Attention-based Neural Machine
  Translation", arXiv:1508.04025 -- ``dot``: ``q^T k``; ``general``: ``q^T W k``;
  ``concat``: ``v^T tanh(W [q; k])``.
* Vaswani et al. (2017), arXiv:1706.03762 -- scaled dot product: ``q^T k / sqrt(d)``.

Every module here has the same interface::

    context, weights = module(query, keys, values, mask=None)

    query   (B, Eq)  one decoder state per sequence, or (B, L, Eq) for L queries
    keys    (B, S, Ek)
    values  (B, S, Ev)
    mask    keep-mask broadcasting to (B, S) for a 2-D query, (B, L, S) for a 3-D one
    context (B, Ev)  or (B, L, Ev)
    weights (B, S)   or (B, L, S); a query whose keys are all masked gets zero weights
"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import Tensor, nn

from ._checks import as_keep_mask, check_broadcasts, check_ndim, check_positive_int, check_tensor, fmt_shape
from .core import masked_softmax

__all__ = ["AdditiveAttention", "DotProductAttention", "MultiplicativeAttention"]


class _ScoredAttention(nn.Module):
    """Shared forward pass: score every (query, key) pair, masked softmax, weighted sum of the values.

    Subclasses implement :meth:`score`, mapping query ``(B, L, Eq)`` and keys ``(B, S, Ek)`` to scores
    ``(B, L, S)``.
    """

    def score(self, query: Tensor, keys: Tensor) -> Tensor:
        raise NotImplementedError

    def forward(
        self, query: Tensor, keys: Tensor, values: Tensor, mask: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        query, keys, values = _check_inputs(query, keys, values)
        single_query = query.dim() == 2
        if single_query:
            query = query.unsqueeze(1)  # (B, 1, Eq)
        B, L, S = query.shape[0], query.shape[1], keys.shape[1]

        keep = None
        if mask is not None:
            keep = as_keep_mask("mask", mask)
            check_broadcasts("mask", keep, (B, S) if single_query else (B, L, S))
            if single_query:
                keep = keep.unsqueeze(-2)  # (..., 1, S)

        scores = self.score(query, keys)  # (B, L, S)
        weights = masked_softmax(scores, keep)  # (B, L, S)
        context = weights @ values  # (B, L, Ev)
        if single_query:
            return context.squeeze(1), weights.squeeze(1)  # (B, Ev), (B, S)
        return context, weights


class AdditiveAttention(_ScoredAttention):
    r"""Additive attention of Bahdanau et al. (2014), arXiv:1409.0473.

    .. math::

        \mathrm{score}(q, k_j) = v^\top \tanh(W_q q + W_k k_j)

    A one-hidden-layer network scores each (query, key) pair, so query and key may have different widths.

    Args:
        query_dim: ``Eq``, width of the query (decoder state).
        key_dim: ``Ek``, width of the keys (encoder states).
        hidden_dim: width of the hidden layer.
    """

    def __init__(self, query_dim: int, key_dim: int, hidden_dim: int) -> None:
        super().__init__()
        self.query_proj = nn.Linear(check_positive_int("query_dim", query_dim), hidden_dim, bias=False)
        self.key_proj = nn.Linear(check_positive_int("key_dim", key_dim), hidden_dim, bias=False)
        self.v = nn.Linear(check_positive_int("hidden_dim", hidden_dim), 1, bias=False)

    def score(self, query: Tensor, keys: Tensor) -> Tensor:
        _check_width("query", query, self.query_proj.in_features)
        _check_width("keys", keys, self.key_proj.in_features)
        q = self.query_proj(query).unsqueeze(2)  # (B, L, 1, hidden)
        k = self.key_proj(keys).unsqueeze(1)  # (B, 1, S, hidden)
        return self.v(torch.tanh(q + k)).squeeze(-1)  # (B, L, S)


class MultiplicativeAttention(_ScoredAttention):
    r"""The three score functions of Luong et al. (2015), arXiv:1508.04025.

    .. math::

        \mathrm{score}(q, k) =
        \begin{cases}
            q^\top k & \text{dot (needs } E_q = E_k) \\
            q^\top W k & \text{general} \\
            v^\top \tanh(W [q; k]) & \text{concat}
        \end{cases}

    Args:
        query_dim: ``Eq``, width of the query.
        key_dim: ``Ek``, width of the keys.
        score: ``"general"`` (default), ``"dot"`` or ``"concat"``.
        hidden_dim: width of the hidden layer of ``"concat"`` (default ``key_dim``).
    """

    def __init__(
        self,
        query_dim: int,
        key_dim: int,
        score: Literal["general", "dot", "concat"] = "general",
        *,
        hidden_dim: int | None = None,
    ) -> None:
        super().__init__()
        self.query_dim = check_positive_int("query_dim", query_dim)
        self.key_dim = check_positive_int("key_dim", key_dim)
        self.score_name = score
        if score == "dot":
            if query_dim != key_dim:
                raise ValueError(
                    f"key_dim: expected key_dim == query_dim ({query_dim}) for score='dot', got {key_dim}"
                )
        elif score == "general":
            self.W = nn.Linear(key_dim, query_dim, bias=False)  # W k, then dot with q
        elif score == "concat":
            hidden = key_dim if hidden_dim is None else check_positive_int("hidden_dim", hidden_dim)
            self.W = nn.Linear(query_dim + key_dim, hidden, bias=False)
            self.v = nn.Linear(hidden, 1, bias=False)
        else:
            raise ValueError(f"score: expected 'general', 'dot' or 'concat', got {score!r}")

    def score(self, query: Tensor, keys: Tensor) -> Tensor:
        _check_width("query", query, self.query_dim)
        _check_width("keys", keys, self.key_dim)
        if self.score_name == "dot":
            return query @ keys.transpose(1, 2)  # (B, L, S)
        if self.score_name == "general":
            return query @ self.W(keys).transpose(1, 2)  # (B, L, Eq) @ (B, Eq, S) -> (B, L, S)
        L, S = query.shape[1], keys.shape[1]
        pairs = torch.cat(  # every (query, key) pair side by side: (B, L, S, Eq + Ek)
            [query.unsqueeze(2).expand(-1, -1, S, -1), keys.unsqueeze(1).expand(-1, L, -1, -1)], dim=-1
        )
        return self.v(torch.tanh(self.W(pairs))).squeeze(-1)  # (B, L, S)


class DotProductAttention(_ScoredAttention):
    r"""Dot-product attention, scaled as in Vaswani et al. (2017), arXiv:1706.03762, or not (Luong's dot).

    .. math::

        \mathrm{score}(q, k) = \frac{q^\top k}{\sqrt{E}} \ (\text{scaled}), \qquad q^\top k \ (\text{not})

    Without the scale, dot products of random ``E``-dimensional vectors have variance ``E``, which pushes
    the softmax into saturation for wide vectors; dividing by ``sqrt(E)`` brings the variance back to 1.

    Args:
        scaled: divide the scores by ``sqrt(E)``.
    """

    def __init__(self, scaled: bool = True) -> None:
        super().__init__()
        self.scaled = scaled

    def score(self, query: Tensor, keys: Tensor) -> Tensor:
        if keys.shape[-1] != query.shape[-1]:
            raise ValueError(
                f"keys: expected last dimension {query.shape[-1]} (the query's), got {fmt_shape(keys.shape)}"
            )
        scores = query @ keys.transpose(1, 2)  # (B, L, S)
        if self.scaled:
            scores = scores / math.sqrt(query.shape[-1])
        return scores


def _check_inputs(query: object, keys: object, values: object) -> tuple[Tensor, Tensor, Tensor]:
    q = check_tensor("query", query)
    k = check_tensor("keys", keys)
    v = check_tensor("values", values)
    check_ndim("query", q, (2, 3), "(B, Eq) or (B, L, Eq)")
    check_ndim("keys", k, (3,), "(B, S, Ek)")
    check_ndim("values", v, (3,), "(B, S, Ev)")
    if k.shape[0] != q.shape[0]:
        raise ValueError(f"keys: expected batch size {q.shape[0]} (the query's), got {fmt_shape(k.shape)}")
    if v.shape[:2] != k.shape[:2]:
        raise ValueError(f"values: expected shape ({k.shape[0]}, {k.shape[1]}, Ev), got {fmt_shape(v.shape)}")
    return q, k, v


def _check_width(name: str, x: Tensor, width: int) -> None:
    if x.shape[-1] != width:
        raise ValueError(f"{name}: expected last dimension {width}, got {fmt_shape(x.shape)}")
