"""A GRU encoder-decoder with and without attention: the bottleneck that attention removed.

The RNN encoder-decoder of Cho et al. (2014), "Learning Phrase Representations using RNN Encoder-Decoder
for Statistical Machine Translation", arXiv:1406.1078, and Sutskever, Vinyals and Le (2014), "Sequence to
Sequence Learning with Neural Networks", arXiv:1409.3215, reads the source into one fixed-size vector and
generates the target from it. Bahdanau, Cho and Bengio (2014), "Neural Machine Translation by Jointly
Learning to Align and Translate", arXiv:1409.0473, let the decoder look back at every encoder state instead.

:class:`Seq2Seq` is both models, so that they differ in one place only, the context vector ``c_t`` that the
output layer reads at step ``t``. With ``h_1 .. h_S`` the encoder states, ``s_t`` the decoder state and
``y_t`` the target tokens (``y_0`` is the start token)::

    s_0 = tanh(W_init h_S)
    s_t = GRU([E y_{t-1}; h_S], s_{t-1})
    c_t = h_S                                            attention=None (Cho et al.)
    c_t = sum_j alpha_tj h_j,  alpha_t = softmax_j(score(s_t, h_j))     with attention
    p(y_t | y_<t, x) = softmax(W_out [s_t; c_t])

``score`` is one of the functions of :mod:`attention_book.scoring`: ``"additive"`` (Bahdanau et al.),
``"dot"``, ``"general"``, ``"concat"`` (Luong et al., 2015, arXiv:1508.04025) or ``"scaled_dot"``.
The decoder attends *after* its GRU step, from ``s_t``, as Luong et al. do; Bahdanau et al. attend from
``s_{t-1}`` and feed ``c_t`` into the GRU. Luong's order lets training run the whole decoder as one
``nn.GRU`` call, several times faster on a CPU, and the score functions are the same in both orders.

The toy task is to copy (or reverse) a sequence of random digits, of a length drawn anew for every batch.
Both models have the same small hidden size ``H``, so without attention the one vector ``h_S`` must hold the
whole sequence; the accuracy of that model falls as the sequences grow, and the attention model's does
not. The attention weights of the trained model are the alignment: the diagonal for ``"copy"``, the
anti-diagonal for ``"reverse"``.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

from .._checks import check_positive_int, fmt_shape
from ..scoring import AdditiveAttention, DotProductAttention, MultiplicativeAttention
from ._cache import cached_training
from ._training import History, fit, held_out_generator
from .reverse import VOCAB, Mode, target_of

__all__ = [
    "SCORES",
    "Score",
    "Seq2Seq",
    "accuracy_by_length",
    "alignment_accuracy",
    "make_batch",
    "train_seq2seq",
]

Score = Literal["additive", "dot", "general", "concat", "scaled_dot"]
SCORES: tuple[str, ...] = ("additive", "dot", "general", "concat", "scaled_dot")


def make_batch(
    generator: torch.Generator,
    mode: Mode = "copy",
    batch_size: int = 64,
    min_length: int = 1,
    max_length: int = 20,
) -> tuple[Tensor, Tensor]:
    """Source digits ``(B, n)`` and the target ``(B, n)``, with ``n`` drawn uniformly in ``[min, max]``.

    One length for the whole batch, so no padding is needed; the next batch draws another.
    """
    check_positive_int("min_length", min_length)
    check_positive_int("max_length", max_length)
    if max_length < min_length:
        raise ValueError(f"max_length: expected at least min_length ({min_length}), got {max_length}")
    length = int(torch.randint(min_length, max_length + 1, (1,), generator=generator))
    source = torch.randint(0, VOCAB, (batch_size, length), generator=generator)
    return source, target_of(source, mode)


def _attention(score: Score, hidden_dim: int) -> nn.Module:
    """The score function's module from :mod:`attention_book.scoring`, for queries and keys ``H`` wide."""
    if score == "additive":
        return AdditiveAttention(hidden_dim, hidden_dim, hidden_dim)
    if score in ("dot", "general", "concat"):
        return MultiplicativeAttention(hidden_dim, hidden_dim, score)
    if score == "scaled_dot":
        return DotProductAttention(scaled=True)
    raise ValueError(f"attention: expected None or one of {SCORES}, got {score!r}")


class Seq2Seq(nn.Module):
    """GRU encoder-decoder; with ``attention=None`` the decoder sees only the encoder's last state.

    Args:
        attention: ``None`` for the fixed context of Cho et al. (2014), or a score function:
            ``"additive"`` (Bahdanau et al., 2014), ``"dot"``, ``"general"``, ``"concat"`` (Luong et al.,
            2015, arXiv:1508.04025) or ``"scaled_dot"`` (Vaswani et al., 2017, arXiv:1706.03762).
        hidden_dim: ``H``, the width of every GRU state, hence of the single vector ``h_S``.
        embed_dim: width of the token embeddings.
        vocab: number of tokens (digits); one more embedding is the start token.
    """

    def __init__(
        self,
        attention: Score | None = "additive",
        hidden_dim: int = 32,
        embed_dim: int = 16,
        vocab: int = VOCAB,
    ) -> None:
        super().__init__()
        check_positive_int("hidden_dim", hidden_dim)
        check_positive_int("embed_dim", embed_dim)
        self.vocab = check_positive_int("vocab", vocab)
        self.score_name = attention
        self.attention = None if attention is None else _attention(attention, hidden_dim)
        self.source_embedding = nn.Embedding(vocab, embed_dim)
        self.target_embedding = nn.Embedding(vocab + 1, embed_dim)  # + the start token, id ``vocab``
        self.encoder = nn.GRU(embed_dim, hidden_dim, batch_first=True)
        self.init_state = nn.Linear(hidden_dim, hidden_dim)
        self.decoder = nn.GRU(embed_dim + hidden_dim, hidden_dim, batch_first=True)
        self.readout = nn.Linear(2 * hidden_dim, vocab)

    def encode(self, source: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Encoder states ``(B, S, H)``, the last one ``h_S`` ``(B, H)`` and ``s_0`` ``(1, B, H)``."""
        if not isinstance(source, Tensor) or source.dim() != 2 or source.shape[1] < 1:
            shape = fmt_shape(source.shape) if isinstance(source, Tensor) else type(source).__name__
            raise ValueError(f"source: expected token ids of shape (batch, length >= 1), got {shape}")
        if source.dtype != torch.long:
            raise ValueError(f"source: expected token ids of dtype torch.int64, got {source.dtype}")
        if int(source.min()) < 0 or int(source.max()) >= self.vocab:
            raise ValueError(
                f"source: expected token ids in [0, {self.vocab}), got values from {int(source.min())}"
                f" to {int(source.max())}"
            )
        states, last = self.encoder(self.source_embedding(source))  # (B, S, H), (1, B, H)
        return states, last[0], torch.tanh(self.init_state(last))

    def decode(
        self, previous: Tensor, states: Tensor, summary: Tensor, state: Tensor
    ) -> tuple[Tensor, Tensor, Tensor]:
        """Decoder steps for the tokens ``previous (B, T)``: logits ``(B, T, V)``, weights, last state.

        ``states (B, S, H)`` are the encoder states, ``summary (B, H)`` is ``h_S``, ``state (1, B, H)`` the
        decoder state before the first step. The weights ``(B, T, S)`` are the attention over the encoder
        states; without attention they are 1 on the last state, the only one the decoder reads.
        """
        T = previous.shape[1]
        fixed = summary.unsqueeze(1).expand(-1, T, -1)  # (B, T, H): h_S at every step
        inputs = torch.cat([self.target_embedding(previous), fixed], dim=-1)  # (B, T, E + H)
        outputs, state = self.decoder(inputs, state)  # (B, T, H), (1, B, H): s_1 .. s_T
        if self.attention is None:
            context = fixed  # (B, T, H)
            weights = torch.zeros(previous.shape[0], T, states.shape[1], device=states.device)
            weights[..., -1] = 1.0  # (B, T, S)
        else:
            context, weights = self.attention(outputs, states, states)  # (B, T, H), (B, T, S)
        logits = self.readout(torch.cat([outputs, context], dim=-1))  # (B, T, V)
        return logits, weights, state

    def forward(self, source: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
        """Teacher forcing: logits ``(B, T, V)`` for ``target (B, T)`` and the weights ``(B, T, S)``."""
        states, summary, state = self.encode(source)
        if not isinstance(target, Tensor) or target.dim() != 2 or target.shape[0] != source.shape[0]:
            shape = fmt_shape(target.shape) if isinstance(target, Tensor) else type(target).__name__
            raise ValueError(f"target: expected token ids of shape ({source.shape[0]}, length), got {shape}")
        start = torch.full_like(target[:, :1], self.vocab)  # the start token
        previous = torch.cat([start, target[:, :-1]], dim=1)  # (B, T): y_0 .. y_{T-1}
        logits, weights, _ = self.decode(previous, states, summary, state)
        return logits, weights

    @torch.no_grad()
    def generate(self, source: Tensor, length: int | None = None) -> tuple[Tensor, Tensor]:
        """Greedy decoding of ``length`` tokens (default: the source length): tokens ``(B, T)``, weights."""
        states, summary, state = self.encode(source)
        length = source.shape[1] if length is None else check_positive_int("length", length)
        token = torch.full((source.shape[0], 1), self.vocab, dtype=torch.long, device=source.device)
        tokens, weights = [], []
        for _ in range(length):
            logits, alpha, state = self.decode(token, states, summary, state)  # (B, 1, V), (B, 1, S)
            token = logits.argmax(-1)  # (B, 1)
            tokens.append(token)
            weights.append(alpha)
        return torch.cat(tokens, 1), torch.cat(weights, 1)  # (B, T), (B, T, S)


class _TeacherForced(nn.Module):
    """Adapts :class:`Seq2Seq` to ``fit``'s ``model(inputs)``: inputs are source and target stacked."""

    def __init__(self, model: Seq2Seq) -> None:
        super().__init__()
        self.model = model

    def forward(self, pair: Tensor) -> Tensor:
        return self.model(pair[:, 0], pair[:, 1])[0]  # (B, 2, n) -> logits (B, n, V)


def _loss(logits: Tensor, target: Tensor) -> Tensor:
    return nn.functional.cross_entropy(logits.flatten(0, 1), target.flatten())


@cached_training
def train_seq2seq(
    attention: Score | None = "additive",
    *,
    mode: Mode = "copy",
    max_length: int = 20,
    hidden_dim: int = 32,
    steps: int = 1000,
    lr: float = 1e-2,
    seed: int = 0,
) -> tuple[Seq2Seq, History]:
    """Train a :class:`Seq2Seq` on sequences of 1 to ``max_length`` digits; deterministic for ``seed``.

    Cached on disk (:func:`attention_book.tasks._cache.cached_training`): a second call with the same
    arguments loads the model instead of training it again.
    """
    target_of(torch.zeros(1, dtype=torch.long), mode)  # checks mode
    check_positive_int("max_length", max_length)
    torch.manual_seed(seed)
    model = Seq2Seq(attention, hidden_dim=hidden_dim)

    def batch(generator: torch.Generator) -> tuple[Tensor, Tensor]:
        source, target = make_batch(generator, mode, max_length=max_length)
        return torch.stack([source, target], dim=1), target  # (B, 2, n), (B, n)

    history = fit(_TeacherForced(model), batch, _loss, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def accuracy_by_length(
    model: Seq2Seq,
    lengths: list[int] | range,
    mode: Mode = "copy",
    num_sequences: int = 500,
    seed: int = 0,
) -> dict[int, float]:
    """Fraction of output digits right, decoding greedily, on held-out sequences of each length.

    The sequences of length ``n`` depend on ``seed`` and ``n`` only, not on the other lengths asked for.
    """
    result = {}
    for n in lengths:
        source, target = make_batch(held_out_generator(1000 * seed + n), mode, num_sequences, n, n)
        tokens, _ = model.generate(source)
        result[n] = (tokens == target).float().mean().item()
    return result


@torch.no_grad()
def alignment_accuracy(
    model: Seq2Seq, length: int, mode: Mode = "copy", num_sequences: int = 200, seed: int = 0
) -> float:
    """Fraction of target steps whose largest weight is on the source position they copy.

    That position is ``n - 1 - t`` for ``"reverse"`` (the anti-diagonal), ``t`` for ``"copy"``.
    """
    source, _ = make_batch(held_out_generator(seed), mode, num_sequences, length, length)
    _, weights = model.generate(source)  # (B, T, S)
    expected = target_of(torch.arange(length), mode)  # (T,)
    return (weights.argmax(-1) == expected).float().mean().item()
