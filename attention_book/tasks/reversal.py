r"""Reversing a sequence with Bahdanau's encoder-decoder: a bidirectional encoder, and the anti-diagonal.

:class:`attention_book.tasks.seq2seq.Seq2Seq` reads the source left to right, so its state at position
``j`` knows how far it is from the start but not from the end. Reversing asks output step ``t`` for source
position ``n - 1 - t``: a distance from the *end*. Bahdanau, Cho and Bengio (2014), "Neural Machine
Translation by Jointly Learning to Align and Translate", arXiv:1409.0473, encode the source with a
bidirectional RNN: the annotation of position ``j`` is the forward state next to the backward state,

.. math::

    h_j = [\overrightarrow{h}_j;\ \overleftarrow{h}_j],

and the backward half has read ``x_j .. x_n``, so it can know how far ``j`` is from the end.
:class:`BidirectionalSeq2Seq` is :class:`~attention_book.tasks.seq2seq.Seq2Seq` with that encoder (each
direction ``H/2`` wide, so every annotation is still ``H`` wide); the decoder, the score functions, greedy
decoding and the model without attention are the same. Without attention the decoder reads the
summary :math:`[\overrightarrow{h}_n; \overleftarrow{h}_1]`, the two states that have read the whole
source.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._checks import check_positive_int
from ._cache import cached_training
from ._training import History, fit, held_out_generator
from .reverse import Mode, target_of
from .seq2seq import Score, Seq2Seq, _loss, _TeacherForced, make_batch

__all__ = ["BidirectionalGRU", "BidirectionalSeq2Seq", "scores_by_length", "train_reversal"]


class BidirectionalGRU(nn.Module):
    """A bidirectional GRU that answers like a one-directional ``nn.GRU`` of width ``H``.

    Returns the states ``(B, S, H)``, each the forward and the backward state side by side, and the
    summary ``(1, B, H)``: the forward state after the last token next to the backward state after the
    first, the two that have read everything.
    """

    def __init__(self, input_dim: int, hidden_dim: int) -> None:
        super().__init__()
        if check_positive_int("hidden_dim", hidden_dim) % 2:
            raise ValueError(f"hidden_dim: expected an even width (two halves), got {hidden_dim}")
        self.gru = nn.GRU(input_dim, hidden_dim // 2, batch_first=True, bidirectional=True)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        states, last = self.gru(x)  # (B, S, H), (2, B, H/2): forward after x_n, backward after x_1
        return states, torch.cat([last[0], last[1]], dim=-1).unsqueeze(0)  # (B, S, H), (1, B, H)


class BidirectionalSeq2Seq(Seq2Seq):
    """:class:`~attention_book.tasks.seq2seq.Seq2Seq` with the bidirectional encoder of Bahdanau et al.

    Args:
        attention: ``None`` (the decoder reads only the summary) or a score function of
            :class:`~attention_book.tasks.seq2seq.Seq2Seq`, such as ``"additive"``.
        hidden_dim: ``H``, even: each direction of the encoder is ``H/2`` wide.
        embed_dim: width of the token embeddings.
    """

    def __init__(
        self, attention: Score | None = "additive", hidden_dim: int = 32, embed_dim: int = 16
    ) -> None:
        super().__init__(attention, hidden_dim=hidden_dim, embed_dim=embed_dim)
        self.encoder = BidirectionalGRU(embed_dim, hidden_dim)  # type: ignore[assignment]


@cached_training
def train_reversal(
    attention: Score | None = "additive",
    *,
    mode: Mode = "reverse",
    max_length: int = 16,
    hidden_dim: int = 32,
    steps: int = 800,
    lr: float = 1e-2,
    seed: int = 0,
) -> tuple[BidirectionalSeq2Seq, History]:
    """Train a :class:`BidirectionalSeq2Seq` on sequences of 1 to ``max_length`` digits.

    Teacher forcing and cross-entropy, as :func:`attention_book.tasks.seq2seq.train_seq2seq`; the same
    ``seed`` gives the same model. Cached on disk (:func:`attention_book.tasks._cache.cached_training`).
    """
    target_of(torch.zeros(1, dtype=torch.long), mode)  # checks mode
    check_positive_int("max_length", max_length)
    torch.manual_seed(seed)
    model = BidirectionalSeq2Seq(attention, hidden_dim=hidden_dim)

    def batch(generator: torch.Generator) -> tuple[Tensor, Tensor]:
        source, target = make_batch(generator, mode, max_length=max_length)
        return torch.stack([source, target], dim=1), target  # (B, 2, n), (B, n)

    history = fit(_TeacherForced(model), batch, _loss, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def scores_by_length(
    model: Seq2Seq,
    lengths: list[int] | range,
    mode: Mode = "reverse",
    num_sequences: int = 200,
    seed: int = 0,
) -> dict[int, tuple[float, float]]:
    """For each length ``n``: the fraction of output tokens right and of whole sequences right.

    Greedy decoding of held-out sequences; the sequences of length ``n`` depend on ``seed`` and ``n`` only
    (the same as those of :func:`attention_book.tasks.seq2seq.accuracy_by_length`, for equal arguments).
    """
    result = {}
    for n in lengths:
        source, target = make_batch(held_out_generator(1000 * seed + n), mode, num_sequences, n, n)
        tokens, _ = model.generate(source)  # (B, n)
        right = tokens == target  # (B, n)
        result[n] = (right.float().mean().item(), right.all(dim=-1).float().mean().item())
    return result
