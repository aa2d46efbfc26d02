"""A tiny causal language model: a decoder-only transformer, a synthetic language, KV-cached generation.

**The language.** A text starts with ``BOS`` and goes on with tokens ``0 .. VOCAB - 1`` drawn uniformly at
random, except that now and then it *echoes*: at each position, with probability ``P_ECHO``, it starts
repeating, for ``MIN_ECHO .. MAX_ECHO`` tokens, what it wrote ``lag`` positions earlier
(``MIN_LAG <= lag <= MAX_LAG``)::

    ^ q 7 K d 2 x R d 2 x R m ...        "d 2 x R" is echoed at lag 4

The first token of an echo is a surprise; every later one is predictable by the rule that *induction
heads* apply (Olsson et al., 2022, "In-context Learning and Induction Heads", arXiv:2209.11895): find the
earlier place where the current token stood and copy the token that followed it. Echoes reach back at most
``MAX_LAG`` positions, so a window of ``MAX_LAG + 1`` or more recent tokens holds everything a prediction
needs, however long the text: the language suits sliding-window attention, and a measurement of what a
window loses measures the attention mechanism, not the information the window hides.

**The model**, :class:`TinyLM`, is a decoder-only transformer in the style of GPT (Vaswani et al., 2017,
arXiv:1706.03762): ``num_layers`` pre-norm blocks of causal :class:`~attention_book.MultiHeadAttention`
(grouped-query with ``num_kv_heads`` key/value heads, Ainslie et al., 2023, arXiv:2305.13245) and a
feed-forward network, then a final LayerNorm and a read-out::

    x_0 = E[token_t] + P[token_{t-1}]                (B, T, d)
    h_l = x_l + MultiHead_l(LayerNorm(x_l), causal)  (B, T, d)
    x_{l+1} = h_l + FFN_l(LayerNorm(h_l))            (B, T, d)
    logits = LayerNorm(x_N) W_U                      (B, T, VOCAB)

It has **no position encoding** (NoPE; Kazemnejad et al., 2023, arXiv:2305.19466, find that causal
decoders train well without one): a key is the same vector whichever slot of a cache holds it, so the
library's :class:`~attention_book.KVCache` and :class:`~attention_book.RollingKVCache` (with attention
sinks) work as they are, with no positions to renumber. The second embedding ``P[token_{t-1}]``, of the
*previous* token, gives each position the one piece of order that induction needs (the "smeared keys" of
Olsson et al., 2022 do the same inside the keys); it needs only the last token, so it streams too.

**Generation** (:func:`generate`) runs the prompt through the model once (the *prefill*), then feeds one
token at a time, keeping each layer's keys and values in a :class:`DecodingState`: a full
:class:`~attention_book.KVCache`, or a :class:`~attention_book.RollingKVCache` that keeps the last
``window`` positions and the first ``sinks`` (StreamingLLM, Xiao et al., 2023, arXiv:2309.17453).
:func:`token_losses` measures the same attention patterns on whole texts at once, with the keep-mask of
:func:`streaming_mask`.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._checks import check_positive_int, check_tensor, fmt_shape
from ..kv_cache import Cache, KVCache, RollingKVCache
from ..multihead import MultiHeadAttention
from ..transformer import FeedForward
from ._cache import cached_training
from ._training import History, fit, held_out_generator, one_thread

__all__ = [
    "ALPHABET",
    "BOS",
    "MAX_ECHO",
    "MAX_LAG",
    "MIN_ECHO",
    "MIN_LAG",
    "P_ECHO",
    "SEQ_LEN",
    "VOCAB",
    "DecoderLayer",
    "DecodingState",
    "Evaluation",
    "TinyLM",
    "evaluate",
    "generate",
    "held_out_text",
    "initial_model",
    "make_batch",
    "sample_text",
    "streaming_mask",
    "to_text",
    "token_losses",
    "train_language_model",
]

VOCAB = 64  # ordinary tokens 0 .. VOCAB - 1
BOS = VOCAB  # the beginning-of-sequence token; also the "previous token" of the first position
SEQ_LEN = 64  # the length of the training texts (BOS included): the model's trained context
P_ECHO = 0.12  # chance, at each position not inside an echo, that an echo starts there
MIN_ECHO, MAX_ECHO = 4, 8  # length of an echo, in tokens
MIN_LAG, MAX_LAG = 4, 24  # how far back an echo copies from

#: One printable character per token, for :func:`to_text`; ``BOS`` prints as ``^``.
ALPHABET = string.ascii_lowercase + string.ascii_uppercase + string.digits + "+-"
assert len(ALPHABET) == VOCAB


# --------------------------------------------------------------------------------------------------------
# The language
# --------------------------------------------------------------------------------------------------------


def sample_text(generator: torch.Generator, batch_size: int, length: int) -> tuple[Tensor, Tensor]:
    """Texts of the echo language ``(B, length)``, ``BOS`` first, and where they are predictable.

    Returns ``(tokens, predictable)``: ``predictable[b, t]`` is ``True`` when token ``t`` continues an echo,
    so that it follows from the tokens before it (it equals the token ``lag`` positions back, and so does
    token ``t - 1``). Random tokens and the first token of each echo are not predictable.
    """
    B = check_positive_int("batch_size", batch_size)
    T = check_positive_int("length", length)
    tokens = torch.empty(B, T, dtype=torch.long)
    tokens[:, 0] = BOS
    predictable = torch.zeros(B, T, dtype=torch.bool)
    rows = torch.arange(B)
    remaining = torch.zeros(B, dtype=torch.long)  # tokens left in the current echo, 0 if none
    lag = torch.zeros(B, dtype=torch.long)
    for t in range(1, T):
        new_lag = torch.randint(MIN_LAG, MAX_LAG + 1, (B,), generator=generator)
        new_length = torch.randint(MIN_ECHO, MAX_ECHO + 1, (B,), generator=generator)
        start = (remaining == 0) & (torch.rand(B, generator=generator) < P_ECHO) & (t - new_lag >= 1)
        lag = torch.where(start, new_lag, lag)
        remaining = torch.where(start, new_length, remaining)
        echoing = remaining > 0
        random = torch.randint(0, VOCAB, (B,), generator=generator)
        source = tokens[rows, (t - lag).clamp_min(0)]  # the token `lag` back; used only while echoing
        tokens[:, t] = torch.where(echoing, source, random)
        predictable[:, t] = echoing & ~start  # the first echoed token is a surprise
        remaining = (remaining - 1).clamp_min(0)
    return tokens, predictable


def make_batch(
    generator: torch.Generator, batch_size: int = 32, length: int = SEQ_LEN
) -> tuple[Tensor, Tensor]:
    """A training batch: inputs ``(B, length)`` and next-token targets ``(B, length)``, from one text each."""
    tokens, _ = sample_text(generator, batch_size, length + 1)
    return tokens[:, :-1], tokens[:, 1:]


def held_out_text(num_sequences: int = 64, length: int = SEQ_LEN, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Texts ``(N, length)`` and their ``predictable`` flags, drawn with a seed no training run uses."""
    return sample_text(held_out_generator(seed), num_sequences, length)


def to_text(tokens: Tensor) -> str:
    """One text ``(T,)`` as a string: a character of :data:`ALPHABET` per token, ``^`` for ``BOS``."""
    tokens = check_tensor("tokens", tokens)
    if tokens.dim() != 1:
        raise ValueError(f"tokens: expected shape (T,), one text, got {fmt_shape(tokens.shape)}")
    return "".join("^" if t == BOS else ALPHABET[t] for t in tokens.tolist())


# --------------------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------------------


class DecoderLayer(nn.Module):
    """A pre-norm decoder-only block: causal self-attention, then a feed-forward network.

    ::

        h = x + self_attn(norm1(x), causal)  # with a cache: after the cached positions
        out = h + ff(norm2(h))

    Args:
        d_model: model width.
        num_heads: query heads ``H``.
        num_kv_heads: key/value heads ``Hkv`` (divides ``H``; ``None``: ``H``).
        d_ff: hidden width of the feed-forward network.
    """

    def __init__(self, d_model: int, num_heads: int, num_kv_heads: int | None, d_ff: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attn = MultiHeadAttention(d_model, num_heads, num_kv_heads=num_kv_heads)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff = FeedForward(d_model, d_ff, activation="gelu")

    def forward(
        self, x: Tensor, *, mask: Tensor | None = None, cache: Cache | None = None, need_weights: bool = False
    ) -> tuple[Tensor, Tensor | None]:
        """``x (B, T, d)`` -> ``(B, T, d)`` and, if ``need_weights``, the weights ``(B, H, T, S)``.

        Without ``mask`` the attention is causal (``is_causal=True``; with a cache, aligned bottom-right).
        With ``mask``, a keep-mask ``(T, T)`` that already includes causality, it is used as it is.
        """
        h = self.norm1(x)
        if mask is None:
            out, weights = self.self_attn(h, is_causal=True, cache=cache, need_weights=need_weights)
        else:
            out, weights = self.self_attn(h, mask=mask, need_weights=need_weights)
        x = x + out
        return x + self.ff(self.norm2(x)), weights


class DecodingState:
    """What generation carries from one step to the next: one cache per layer, and the last token fed.

    Made by :meth:`TinyLM.new_state`. Every call ``model(tokens, state=state)`` appends the new positions'
    keys and values to the caches and remembers the last token (the next position's "previous token").
    """

    def __init__(self, caches: Sequence[Cache]) -> None:
        self.caches: list[Cache] = list(caches)
        self.last_token: Tensor | None = None  # (B,): the token fed last; None before the first call

    def __len__(self) -> int:
        """Positions fed so far (a rolling cache holds fewer of them)."""
        cache = self.caches[0]
        return cache.seen if isinstance(cache, RollingKVCache) else len(cache)

    @property
    def nbytes(self) -> int:
        """Memory of the keys and values held by all layers' caches."""
        return sum(cache.nbytes for cache in self.caches)


class TinyLM(nn.Module):
    """A decoder-only transformer without position embeddings, for the echo language.

    Args:
        d_model: width of the residual stream.
        num_heads: query heads per layer.
        num_kv_heads: key/value heads per layer (grouped-query attention); ``None``: as many as ``num_heads``.
        num_layers: number of :class:`DecoderLayer` blocks.
        d_ff: hidden width of the feed-forward networks.
    """

    def __init__(
        self,
        d_model: int = 64,
        num_heads: int = 4,
        num_kv_heads: int | None = 2,
        num_layers: int = 2,
        d_ff: int = 128,
    ) -> None:
        super().__init__()
        check_positive_int("num_layers", num_layers)
        self.token = nn.Embedding(VOCAB + 1, d_model)  # + 1 for BOS
        self.previous = nn.Embedding(VOCAB + 1, d_model)  # the token before; BOS before the first position
        self.layers = nn.ModuleList(
            DecoderLayer(d_model, num_heads, num_kv_heads, d_ff) for _ in range(num_layers)
        )
        self.final_norm = nn.LayerNorm(d_model)
        self.unembed = nn.Linear(d_model, VOCAB)

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def num_heads(self) -> int:
        return self._attention(0).num_heads

    @property
    def num_kv_heads(self) -> int:
        return self._attention(0).num_kv_heads

    def _attention(self, layer: int) -> MultiHeadAttention:
        block = self.layers[layer]
        assert isinstance(block, DecoderLayer)
        return block.self_attn

    def new_state(self, window: int | None = None, sinks: int = 0, capacity: int = 0) -> DecodingState:
        """Empty caches for generation, one per layer.

        ``window=None``: a :class:`~attention_book.KVCache` per layer, that keeps every position
        (``capacity`` positions preallocated). Else a :class:`~attention_book.RollingKVCache` that keeps
        the last ``window`` positions and the first ``sinks``.
        """
        if window is None:
            if sinks != 0:
                raise ValueError(
                    f"sinks: expected 0 without a window (a full cache keeps all), got {sinks!r}"
                )
            return DecodingState([KVCache(capacity) for _ in range(self.num_layers)])
        return DecodingState([RollingKVCache(window, sinks) for _ in range(self.num_layers)])

    def forward(
        self, tokens: Tensor, *, mask: Tensor | None = None, state: DecodingState | None = None
    ) -> Tensor:
        """``tokens (B, T)`` -> next-token logits ``(B, T, VOCAB)``.

        ``mask``: a keep-mask ``(T, T)`` ANDed with the causal mask (see :func:`streaming_mask`).
        ``state``: caches from :meth:`new_state`; ``tokens`` are then the *next* positions, after those
        already fed, and attend to them too.
        """
        logits, _ = self._run(tokens, mask, state, need_weights=False)
        return logits

    def forward_with_weights(
        self, tokens: Tensor, *, mask: Tensor | None = None, state: DecodingState | None = None
    ) -> tuple[Tensor, Tensor]:
        """Logits ``(B, T, VOCAB)`` and every head's weights ``(num_layers, B, H, T, S)``.

        Without a state ``S = T``. With a full cache ``S`` counts the cached positions too; with a rolling
        cache the keys are in the cache's slot order (``state.caches[l].positions``).
        """
        logits, weights = self._run(tokens, mask, state, need_weights=True)
        assert weights is not None
        return logits, weights

    def _run(
        self, tokens: Tensor, mask: Tensor | None, state: DecodingState | None, need_weights: bool
    ) -> tuple[Tensor, Tensor | None]:
        tokens = _check_tokens(tokens)
        B, T = tokens.shape
        keep = None
        if mask is not None:
            if state is not None:
                raise ValueError(
                    "mask: expected None with a state (the caches bring their own), got a tensor"
                )
            keep = check_tensor("mask", mask).bool()
            if keep.shape != (T, T):
                raise ValueError(f"mask: expected shape ({T}, {T}), got {fmt_shape(keep.shape)}")
            keep = keep & torch.ones(T, T, dtype=torch.bool, device=tokens.device).tril()  # causal too
        if state is not None and len(state.caches) != self.num_layers:
            raise ValueError(
                f"state: expected {self.num_layers} caches (one per layer), got {len(state.caches)}"
            )
        if state is None or state.last_token is None:
            first = torch.full((B, 1), BOS, dtype=tokens.dtype, device=tokens.device)
        else:
            if state.last_token.shape != (B,):
                raise ValueError(
                    f"tokens: expected batch size {state.last_token.shape[0]} (the state's), got {B}"
                )
            first = state.last_token[:, None]
        previous = torch.cat([first, tokens[:, :-1]], dim=1)  # (B, T): the token before each position
        x = self.token(tokens) + self.previous(previous)  # (B, T, d)
        all_weights = []
        for index, block in enumerate(self.layers):
            cache = None if state is None else state.caches[index]
            x, weights = block(x, mask=keep, cache=cache, need_weights=need_weights)
            all_weights.append(weights)
        if state is not None:
            state.last_token = tokens[:, -1]
        logits = self.unembed(self.final_norm(x))  # (B, T, VOCAB)
        if not need_weights:
            return logits, None
        return logits, torch.stack([w for w in all_weights if w is not None])


def _check_tokens(tokens: object) -> Tensor:
    tokens = check_tensor("tokens", tokens)
    if tokens.dim() != 2 or tokens.shape[1] < 1:
        raise ValueError(f"tokens: expected shape (batch, length >= 1), got {fmt_shape(tokens.shape)}")
    if tokens.is_floating_point() or int(tokens.min()) < 0 or int(tokens.max()) > BOS:
        raise ValueError(f"tokens: expected integer ids in [0, {BOS}] (BOS = {BOS})")
    return tokens


def streaming_mask(length: int, window: int | None = None, sinks: int = 0) -> Tensor:
    """Keep-mask ``(length, length)`` of causal attention over a window of recent keys plus the sinks.

    Query ``i`` sees key ``j <= i`` when ``i - j < window`` (the last ``window`` positions, itself
    included) or ``j < sinks`` (the first ``sinks`` positions, StreamingLLM's attention sinks). This is
    what a :class:`~attention_book.RollingKVCache` ``(window, sinks)`` lets each new token see.
    ``window=None``: plain causal attention.
    """
    length = check_positive_int("length", length)
    if isinstance(sinks, bool) or not isinstance(sinks, int) or sinks < 0:
        raise ValueError(f"sinks: expected a non-negative integer, got {sinks!r}")
    i = torch.arange(length)[:, None]  # (T, 1) queries
    j = torch.arange(length)[None, :]  # (1, T) keys
    causal = j <= i
    if window is None:
        return causal
    window = check_positive_int("window", window)
    return causal & ((i - j < window) | (j < sinks))


# --------------------------------------------------------------------------------------------------------
# Training and evaluation
# --------------------------------------------------------------------------------------------------------


def initial_model(
    seed: int = 0,
    d_model: int = 64,
    num_heads: int = 4,
    num_kv_heads: int | None = 2,
    num_layers: int = 2,
    d_ff: int = 128,
) -> TinyLM:
    """The model that :func:`train_language_model` starts from, before any training step."""
    torch.manual_seed(seed)
    return TinyLM(d_model, num_heads, num_kv_heads, num_layers, d_ff)


def _loss(logits: Tensor, targets: Tensor) -> Tensor:
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten())


@cached_training
def train_language_model(
    seed: int = 0,
    steps: int = 400,
    lr: float = 5e-3,
    batch_size: int = 32,
    d_model: int = 64,
    num_heads: int = 4,
    num_kv_heads: int | None = 2,
    num_layers: int = 2,
    d_ff: int = 128,
) -> tuple[TinyLM, History]:
    """Train a :class:`TinyLM` on texts of ``SEQ_LEN`` tokens: next-token cross-entropy, Adam, one thread.

    Deterministic for given arguments; a dozen seconds of one CPU thread with the defaults.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    model = initial_model(seed, d_model, num_heads, num_kv_heads, num_layers, d_ff)

    def batches(generator: torch.Generator) -> tuple[Tensor, Tensor]:
        return make_batch(generator, batch_size)

    history = fit(model, batches, _loss, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def token_losses(model: TinyLM, tokens: Tensor, window: int | None = None, sinks: int = 0) -> Tensor:
    """Cross-entropy (nats) of each next token, ``(B, T - 1)``: entry ``t`` is the loss on token ``t + 1``.

    The whole texts go through the model at once, under :func:`streaming_mask` ``(window, sinks)``: the
    same attention as generating them one token at a time with a :class:`~attention_book.RollingKVCache`
    ``(window, sinks)`` (``window=None``: a full :class:`~attention_book.KVCache`).
    """
    tokens = _check_tokens(tokens)
    if tokens.shape[1] < 2:
        raise ValueError(f"tokens: expected at least 2 positions, got {fmt_shape(tokens.shape)}")
    model.eval()
    with one_thread():
        logits = model(tokens[:, :-1], mask=streaming_mask(tokens.shape[1] - 1, window, sinks))
    losses = F.cross_entropy(logits.transpose(1, 2), tokens[:, 1:], reduction="none")  # (B, T - 1)
    return losses


@dataclass(frozen=True)
class Evaluation:
    """Held-out results: mean next-token loss (nats) and accuracy on the predictable (echoed) tokens."""

    loss: float
    echo_accuracy: float


@torch.no_grad()
def evaluate(
    model: TinyLM,
    num_sequences: int = 256,
    length: int = SEQ_LEN,
    seed: int = 0,
    window: int | None = None,
    sinks: int = 0,
) -> Evaluation:
    """Loss on every next token and greedy accuracy on the predictable ones, on held-out texts."""
    tokens, predictable = held_out_text(num_sequences, length, seed)
    model.eval()
    with one_thread():
        logits = model(tokens[:, :-1], mask=streaming_mask(length - 1, window, sinks))
    targets = tokens[:, 1:]
    loss = F.cross_entropy(logits.transpose(1, 2), targets).item()
    scored = predictable[:, 1:]
    accuracy = (logits.argmax(-1) == targets)[scored].float().mean().item()
    return Evaluation(loss=loss, echo_accuracy=accuracy)


# --------------------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------------------


@torch.no_grad()
def generate(
    model: TinyLM,
    prompt: Tensor,
    new_tokens: int,
    *,
    use_cache: bool = True,
    window: int | None = None,
    sinks: int = 0,
    temperature: float = 0.0,
    generator: torch.Generator | None = None,
) -> Tensor:
    """Continue ``prompt (B, P)`` by ``new_tokens`` tokens; returns ``(B, P + new_tokens)``.

    ``use_cache=True``: the prompt is run once (the prefill), then one token at a time, each step
    attending to the keys and values kept in a :class:`DecodingState` (a full cache, or with ``window``
    a rolling one with ``sinks``). ``use_cache=False``: every step runs the whole text again (under the
    :func:`streaming_mask` of ``window`` and ``sinks``); the same tokens come out, more slowly.

    ``temperature=0``: greedy (the most likely token). Else sample from ``softmax(logits / temperature)``
    with ``generator``.
    """
    prompt = _check_tokens(prompt)
    if isinstance(new_tokens, bool) or not isinstance(new_tokens, int) or new_tokens < 0:
        raise ValueError(f"new_tokens: expected a non-negative integer, got {new_tokens!r}")
    if not temperature >= 0.0:
        raise ValueError(f"temperature: expected a number >= 0, got {temperature!r}")
    model.eval()
    tokens = prompt
    state = None
    if use_cache:
        capacity = prompt.shape[1] + new_tokens if window is None else 0
        state = model.new_state(window, sinks, capacity)
        logits = model(prompt, state=state)[:, -1]  # the prefill: (B, VOCAB) for the next token
    for step in range(new_tokens):
        if state is None:
            mask = streaming_mask(tokens.shape[1], window, sinks)
            logits = model(tokens, mask=mask)[:, -1]  # the whole text, again
        next_token = _pick(logits, temperature, generator)  # (B, 1)
        tokens = torch.cat([tokens, next_token], dim=1)
        if state is not None and step < new_tokens - 1:
            logits = model(next_token, state=state)[:, -1]  # one new position
    return tokens


def _pick(logits: Tensor, temperature: float, generator: torch.Generator | None) -> Tensor:
    """The next token ``(B, 1)``: the argmax, or a sample at ``temperature``."""
    if temperature == 0.0:
        return logits.argmax(-1, keepdim=True)
    probs = torch.softmax(logits / temperature, dim=-1)
    return torch.multinomial(probs, 1, generator=generator)
