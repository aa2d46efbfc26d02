"""A tiny attention-only transformer that learns induction, with every head's weights in view.

The task is the one used to study *induction heads* (Olsson et al., 2022, "In-context Learning and
Induction Heads", arXiv:2209.11895). A sequence starts with a beginning-of-sequence token ``BOS``, then
holds ``SEQ_LEN - 1 - n`` distinct random tokens, then a copy of ``n`` consecutive tokens taken from
somewhere among them (``MIN_COPY <= n <= MAX_COPY``, start and length random)::

    BOS  k d q a w f j z u c  w f j z      <- "w f j z" was seen before: after w comes f, after f j ...

Inside the copy every next token is predictable by the rule *find the earlier place where the current
token stood and copy the token that followed it*; elsewhere the tokens are random and the loss ignores them.
Where the copy starts and how long it is change from sequence to sequence, so no fixed offset finds the
answer. One attention layer cannot apply the rule (a key would have to know the token *before* it); two
can: a **previous-token head** in layer 0 writes "my predecessor was ``w``" into each position, and an
**induction head** in layer 1 matches the current token against that information and copies the token it
finds.

The model is the attention-only transformer of Elhage et al. (2021), "A Mathematical Framework for
Transformer Circuits": token and learned position embeddings, ``num_layers`` causal
:class:`attention_book.MultiHeadAttention` layers (Vaswani et al., 2017, arXiv:1706.03762) added to a
residual stream, each after a LayerNorm, and a linear read-out::

    x_0 = E[tokens] + P[positions]                          (B, T, d)
    x_{l+1} = x_l + MultiHead_l(LayerNorm(x_l), causal)     (B, T, d)
    logits = LayerNorm(x_N) W_U                             (B, T, VOCAB)

:meth:`TinyTransformer.forward_with_weights` returns the attention weights of every layer and head,
``(num_layers, B, H, T, T)``. :func:`pattern_scores` measures how much each head looks like the patterns of
the "Seeing attention" chapter (previous token, first token, diagonal, induction, ...), and
:func:`ablate_heads` and the ``masks`` argument of :func:`evaluate` let a page test what a head does.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from .._checks import check_positive_int, fmt_shape
from ..multihead import MultiHeadAttention
from ._cache import cached_training
from ._training import History, fit, held_out_generator, one_thread

__all__ = [
    "BOS",
    "IGNORE",
    "MAX_COPY",
    "MIN_COPY",
    "PATTERNS",
    "SEQ_LEN",
    "VOCAB",
    "TinyTransformer",
    "TrainingHistory",
    "ablate_heads",
    "accuracy",
    "evaluate",
    "head_entropy",
    "held_out_batch",
    "initial_model",
    "make_batch",
    "measure_heads",
    "pattern_scores",
    "predictable",
    "train_tiny_transformer",
]

VOCAB = 32  # ordinary tokens 0 .. VOCAB - 1
BOS = VOCAB  # the beginning-of-sequence token
SEQ_LEN = 25  # BOS + 24 tokens
MIN_COPY = 4
MAX_COPY = 10
IGNORE = -100  # target of the positions that cannot be predicted (cross_entropy's ignore_index)

#: The patterns that :func:`pattern_scores` measures, in the order it returns them.
PATTERNS: tuple[str, ...] = ("previous", "first", "diagonal", "local", "induction")


def predictable(sequence: Tensor) -> Tensor:
    """Where the next token follows from an earlier occurrence of the current one: bool ``(B, T)``.

    Position ``t`` (``BOS`` at 0) is predictable when its token stood at some ``1 <= j < t`` before; the
    next token is then the one that followed it (in this task's sequences every token of the random part
    is distinct, so there is one such ``j``). The last position has no next token.
    """
    if sequence.dim() != 2:
        raise ValueError(f"sequence: expected shape (batch, length), got {fmt_shape(sequence.shape)}")
    T = sequence.shape[1]
    t = torch.arange(T)
    earlier = (t[None, :] < t[:, None]) & (t[None, :] >= 1)  # (T, T): key j is before query t, not BOS
    seen = ((sequence[:, :, None] == sequence[:, None, :]) & earlier).any(-1)  # (B, T)
    seen[:, -1] = False
    return seen


def make_batch(
    generator: torch.Generator, batch_size: int = 64, length: int = SEQ_LEN
) -> tuple[Tensor, Tensor]:
    """Sequences ``(B, length)`` that end in a copy of an earlier stretch, and their targets ``(B, length)``.

    The target at position ``t`` is the token at ``t + 1`` inside the copy (see :func:`predictable`) and
    ``IGNORE`` elsewhere.
    """
    B = check_positive_int("batch_size", batch_size)
    length = check_positive_int("length", length)
    if not 2 * MAX_COPY < length <= VOCAB + 1 + MIN_COPY:  # room for the copy; the random part distinct
        raise ValueError(
            f"length: expected a value in [{2 * MAX_COPY + 1}, {VOCAB + 1 + MIN_COPY}], got {length}"
        )
    n = torch.randint(MIN_COPY, MAX_COPY + 1, (B,), generator=generator)  # (B,) copy lengths
    m = length - 1 - n  # (B,) length of the random part
    start = (torch.rand(B, generator=generator) * (m - n + 1)).long()  # (B,) where the copied stretch starts
    tokens = torch.rand(B, VOCAB, generator=generator).argsort(-1)  # (B, VOCAB): distinct tokens per row
    i = torch.arange(length - 1)[None, :]  # (1, T - 1)
    source = torch.where(i < m[:, None], i, start[:, None] + i - m[:, None])  # (B, T - 1): index into tokens
    sequence = torch.cat([torch.full((B, 1), BOS), tokens.gather(-1, source)], dim=-1)  # (B, T)
    targets = torch.full_like(sequence, IGNORE)
    targets[:, :-1] = sequence[:, 1:]
    targets[~predictable(sequence)] = IGNORE
    return sequence, targets


class TinyTransformer(nn.Module):
    """Attention-only causal transformer: embeddings, ``num_layers`` multi-head layers, a read-out.

    Args:
        d_model: width of the residual stream.
        num_heads: heads per layer; ``d_model`` must be divisible by it.
        num_layers: number of attention layers.
        max_len: the longest sequence the position embedding covers.
    """

    def __init__(self, d_model: int = 32, num_heads: int = 4, num_layers: int = 2, max_len: int = 64) -> None:
        super().__init__()
        check_positive_int("num_layers", num_layers)
        self.max_len = check_positive_int("max_len", max_len)
        self.token = nn.Embedding(VOCAB + 1, d_model)  # + 1 for BOS
        self.position = nn.Embedding(max_len, d_model)
        self.norms = nn.ModuleList(nn.LayerNorm(d_model) for _ in range(num_layers))
        self.layers = nn.ModuleList(MultiHeadAttention(d_model, num_heads) for _ in range(num_layers))
        self.final_norm = nn.LayerNorm(d_model)
        self.unembed = nn.Linear(d_model, VOCAB)

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def num_heads(self) -> int:
        first = self.layers[0]
        assert isinstance(first, MultiHeadAttention)
        return first.num_heads

    def forward(self, tokens: Tensor) -> Tensor:
        """``tokens (B, T)`` -> next-token logits ``(B, T, VOCAB)``."""
        logits, _ = self.forward_with_weights(tokens)
        return logits

    def forward_with_weights(
        self, tokens: Tensor, masks: Mapping[int, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        """Logits ``(B, T, VOCAB)`` and the weights of every head ``(num_layers, B, H, T, T)``.

        ``masks`` maps a layer index to an extra keep-mask for that layer (``True`` = may attend),
        broadcasting to ``(B, H, T, T)``; it is combined with the causal mask. Use it to hide keys from
        a head and see what changes.
        """
        if tokens.dim() != 2 or not 1 <= tokens.shape[1] <= self.max_len:
            raise ValueError(
                f"tokens: expected shape (batch, length <= {self.max_len}), got {fmt_shape(tokens.shape)}"
            )
        if tokens.is_floating_point() or int(tokens.min()) < 0 or int(tokens.max()) > BOS:
            raise ValueError(f"tokens: expected integer ids in [0, {BOS}] (BOS = {BOS})")
        masks = dict(masks or {})
        if any(not 0 <= layer < self.num_layers for layer in masks):
            raise ValueError(f"masks: expected layer indices in [0, {self.num_layers}), got {sorted(masks)}")
        T = tokens.shape[1]
        x = self.token(tokens) + self.position(torch.arange(T, device=tokens.device))  # (B, T, d)
        causal = torch.ones(T, T, dtype=torch.bool, device=tokens.device).tril()  # (T, T)
        all_weights = []
        for index, (norm, attention) in enumerate(zip(self.norms, self.layers, strict=True)):
            keep = causal if index not in masks else causal & masks[index].bool()
            h = norm(x)
            out, weights = attention(h, h, h, mask=keep)  # (B, T, d), (B, H, T, T)
            assert weights is not None
            x = x + out
            all_weights.append(weights)
        return self.unembed(self.final_norm(x)), torch.stack(all_weights)


def _loss(logits: Tensor, targets: Tensor) -> Tensor:
    return nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=IGNORE)


def initial_model(
    seed: int = 0, d_model: int = 32, num_heads: int = 4, num_layers: int = 2
) -> TinyTransformer:
    """The model that :func:`train_tiny_transformer` starts from, before any training step."""
    torch.manual_seed(seed)
    return TinyTransformer(d_model=d_model, num_heads=num_heads, num_layers=num_layers)


@dataclass
class TrainingHistory(History):
    """The loss at every step, plus how the heads looked during training.

    Every ``probe_every`` steps, from before the first to after the last, on fixed held-out sequences:
    the largest ``previous`` score of a first-layer head and the largest ``induction`` score of a
    last-layer head (:func:`pattern_scores`). ``probe_steps[i]`` counts the updates made before probe ``i``.
    """

    probe_steps: list[int] = field(default_factory=list)
    previous: list[float] = field(default_factory=list)
    induction: list[float] = field(default_factory=list)


@torch.no_grad()
def _probe(model: TinyTransformer, sequence: Tensor, history: TrainingHistory, step: int) -> None:
    """Record the clearest previous-token head of layer 0 and induction head of the last layer."""
    _, weights = model.forward_with_weights(sequence)  # (layers, B, H, T, T)
    history.probe_steps.append(step)
    history.previous.append(pattern_scores(weights[0])["previous"].mean(0).max().item())
    history.induction.append(pattern_scores(weights[-1], sequence)["induction"].mean(0).max().item())


@cached_training
def train_tiny_transformer(
    seed: int = 0,
    steps: int = 800,
    lr: float = 1e-2,
    d_model: int = 32,
    num_heads: int = 4,
    num_layers: int = 2,
    probe_every: int = 10,
) -> tuple[TinyTransformer, TrainingHistory]:
    """Train a :class:`TinyTransformer` on repeated segments; deterministic for given arguments.

    Probing the heads during training reads the model without changing it or the training data, so the
    trained model does not depend on ``probe_every``.
    """
    probe_every = check_positive_int("probe_every", probe_every)
    model = initial_model(seed, d_model, num_heads, num_layers)
    history = TrainingHistory()
    probe, _ = held_out_batch(num_sequences=100, seed=seed + 1)
    updates = itertools.count()

    def batches(generator: torch.Generator) -> tuple[Tensor, Tensor]:
        step = next(updates)  # fit asks for a batch before each update
        if step % probe_every == 0:
            _probe(model, probe, history, step)
        return make_batch(generator)

    history.losses = fit(model, batches, _loss, seed=seed, steps=steps, lr=lr).losses
    _probe(model, probe, history, steps)
    return model, history


def held_out_batch(num_sequences: int = 1000, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Held-out sequences ``(N, SEQ_LEN)`` and targets ``(N, SEQ_LEN)``, drawn with a non-training seed."""
    return make_batch(held_out_generator(seed), num_sequences)


@torch.no_grad()
def accuracy(
    model: TinyTransformer, sequence: Tensor, targets: Tensor, masks: Mapping[int, Tensor] | None = None
) -> float:
    """Fraction of the predictable next tokens (targets not ``IGNORE``) that ``model`` gets right.

    ``masks`` (layer -> keep-mask broadcasting to ``(B, H, T, T)``) hides keys from the heads of a layer,
    as in :meth:`TinyTransformer.forward_with_weights`.
    """
    if targets.shape != sequence.shape:
        raise ValueError(
            f"targets: expected shape {fmt_shape(sequence.shape)}, got {fmt_shape(targets.shape)}"
        )
    with one_thread():
        logits, _ = model.forward_with_weights(sequence, masks)
    scored = targets != IGNORE
    return (logits.argmax(-1) == targets)[scored].float().mean().item()


def evaluate(model: TinyTransformer, num_sequences: int = 1000, seed: int = 0) -> float:
    """Accuracy on the predictable next tokens of ``num_sequences`` held-out sequences."""
    return accuracy(model, *held_out_batch(num_sequences, seed))


@torch.no_grad()
def measure_heads(model: TinyTransformer, num_sequences: int = 200, seed: int = 0) -> dict[str, Tensor]:
    """Every head's :func:`pattern_scores` and :func:`head_entropy` on held-out sequences.

    Returns a dict name -> ``(num_layers, H)`` tensor, averaged over sequences and queries; the names are
    :data:`PATTERNS` and ``"entropy"`` (bits).
    """
    sequence, _ = held_out_batch(num_sequences, seed)
    with one_thread():
        _, weights = model.forward_with_weights(sequence)  # (layers, B, H, T, T)
    scores = {name: value.mean(1) for name, value in pattern_scores(weights, sequence).items()}
    scores["entropy"] = head_entropy(weights).mean(1)
    return scores


def ablate_heads(model: TinyTransformer, heads: Sequence[tuple[int, int]]) -> TinyTransformer:
    """A copy of ``model`` in which each ``(layer, head)`` listed contributes nothing to the output.

    The head still computes its weights; the columns of the layer's output projection that read its
    output are set to zero, which is the same as replacing the head's output by zeros.
    """
    ablated = copy.deepcopy(model)
    for layer, head in heads:
        if not 0 <= layer < model.num_layers or not 0 <= head < model.num_heads:
            raise ValueError(
                f"heads: expected (layer, head) with layer < {model.num_layers} and "
                f"head < {model.num_heads}, got {(layer, head)}"
            )
        attention = ablated.layers[layer]
        assert isinstance(attention, MultiHeadAttention)
        width = attention.head_dim
        with torch.no_grad():
            attention.out_proj.weight[:, head * width : (head + 1) * width] = 0.0
    return ablated


def head_entropy(weights: Tensor) -> Tensor:
    """Mean entropy in bits of each head's rows: weights ``(..., L, S)`` -> ``(...)``.

    ``0`` bits: every query puts all its weight on one key. ``log2(n)`` bits: spread evenly over ``n``.
    Zero weights (masked keys) add nothing.
    """
    plogp = torch.where(weights > 0, weights * weights.clamp_min(1e-30).log2(), torch.zeros_like(weights))
    return -plogp.sum(-1).mean(-1)


def pattern_scores(
    weights: Tensor, sequence: Tensor | None = None, window: int = 1, queries: Tensor | None = None
) -> dict[str, Tensor]:
    """How strongly weights ``(..., T, T)`` follow each pattern of :data:`PATTERNS`, averaged over queries.

    Every score is a share of the weight, in [0, 1], averaged over the query positions ``t >= 1`` (in a
    causal model query 0 can only see itself):

    * ``previous``: weight on key ``t - 1``;
    * ``first``: weight on key ``0`` (the "attention sink" of Xiao et al., 2023, arXiv:2309.17453);
    * ``diagonal``: weight on key ``t`` itself;
    * ``local``: weight on keys ``t - window .. t + window``;
    * ``induction``: weight on the keys right after earlier occurrences of the current token, averaged
      over the queries that have such an occurrence. It needs ``sequence (B, T)``; without it the score
      is NaN.

    ``queries``, a bool ``(B, T)``, restricts the average to the query positions marked ``True``. With
    ``sequence`` or ``queries``, ``weights`` must be ``(..., B, H, T, T)`` or ``(..., B, T, T)``.

    Returns a dict name -> tensor of shape ``weights.shape[:-2]`` (e.g. ``(B, H)``); average further over
    the batch as needed.
    """
    if weights.dim() < 2 or weights.shape[-1] != weights.shape[-2] or weights.shape[-1] < 2:
        raise ValueError(f"weights: expected shape (..., T, T) with T >= 2, got {fmt_shape(weights.shape)}")
    T = weights.shape[-1]
    for name, tensor in (("sequence", sequence), ("queries", queries)):
        if tensor is not None and (tensor.dim() != 2 or tensor.shape[1] != T):
            raise ValueError(f"{name}: expected shape (batch, {T}), got {fmt_shape(tensor.shape)}")
    rows = weights[..., 1:, :]  # (..., T - 1, T): row i is query t = i + 1
    t = torch.arange(1, T)
    keys = torch.arange(T)
    offset = t[:, None] - keys[None, :]  # (T - 1, T): how far back each key is
    per_query = {  # name -> (..., T - 1)
        "previous": rows.diagonal(offset=0, dim1=-2, dim2=-1),  # key t - 1
        "first": rows[..., 0],
        "diagonal": rows.diagonal(offset=1, dim1=-2, dim2=-1),  # key t
        "local": (rows * (offset.abs() <= window)).sum(-1),
    }
    counted = None if queries is None else _by_batch(queries[:, 1:].bool(), weights)  # (B, [1,] T - 1)
    scores = {name: _mean_over(value, counted) for name, value in per_query.items()}
    if sequence is None:
        scores["induction"] = torch.full(weights.shape[:-2], float("nan"))
        return scores
    # Key j is an induction target of query t when token j - 1 equals token t and j - 1 < t.
    same = sequence[:, 1:, None] == sequence[:, None, :-1]  # (B, T - 1, T - 1): token t vs token j - 1
    before = (keys[None, :-1] < t[:, None])[None]  # (1, T - 1, T - 1): j - 1 < t
    target = torch.zeros(sequence.shape[0], T - 1, T, dtype=torch.bool)
    target[..., 1:] = same & before  # (B, T - 1, T)
    has_target = _by_batch(target.any(-1), weights)  # (B, [1,] T - 1): queries with an earlier occurrence
    mass = (rows * _by_batch(target, weights)).sum(-1)  # (..., T - 1)
    scores["induction"] = _mean_over(mass, has_target if counted is None else has_target & counted)
    return scores


def _by_batch(mask: Tensor, weights: Tensor) -> Tensor:
    """Add a head dimension to a per-sequence mask ``(B, ...)`` when weights are ``(..., B, H, T, T)``."""
    if weights.dim() >= 4 and weights.shape[-4] == mask.shape[0]:
        return mask[:, None]
    return mask


def _mean_over(values: Tensor, counted: Tensor | None) -> Tensor:
    """Mean over the last dimension of the entries where ``counted`` is True (all of them if None)."""
    if counted is None:
        return values.mean(-1)
    return (values * counted).sum(-1) / counted.sum(-1).clamp_min(1)
