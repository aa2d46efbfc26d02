"""A tiny causal language model of a bracket language: matched brackets, a checker, KV-cached sampling.

**The language.** A text is ``BOS`` followed by sentences, each ended by a full stop. A sentence is a
non-empty string of correctly nested brackets of three kinds, ``()``, ``[]`` and ``{}`` (a Dyck language),
at most :data:`MAX_DEPTH` deep::

    ^ ( [ ] { ( ) } ) . [ ] . { [ ( ) ] } ( ) .

The sentences are drawn by a random walk over the depth. Where the depth is 0 and the sentence is not
empty, the sentence ends with probability :data:`P_END`; else a bracket opens, of a kind drawn uniformly.
Inside brackets, a new bracket opens with probability :data:`P_OPEN` (below ``MAX_DEPTH``), and otherwise
the innermost open bracket closes. Every choice is a coin flip except one: *which* closing bracket comes
is fixed by the innermost bracket still open, which may lie far back. Finding it is a job for attention:
a head that, at a closing bracket, looks at its matching opening bracket. :func:`next_token_probs` gives
the true distribution of the next token, so the best possible loss is known (:func:`ideal_loss`), and
:func:`is_valid` checks a sentence the way a reader does, with a stack.

**The model**, :class:`GrammarLM`, is a decoder-only transformer built from the blocks of
:mod:`attention_book.tasks.language_model` (the pre-norm
:class:`~attention_book.tasks.language_model.DecoderLayer`, with causal
:class:`~attention_book.MultiHeadAttention`; Vaswani et al., 2017, arXiv:1706.03762). Its inputs are
a token embedding plus the fixed sinusoidal position encoding
(:func:`~attention_book.positional.sinusoidal_encoding`)::

    x_0 = E[token_t] + PE[t]                         (B, T, d)
    h_l = x_l + MultiHead_l(LayerNorm(x_l), causal)  (B, T, d)
    x_{l+1} = h_l + FFN_l(LayerNorm(h_l))            (B, T, d)
    logits = LayerNorm(x_N) W_U                      (B, T, VOCAB)

**Generation** (:func:`generate`) with ``use_cache=True`` runs the prompt once and then one token per
step, each layer keeping its keys and values in a :class:`~attention_book.KVCache`; with
``use_cache=False`` every step runs the whole text again. The tokens that come out are the same.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .._checks import check_positive_int, check_tensor, fmt_shape
from ..positional import sinusoidal_encoding
from ._cache import cached_training
from ._training import History, fit, held_out_generator, one_thread
from .language_model import DecoderLayer, DecodingState

__all__ = [
    "BOS",
    "CLOSERS",
    "END",
    "MAX_DEPTH",
    "OPENERS",
    "P_END",
    "P_OPEN",
    "SEQ_LEN",
    "SYMBOLS",
    "VOCAB",
    "GrammarLM",
    "attention_scores",
    "bigram_probs",
    "encode",
    "first_sentences",
    "generate",
    "held_out_text",
    "ideal_loss",
    "initial_model",
    "is_unfinished",
    "is_valid",
    "make_batch",
    "innermost_open",
    "next_token_probs",
    "sample_bigram",
    "sample_text",
    "to_text",
    "train_grammar_lm",
    "valid_fraction",
]

#: One character per token: ``BOS``, three opening and three closing brackets, the full stop.
SYMBOLS = "^([{)]}."
VOCAB = len(SYMBOLS)
BOS = 0
OPENERS = (1, 2, 3)  # ( [ {
CLOSERS = (4, 5, 6)  # ) ] }: the closer of OPENERS[k] is CLOSERS[k]
END = 7  # the full stop that ends a sentence
MAX_DEPTH = 5  # brackets open at once, at most
P_OPEN = 0.4  # chance that a bracket opens inside brackets (below MAX_DEPTH)
P_END = 0.5  # chance that a non-empty sentence ends at depth 0
SEQ_LEN = 32  # the length of the training texts (BOS included)
POOL = 16384  # training texts drawn once, from which the batches are drawn


# --------------------------------------------------------------------------------------------------------
# The language
# --------------------------------------------------------------------------------------------------------


def next_token_probs(depth: Tensor, top: Tensor, empty: Tensor) -> Tensor:
    """The language's distribution of the next token, ``(B, VOCAB)``, from the walk's state.

    ``depth (B,)``: brackets open; ``top (B,)``: kind ``0 .. 2`` of the innermost open bracket (any value
    when ``depth == 0``); ``empty (B,)``: ``True`` at the start of a sentence (it may not end yet).
    """
    B = depth.shape[0]
    probs = torch.zeros(B, VOCAB)
    at_zero, inside = depth == 0, depth > 0
    p_open = torch.where(
        at_zero,
        torch.where(empty, 1.0, 1.0 - P_END),
        torch.where(depth < MAX_DEPTH, P_OPEN, 0.0),
    )  # (B,) chance that some bracket opens
    probs[:, list(OPENERS)] = (p_open / len(OPENERS))[:, None]
    probs[:, END] = torch.where(at_zero & ~empty, P_END, 0.0)
    closer = torch.tensor(CLOSERS)[top.clamp(0, len(CLOSERS) - 1)]  # (B,) the closer of the innermost
    probs[torch.arange(B), closer] += torch.where(inside, 1.0 - p_open, 0.0)
    return probs


def _walk(tokens: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """The walk's state before each position of ``tokens (B, T)``: ``depth``, ``top``, ``empty``.

    Each is ``(B, T)``.

    Entry ``t`` is the state that token ``t`` was drawn from (position 0, ``BOS``, gets the start state).
    """
    B, T = tokens.shape
    stack = torch.zeros(B, MAX_DEPTH + 1, dtype=torch.long)  # kinds of the open brackets, innermost last
    depth = torch.zeros(B, dtype=torch.long)
    empty = torch.ones(B, dtype=torch.bool)
    rows = torch.arange(B)
    depths, tops, empties = [], [], []
    for t in range(T):
        depths.append(depth.clone())
        tops.append(stack[rows, (depth - 1).clamp_min(0)].clone())
        empties.append(empty.clone())
        token = tokens[:, t]
        opening = (token >= OPENERS[0]) & (token <= OPENERS[-1])
        closing = (token >= CLOSERS[0]) & (token <= CLOSERS[-1])
        stack[rows, depth.clamp(max=MAX_DEPTH)] = torch.where(
            opening, token - OPENERS[0], stack[rows, depth.clamp(max=MAX_DEPTH)]
        )
        depth = depth + opening.long() - closing.long()
        empty = torch.where(token == END, True, torch.where(opening | closing, False, empty))
    return torch.stack(depths, 1), torch.stack(tops, 1), torch.stack(empties, 1)


def sample_text(generator: torch.Generator, batch_size: int, length: int) -> Tensor:
    """Texts of the bracket language, ``(B, length)``: ``BOS``, then sentences until the length is reached.

    The last sentence is usually cut off by the length; every prefix of it is still a valid beginning.
    """
    B = check_positive_int("batch_size", batch_size)
    T = check_positive_int("length", length)
    tokens = torch.full((B, T), BOS, dtype=torch.long)
    stack = torch.zeros(B, MAX_DEPTH + 1, dtype=torch.long)
    depth = torch.zeros(B, dtype=torch.long)
    empty = torch.ones(B, dtype=torch.bool)
    rows = torch.arange(B)
    for t in range(1, T):
        probs = next_token_probs(depth, stack[rows, (depth - 1).clamp_min(0)], empty)  # (B, VOCAB)
        token = torch.multinomial(probs, 1, generator=generator)[:, 0]  # (B,)
        tokens[:, t] = token
        opening = (token >= OPENERS[0]) & (token <= OPENERS[-1])
        closing = (token >= CLOSERS[0]) & (token <= CLOSERS[-1])
        stack[rows, depth] = torch.where(opening, token - OPENERS[0], stack[rows, depth])
        depth = depth + opening.long() - closing.long()
        empty = torch.where(token == END, True, torch.where(opening | closing, False, empty))
    return tokens


def make_batch(
    generator: torch.Generator, batch_size: int = 32, length: int = SEQ_LEN
) -> tuple[Tensor, Tensor]:
    """A training batch: inputs ``(B, length)`` and next-token targets ``(B, length)``."""
    tokens = sample_text(generator, batch_size, length + 1)
    return tokens[:, :-1], tokens[:, 1:]


def held_out_text(num_texts: int = 64, length: int = SEQ_LEN, seed: int = 0) -> Tensor:
    """Texts ``(N, length)`` drawn with a seed that no training run uses."""
    return sample_text(held_out_generator(seed), num_texts, length)


def encode(text: str) -> Tensor:
    """A string of :data:`SYMBOLS` (spaces ignored) as token ids ``(T,)``."""
    text = text.replace(" ", "")
    bad = sorted(set(text) - set(SYMBOLS))
    if bad:
        raise ValueError(f"text: expected only the symbols {SYMBOLS!r}, got {''.join(bad)!r}")
    return torch.tensor([SYMBOLS.index(c) for c in text], dtype=torch.long)


def to_text(tokens: Tensor) -> str:
    """One text ``(T,)`` as a string, a character of :data:`SYMBOLS` per token."""
    tokens = check_tensor("tokens", tokens)
    if tokens.dim() != 1:
        raise ValueError(f"tokens: expected shape (T,), one text, got {fmt_shape(tokens.shape)}")
    return "".join(SYMBOLS[t] for t in tokens.tolist())


def is_valid(sentence: str) -> bool:
    """Whether ``sentence`` is one sentence of the language: nested brackets, then a full stop.

    The check a reader does: push each opening bracket on a stack, and let each closing bracket pop the
    bracket of its own kind. The sentence must be non-empty, end with ``.`` with the stack empty, and
    never be deeper than :data:`MAX_DEPTH`.
    """
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    if len(sentence) < 2 or not sentence.endswith("."):
        return False
    for char in sentence[:-1]:
        if char in "([{":
            stack.append(char)
            if len(stack) > MAX_DEPTH:
                return False
        elif char in pairs:
            if not stack or stack.pop() != pairs[char]:
                return False
        else:
            return False
    return not stack


def is_unfinished(sentence: str) -> bool:
    """Whether ``sentence`` breaks no rule yet but is not finished: a valid sentence could continue it.

    Every bracket closed so far matched, the depth stayed within :data:`MAX_DEPTH`, and no full stop came.
    A generation cut off by its length ends like this; :func:`is_valid` rejects it, but it is not wrong.
    """
    return "." not in sentence and is_valid(sentence + _closing(sentence) + ".")


def _closing(prefix: str) -> str:
    """The brackets that close what ``prefix`` left open, innermost first (``"?"`` if it broke a rule)."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack: list[str] = []
    for char in prefix:
        if char in pairs:
            stack.append(pairs[char])
        elif not stack or stack.pop() != char:
            return "?"
    return "".join(reversed(stack)) if stack else ("" if prefix else "?")


def first_sentences(tokens: Tensor) -> list[str]:
    """The first sentence of each generated text ``(B, T)`` (which starts with ``BOS``), up to its full stop.

    A text without a full stop gives its whole tail, which :func:`is_valid` rejects.
    """
    tokens = _check_tokens(tokens)
    sentences = []
    for row in tokens:
        text = to_text(row)[1:]
        stop = text.find(".")
        sentences.append(text if stop < 0 else text[: stop + 1])
    return sentences


def valid_fraction(sentences: Sequence[str]) -> float:
    """The fraction of ``sentences`` that :func:`is_valid` accepts."""
    if not sentences:
        raise ValueError("sentences: expected at least one sentence, got none")
    return sum(is_valid(s) for s in sentences) / len(sentences)


def innermost_open(tokens: Tensor) -> Tensor:
    """For each position of ``tokens (B, T)``, the position of the innermost bracket still open after it.

    Returns ``(B, T)``, ``-1`` where no bracket is open. At position ``t`` this is the bracket that the
    next closing bracket must match: the one thing that a model predicting token ``t + 1`` has to look up.
    """
    tokens = _check_tokens(tokens)
    innermost = torch.full(tokens.shape, -1, dtype=torch.long)
    for b, row in enumerate(tokens.tolist()):
        stack: list[int] = []
        for t, token in enumerate(row):
            if token in OPENERS:
                stack.append(t)
            elif token in CLOSERS and stack:
                stack.pop()
            elif token == END:
                stack.clear()
            if stack:
                innermost[b, t] = stack[-1]
    return innermost


@torch.no_grad()
def ideal_loss(tokens: Tensor) -> float:
    """The mean next-token cross-entropy (nats) of the language's own distribution on ``tokens (B, T)``.

    The loss of a perfect model: no model can do better on average. Texts must come from
    :func:`sample_text`.
    """
    tokens = _check_tokens(tokens)
    depth, top, empty = _walk(tokens)
    B, T = tokens.shape
    probs = next_token_probs(depth[:, 1:].flatten(), top[:, 1:].flatten(), empty[:, 1:].flatten())
    chosen = probs[torch.arange(B * (T - 1)), tokens[:, 1:].flatten()]
    return float(-chosen.log().mean())


def bigram_probs(num_texts: int = 512, seed: int = 0) -> Tensor:
    """A bigram model counted on ``num_texts`` training texts: ``P(next | current)``, ``(VOCAB, VOCAB)``.

    The baseline that sees one token back: it knows that ``.`` follows a closing bracket, not which one.
    """
    tokens = sample_text(
        torch.Generator().manual_seed(seed + 1), check_positive_int("num_texts", num_texts), SEQ_LEN
    )
    counts = torch.zeros(VOCAB, VOCAB)
    counts.index_put_(
        (tokens[:, :-1].flatten(), tokens[:, 1:].flatten()),
        torch.ones(tokens[:, 1:].numel()),
        accumulate=True,
    )
    return (counts + 1e-6) / (counts + 1e-6).sum(-1, keepdim=True)


def sample_bigram(probs: Tensor, num_texts: int, new_tokens: int, generator: torch.Generator) -> Tensor:
    """Texts ``(num_texts, 1 + new_tokens)`` sampled from a bigram table, each starting with ``BOS``."""
    tokens = torch.full((check_positive_int("num_texts", num_texts), 1), BOS, dtype=torch.long)
    for _ in range(new_tokens):
        tokens = torch.cat([tokens, torch.multinomial(probs[tokens[:, -1]], 1, generator=generator)], 1)
    return tokens


# --------------------------------------------------------------------------------------------------------
# The model
# --------------------------------------------------------------------------------------------------------


class GrammarLM(nn.Module):
    """A decoder-only transformer with sinusoidal positions, for the bracket language.

    Args:
        d_model: width of the residual stream (even).
        num_heads: query heads per layer.
        num_layers: number of :class:`~attention_book.tasks.language_model.DecoderLayer` blocks.
        d_ff: hidden width of the feed-forward networks.
        max_len: positions the sinusoidal table covers (generation may not go further).
    """

    def __init__(
        self, d_model: int = 64, num_heads: int = 4, num_layers: int = 2, d_ff: int = 128, max_len: int = 2048
    ) -> None:
        super().__init__()
        check_positive_int("num_layers", num_layers)
        self.token = nn.Embedding(VOCAB, d_model)
        self.register_buffer(
            "positions", sinusoidal_encoding(check_positive_int("max_len", max_len), d_model)
        )
        self.layers = nn.ModuleList(DecoderLayer(d_model, num_heads, None, d_ff) for _ in range(num_layers))
        self.final_norm = nn.LayerNorm(d_model)
        self.unembed = nn.Linear(d_model, VOCAB)

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def max_len(self) -> int:
        return int(self.get_buffer("positions").shape[0])

    def new_state(self, capacity: int = 0) -> DecodingState:
        """Empty caches for generation: one :class:`~attention_book.KVCache` per layer."""
        from ..kv_cache import KVCache

        return DecodingState([KVCache(capacity) for _ in range(self.num_layers)])

    def forward(self, tokens: Tensor, *, state: DecodingState | None = None) -> Tensor:
        """``tokens (B, T)`` -> next-token logits ``(B, T, VOCAB)``.

        ``state``: caches from :meth:`new_state`; ``tokens`` are then the positions after those already
        fed, and attend to them too.
        """
        logits, _ = self._run(tokens, state, need_weights=False)
        return logits

    def forward_with_weights(self, tokens: Tensor) -> tuple[Tensor, Tensor]:
        """Logits ``(B, T, VOCAB)`` and every head's weights ``(num_layers, B, H, T, T)``."""
        logits, weights = self._run(tokens, None, need_weights=True)
        assert weights is not None
        return logits, weights

    def _run(
        self, tokens: Tensor, state: DecodingState | None, need_weights: bool
    ) -> tuple[Tensor, Tensor | None]:
        tokens = _check_tokens(tokens)
        start = 0 if state is None else len(state)  # the position of the first new token
        end = start + tokens.shape[1]
        if end > self.max_len:
            raise ValueError(f"tokens: expected at most {self.max_len} positions in all, got {end}")
        x = self.token(tokens) + self.get_buffer("positions")[start:end]  # (B, T, d)
        all_weights = []
        for index, block in enumerate(self.layers):
            cache = None if state is None else state.caches[index]
            x, weights = block(x, cache=cache, need_weights=need_weights)
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
    if tokens.is_floating_point() or int(tokens.min()) < 0 or int(tokens.max()) >= VOCAB:
        raise ValueError(f"tokens: expected integer ids in [0, {VOCAB - 1}]")
    return tokens


# --------------------------------------------------------------------------------------------------------
# Training, generation, attention
# --------------------------------------------------------------------------------------------------------


def initial_model(
    seed: int = 0, d_model: int = 64, num_heads: int = 4, num_layers: int = 2, d_ff: int = 128
) -> GrammarLM:
    """The model that :func:`train_grammar_lm` starts from, before any training step."""
    torch.manual_seed(seed)
    return GrammarLM(d_model, num_heads, num_layers, d_ff)


def _loss(logits: Tensor, targets: Tensor) -> Tensor:
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten())


@cached_training
def train_grammar_lm(
    seed: int = 0,
    steps: int = 800,
    lr: float = 1e-2,
    batch_size: int = 32,
    d_model: int = 64,
    num_heads: int = 4,
    num_layers: int = 2,
    d_ff: int = 128,
) -> tuple[GrammarLM, History]:
    """Train a :class:`GrammarLM` on texts of ``SEQ_LEN`` tokens: next-token cross-entropy, Adam, one thread.

    Deterministic for given arguments; about ten seconds of one CPU thread with the defaults.
    """
    batch_size = check_positive_int("batch_size", batch_size)
    model = initial_model(seed, d_model, num_heads, num_layers, d_ff)

    # A pool of texts, drawn once: sampling a fresh batch at every step would cost as much as the step.
    pool = sample_text(torch.Generator().manual_seed(seed + 2), POOL, SEQ_LEN + 1)  # (POOL, SEQ_LEN + 1)

    def batches(generator: torch.Generator) -> tuple[Tensor, Tensor]:
        texts = pool[torch.randint(0, POOL, (batch_size,), generator=generator)]  # (B, SEQ_LEN + 1)
        return texts[:, :-1], texts[:, 1:]

    history = fit(model, batches, _loss, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def generate(
    model: GrammarLM,
    prompt: Tensor,
    new_tokens: int,
    *,
    use_cache: bool = True,
    temperature: float = 1.0,
    generator: torch.Generator | None = None,
) -> Tensor:
    """Continue ``prompt (B, P)`` by ``new_tokens`` tokens; returns ``(B, P + new_tokens)``.

    ``use_cache=True``: the prompt runs once (the prefill), then each step feeds only the new token,
    which attends to the keys and values that every layer's :class:`~attention_book.KVCache` keeps.
    ``use_cache=False``: every step runs the whole text again. ``temperature=0``: the most likely token;
    else a sample from ``softmax(logits / temperature)`` drawn with ``generator``.
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
        state = model.new_state(capacity=prompt.shape[1] + new_tokens)
        logits = model(prompt, state=state)[:, -1]  # the prefill: (B, VOCAB) for the next token
    for step in range(new_tokens):
        if state is None:
            logits = model(tokens)[:, -1]  # the whole text, again: (B, VOCAB)
        if temperature == 0.0:
            next_token = logits.argmax(-1, keepdim=True)  # (B, 1)
        else:
            probs = torch.softmax(logits / temperature, dim=-1)
            next_token = torch.multinomial(probs, 1, generator=generator)  # (B, 1)
        tokens = torch.cat([tokens, next_token], dim=1)
        if state is not None and step < new_tokens - 1:
            logits = model(next_token, state=state)[:, -1]  # one new position through every layer
    return tokens


@torch.no_grad()
def attention_scores(model: GrammarLM, tokens: Tensor) -> dict[str, Tensor]:
    """What each head attends to on ``tokens (B, T)``; each entry is ``(num_layers, H)``.

    * ``"innermost open"``: at each position inside brackets, the weight on the innermost bracket still
      open (:func:`innermost_open`), the one the next closing bracket must match; averaged over those
      positions;
    * ``"innermost is top"``: how often that bracket gets the head's largest weight;
    * ``"previous token"``: the weight on position ``t - 1``, averaged over positions ``t >= 1``;
    * ``"BOS"``: the weight on position 0, averaged over positions ``t >= 1``.
    """
    tokens = _check_tokens(tokens)
    model.eval()
    with one_thread():
        _, weights = model.forward_with_weights(tokens)  # (N, B, H, T, T)
    innermost = innermost_open(tokens)  # (B, T)
    b, t = (innermost >= 0).nonzero(as_tuple=True)  # the positions inside brackets
    if len(b) == 0:
        raise ValueError("tokens: expected at least one open bracket")
    rows = weights.permute(1, 3, 0, 2, 4)[b, t]  # (C, N, H, T): the row of weights of each such query
    target = innermost[b, t][:, None, None, None].expand(*rows.shape[:-1], 1)  # (C, N, H, 1)
    on_target = rows.gather(-1, target)[..., 0]  # (C, N, H)
    top = rows.argmax(-1) == innermost[b, t][:, None, None]  # (C, N, H)
    T = tokens.shape[1]
    steps = torch.arange(1, T)
    previous = weights[:, :, :, steps, steps - 1]  # (N, B, H, T - 1)
    return {
        "innermost open": on_target.mean(0),
        "innermost is top": top.float().mean(0),
        "previous token": previous.mean((1, 3)),
        "BOS": weights[:, :, :, 1:, 0].mean((1, 3)),
    }
