r"""Length extrapolation: train on short sequences, test on long ones, with five ways to give positions.

The task is to continue a sequence that repeats with a short period. A pattern of ``p`` distinct tokens
(``MIN_PERIOD <= p <= MAX_PERIOD``, both the period and the tokens random per sequence) is repeated to
the sequence's length::

    p = 3:   7 2 9 7 2 9 7 2 9 7 2 ...      next token after "9" is "7", after "7" is "2" ...

Once the current token has been seen before (position ``t >= p``), the next token is the one that followed
its earlier occurrence, ``x_{t+1} = x_{t+1-p}``; earlier positions cannot be predicted and the loss ignores
them. The period changes from sequence to sequence, so no fixed offset gives the answer: a small causal
transformer learns it with an *induction* circuit (Olsson et al., 2022, arXiv:2209.11895), a head that
looks at the previous token (a relative position of 1) and a head that finds where the current token
stood before and copies what followed it. Position matters, and only relative position.

The model is an attention-only causal transformer (Vaswani et al., 2017, arXiv:1706.03762), trained at
``TRAIN_LENGTH = 32`` and evaluated at longer lengths, with the position given in one of
:data:`POSITIONS`:

* ``"none"``: nothing but the causal mask (NoPE, Kazemnejad et al., 2023, arXiv:2305.19466);
* ``"sinusoidal"``: :func:`attention_book.sinusoidal_encoding` added to the token embeddings;
* ``"learned"``: :class:`attention_book.LearnedPositionalEmbedding`, ``TRAIN_LENGTH`` rows, so it cannot
  run on longer sequences at all;
* ``"rope"``: :class:`attention_book.RotaryEmbedding` on every head's queries and keys (Su et al., 2021,
  arXiv:2104.09864);
* ``"alibi"``: :func:`attention_book.alibi_bias` added to the logits (Press et al., 2021,
  arXiv:2108.12409), whose paper asks exactly this question: "Train Short, Test Long".

Shapes: tokens ``(B, T)``, residual stream ``(B, T, d_model)``, per-head tensors ``(B, H, T, D)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, get_args

import torch
from torch import Tensor, nn

from .._checks import check_positive_int, fmt_shape
from ..core import scaled_dot_product_attention
from ..masks import sliding_window_mask
from ..positional import LearnedPositionalEmbedding, RotaryEmbedding, alibi_bias, sinusoidal_encoding
from ._cache import cached_training
from ._training import History, fit, held_out_generator, one_thread

__all__ = [
    "EVAL_LENGTHS",
    "ExtrapolationHistory",
    "IGNORE",
    "MAX_PERIOD",
    "MIN_PERIOD",
    "POSITIONS",
    "TRAIN_LENGTH",
    "VOCAB",
    "CausalSelfAttention",
    "Position",
    "PositionModel",
    "accuracy",
    "extrapolation_curve",
    "make_batch",
    "train_extrapolation",
]

Position = Literal["none", "sinusoidal", "learned", "rope", "alibi"]
#: The ways of giving positions that :class:`PositionModel` knows, in the order the page shows them.
POSITIONS: tuple[Position, ...] = get_args(Position)

VOCAB = 16  # tokens 0 .. VOCAB - 1
MIN_PERIOD = 2
MAX_PERIOD = 8
TRAIN_LENGTH = 32
#: The evaluation lengths of the page: the training length, then 2x, 4x, 8x and 16x longer.
EVAL_LENGTHS: tuple[int, ...] = (32, 64, 128, 256, 512)
IGNORE = -100  # target of the positions that cannot be predicted (cross_entropy's ignore_index)


def make_batch(
    generator: torch.Generator, batch_size: int = 64, length: int = TRAIN_LENGTH
) -> tuple[Tensor, Tensor]:
    """Periodic sequences ``(B, length)`` and their next-token targets ``(B, length)``.

    Row ``b`` repeats a pattern of ``p_b`` distinct tokens. The target at position ``t`` is the token at
    ``t + 1`` where ``t >= p_b`` (the current token has been seen before, so the next one follows from
    it), and ``IGNORE`` elsewhere, including the last position.
    """
    B = check_positive_int("batch_size", batch_size)
    length = check_positive_int("length", length)
    if length <= MAX_PERIOD + 1:
        raise ValueError(f"length: expected more than {MAX_PERIOD + 1} (a period and a repeat), got {length}")
    period = torch.randint(MIN_PERIOD, MAX_PERIOD + 1, (B,), generator=generator)  # (B,)
    pattern = torch.rand(B, VOCAB, generator=generator).argsort(-1)  # (B, VOCAB): distinct tokens per row
    t = torch.arange(length)[None, :]  # (1, T)
    sequence = pattern.gather(-1, t % period[:, None])  # (B, T): x_t = pattern[t mod p]
    targets = torch.full_like(sequence, IGNORE)
    targets[:, :-1] = sequence[:, 1:]
    targets[(t < period[:, None]).expand(B, -1)] = IGNORE  # the first period: nothing to copy from yet
    return sequence, targets


class CausalSelfAttention(nn.Module):
    r"""Causal multi-head self-attention that adds RoPE or ALiBi when asked.

    .. math::

        \mathrm{head}_h = \mathrm{softmax}\!\Big(\frac{(R\,q_h)(R\,k_h)^\top}{\sqrt{D}} + B_h + M\Big) v_h

    where ``R`` is the rotary rotation (``position="rope"``, identity otherwise), ``B_h`` ALiBi's bias of
    head ``h`` (``position="alibi"``, zero otherwise) and ``M`` the causal mask, ANDed with a sliding
    window when ``window`` is given. RoPE is applied per head, after the split into heads, to queries
    and keys only.

    Args:
        d_model: width ``E``; must be divisible by ``num_heads``.
        num_heads: ``H``; the head width is ``D = E / H`` (even, for RoPE).
        position: one of :data:`POSITIONS`; only ``"rope"`` and ``"alibi"`` act inside attention.
    """

    def __init__(self, d_model: int, num_heads: int, position: Position) -> None:
        super().__init__()
        d_model = check_positive_int("d_model", d_model)
        self.num_heads = check_positive_int("num_heads", num_heads)
        if d_model % num_heads != 0:
            raise ValueError(f"num_heads: expected a divisor of d_model={d_model}, got {num_heads}")
        _check_position(position)
        self.position = position
        self.head_dim = d_model // num_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.rotary = RotaryEmbedding(self.head_dim) if position == "rope" else None

    def forward(self, x: Tensor, window: int | None = None, rope_scale: float = 1.0) -> Tensor:
        """``x`` ``(B, T, E)`` -> ``(B, T, E)``; ``window``: each query sees only its last ``window`` keys.

        ``rope_scale`` multiplies the positions that RoPE sees (position interpolation, Chen et al.,
        2023, arXiv:2306.15595, uses ``train_length / length``); it is ignored without RoPE.
        """
        B, T, E = x.shape
        q, k, v = self.qkv(x).view(B, T, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        # q, k, v: (B, H, T, D) each -- heads split *before* the rotation
        if self.rotary is not None:
            rotary = self.rotary if rope_scale == 1.0 else _scaled_rotary(self.rotary, rope_scale)
            q, k = rotary(q, k)  # rotates along T, pairs of D
        bias = (
            alibi_bias(self.num_heads, T, device=x.device) if self.position == "alibi" else None
        )  # (H, T, T)
        keep = None if window is None else sliding_window_mask(T, window, device=x.device)  # (T, T)
        out, _ = scaled_dot_product_attention(q, k, v, keep, bias=bias, is_causal=True, need_weights=False)
        return self.out(out.transpose(1, 2).reshape(B, T, E))  # (B, H, T, D) -> (B, T, E)


class PositionModel(nn.Module):
    """Attention-only causal transformer with a choice of position information.

    ::

        x_0 = E[tokens] (+ PE or P[positions] for "sinusoidal" / "learned")      (B, T, d)
        x_{l+1} = x_l + CausalSelfAttention_l(LayerNorm(x_l))                      (B, T, d)
        logits = LayerNorm(x_N) W_U                                                (B, T, VOCAB)

    Args:
        position: one of :data:`POSITIONS`.
        d_model: width of the residual stream.
        num_heads: heads per layer.
        num_layers: attention layers.
        max_len: rows of the learned table (``position="learned"`` only).
    """

    def __init__(
        self,
        position: Position,
        d_model: int = 32,
        num_heads: int = 4,
        num_layers: int = 2,
        max_len: int = TRAIN_LENGTH,
    ) -> None:
        super().__init__()
        _check_position(position)
        check_positive_int("num_layers", num_layers)
        self.position = position
        self.d_model = check_positive_int("d_model", d_model)
        self.token = nn.Embedding(VOCAB, d_model)
        self.learned = LearnedPositionalEmbedding(max_len, d_model) if position == "learned" else None
        self.norms = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(num_layers))
        self.layers = nn.ModuleList(
            CausalSelfAttention(d_model, num_heads, position) for _ in range(num_layers)
        )
        self.final_norm = nn.LayerNorm(d_model)
        self.unembed = nn.Linear(d_model, VOCAB)

    def forward(self, tokens: Tensor, window: int | None = None, rope_scale: float = 1.0) -> Tensor:
        """``tokens (B, T)`` -> next-token logits ``(B, T, VOCAB)``.

        ``window`` restricts every head to its last ``window`` keys; ``rope_scale`` scales RoPE's
        positions (see :class:`CausalSelfAttention`). A learned table raises ``ValueError`` for a
        sequence longer than its ``max_len``.
        """
        if tokens.dim() != 2 or tokens.is_floating_point():
            raise ValueError(
                f"tokens: expected integer ids of shape (batch, length), got {fmt_shape(tokens.shape)}"
            )
        if window is not None:
            window = check_positive_int("window", window)
        if not (isinstance(rope_scale, (int, float)) and rope_scale > 0):
            raise ValueError(f"rope_scale: expected a positive number, got {rope_scale!r}")
        T = tokens.shape[1]
        x = self.token(tokens)  # (B, T, d)
        if self.position == "sinusoidal":
            x = x + sinusoidal_encoding(T, self.d_model, device=tokens.device)  # (T, d) broadcasts over B
        elif self.learned is not None:
            x = self.learned(x)  # raises beyond max_len
        for norm, attention in zip(self.norms, self.layers, strict=True):
            x = x + attention(norm(x), window, rope_scale)
        return self.unembed(self.final_norm(x))


def _check_position(position: object) -> None:
    if position not in POSITIONS:
        raise ValueError(f"position: expected one of {POSITIONS}, got {position!r}")


def _scaled_rotary(rotary: RotaryEmbedding, scale: float) -> RotaryEmbedding:
    """A copy of ``rotary`` that sees position ``m`` as ``scale * m`` (angles ``scale * m * theta_i``)."""
    scaled = RotaryEmbedding(rotary.head_dim)
    scaled.inv_freq = rotary.inv_freq * scale
    return scaled.to(rotary.inv_freq.device)


def _loss(logits: Tensor, targets: Tensor) -> Tensor:
    return nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE)


@dataclass
class ExtrapolationHistory(History):
    """The loss at every step, and the trained model's accuracy at each of :data:`EVAL_LENGTHS`.

    ``accuracy[i]`` is :func:`accuracy` at ``lengths[i]``, measured once after training (and so cached
    with the model); ``nan`` where the model cannot run.
    """

    lengths: list[int] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)


@cached_training
def train_extrapolation(
    position: Position = "alibi", seed: int = 0, steps: int = 600, lr: float = 1e-2
) -> tuple[PositionModel, ExtrapolationHistory]:
    """Train a :class:`PositionModel` on periodic sequences of ``TRAIN_LENGTH`` tokens, then measure it.

    Every scheme starts from the same seed and sees the same batches. Deterministic for given arguments;
    about 10 seconds on one CPU thread, training and measurement at :data:`EVAL_LENGTHS` included.
    """
    _check_position(position)
    torch.manual_seed(seed)
    model = PositionModel(position)
    losses = fit(model, make_batch, _loss, seed=seed, steps=steps, lr=lr).losses
    lengths = list(EVAL_LENGTHS)
    return model, ExtrapolationHistory(losses, lengths, extrapolation_curve(model, EVAL_LENGTHS))


@torch.no_grad()
def accuracy(
    model: PositionModel,
    length: int,
    *,
    num_sequences: int = 100,
    seed: int = 0,
    window: int | None = None,
    rope_scale: float = 1.0,
) -> float:
    """Fraction of the predictable next tokens right, on held-out sequences of ``length`` tokens.

    The sequences are drawn with a non-training seed and are the same for every model. ``window`` and
    ``rope_scale`` are passed to the model. Raises ``ValueError`` where the model cannot run (a learned
    table shorter than ``length``).
    """
    length = check_positive_int("length", length)
    sequence, targets = make_batch(
        held_out_generator(seed), check_positive_int("num_sequences", num_sequences), length
    )
    right, scored = 0, 0
    with one_thread():
        for rows in range(0, num_sequences, 25):  # 25 sequences at a time: (25, H, T, T) scores at most
            logits = model(sequence[rows : rows + 25], window, rope_scale)
            target = targets[rows : rows + 25]
            mask = target != IGNORE
            right += int((logits.argmax(-1) == target)[mask].sum())
            scored += int(mask.sum())
    return right / scored


def extrapolation_curve(model: PositionModel, lengths: tuple[int, ...] = EVAL_LENGTHS) -> list[float]:
    """:func:`accuracy` at each length; ``nan`` where the model cannot run (a learned table too short)."""
    limit = model.learned.max_len if model.learned is not None else math.inf
    return [accuracy(model, length) if length <= limit else math.nan for length in lengths]
