"""A toy translation task with reordering, and the encoder-decoder Transformer that learns it.

The source language is a small piece of English; the target language uses French words with a made-up
grammar that moves words around, so that the alignment between the two sentences is not the diagonal::

    sentence    := noun_phrase verb noun_phrase          the big black cat chases a small white mouse
    noun_phrase := determiner [size] [colour] noun        (0, 1 or 2 adjectives, size first)

    translation := noun_phrase' noun_phrase' verb'       le chat noir grand une souris blanche petite chasse
    noun_phrase':= determiner' noun' adjective'*         the adjectives follow the noun, in mirror order

Three rules make the translation more than a word-for-word lookup:

* the verb moves to the end of the sentence (as in Japanese or Turkish);
* the adjectives move after their noun (as in French), in reverse order;
* nouns have a gender, and the determiner and the adjectives agree with it: ``a mouse`` is ``une souris``,
  ``black mouse`` is ``souris noire``. To write ``une``, the model must look at a source word (the noun)
  that it has not translated yet.

:func:`make_batch` draws padded batches of sentences and their translations; :func:`train_translation`
trains the library's own :class:`attention_book.Transformer` (Vaswani et al., 2017, "Attention Is All You
Need", arXiv:1706.03762) on them with teacher forcing; :func:`translate` decodes greedily;
:func:`evaluate` counts the held-out sentences translated exactly; :func:`cross_attention` returns the
decoder's cross-attention weights for one sentence, and :func:`alignment_accuracy` measures how often they
point at the source word that each target word translates (:func:`reference_translation` knows it).

Token ids: ``0`` is padding in both vocabularies (:data:`PAD`); the target vocabulary also has a start
token :data:`BOS` and an end token :data:`EOS`. Shapes are batch-first: source ``(B, S)``, target
``(B, T)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .._checks import check_positive_int
from ..masks import padding_mask_from_ids
from ..transformer import Transformer
from ._cache import cached_training
from ._recording import recording_attention
from ._training import History, fit, held_out_generator, one_thread

__all__ = [
    "BOS",
    "EOS",
    "ADJECTIVES",
    "COLOURS",
    "DETERMINERS",
    "MAX_ADJECTIVES",
    "NOUNS",
    "PAD",
    "SIZES",
    "VERBS",
    "Vocabulary",
    "alignment_accuracy",
    "cross_attention",
    "evaluate",
    "held_out_sentences",
    "initial_model",
    "make_batch",
    "reference_translation",
    "sample_sentences",
    "train_translation",
    "translate",
    "vocabulary",
]

PAD, BOS, EOS = 0, 1, 2
MAX_ADJECTIVES = 2  # per noun phrase

# English -> French. Nouns carry their gender; determiners and adjectives have a masculine and a
# feminine form.
DETERMINERS = {"the": ("le", "la"), "a": ("un", "une")}
NOUNS = {
    "cat": ("chat", "m"),
    "dog": ("chien", "m"),
    "wolf": ("loup", "m"),
    "horse": ("cheval", "m"),
    "mouse": ("souris", "f"),
    "cow": ("vache", "f"),
    "hen": ("poule", "f"),
    "sheep": ("brebis", "f"),
}
SIZES = {"big": ("grand", "grande"), "small": ("petit", "petite"), "pretty": ("joli", "jolie")}
COLOURS = {"black": ("noir", "noire"), "white": ("blanc", "blanche"), "green": ("vert", "verte")}
ADJECTIVES = {**SIZES, **COLOURS}
VERBS = {
    "sees": "voit",
    "eats": "mange",
    "likes": "aime",
    "follows": "suit",
    "chases": "chasse",
    "finds": "trouve",
}


@dataclass(frozen=True)
class Vocabulary:
    """Both vocabularies in id order: ``source[i]`` is source id ``i``, ``target[i]`` target id ``i``.

    Source id 0 is ``"<pad>"``; target ids 0, 1, 2 are ``"<pad>"``, ``"<s>"`` and ``"</s>"``.
    """

    source: tuple[str, ...]
    target: tuple[str, ...]

    def encode_source(self, words: Sequence[str]) -> list[int]:
        """Source words -> ids; ``ValueError`` names a word that is not in the source vocabulary."""
        return [_index(self.source, word, "sentence") for word in words]

    def encode_target(self, words: Sequence[str]) -> list[int]:
        """Target words -> ids (without ``<s>`` and ``</s>``)."""
        return [_index(self.target, word, "target") for word in words]

    def decode_target(self, ids: Sequence[int] | Tensor) -> list[str]:
        """Target ids -> words, stopping at the first ``</s>`` and skipping ``<s>`` and padding."""
        words = []
        for i in ids.tolist() if isinstance(ids, Tensor) else ids:
            if i == EOS:
                break
            if i not in (PAD, BOS):
                words.append(self.target[i])
        return words


def _index(words: tuple[str, ...], word: str, name: str) -> int:
    if word not in words or word.startswith("<"):
        raise ValueError(f"{name}: expected words of the toy vocabulary, got {word!r}")
    return words.index(word)


_VOCABULARY = Vocabulary(
    source=("<pad>", *DETERMINERS, *NOUNS, *ADJECTIVES, *VERBS),
    target=(
        "<pad>",
        "<s>",
        "</s>",
        *(form for forms in DETERMINERS.values() for form in forms),
        *(french for french, _ in NOUNS.values()),
        *(form for forms in ADJECTIVES.values() for form in forms),
        *VERBS.values(),
    ),
)


def vocabulary() -> Vocabulary:
    """The source and target vocabularies of the task."""
    return _VOCABULARY


def _words(sentence: str | Sequence[str]) -> list[str]:
    words = sentence.split() if isinstance(sentence, str) else list(sentence)
    if not words:
        raise ValueError("sentence: expected at least one word, got an empty sentence")
    return words


def reference_translation(sentence: str | Sequence[str]) -> tuple[list[str], list[int]]:
    """The translation of an English sentence by the grammar's rules, and its alignment.

    Returns ``(target_words, alignment)`` where ``alignment[i]`` is the position in the source of the
    word that target word ``i`` translates. ``ValueError`` if the sentence does not follow the grammar.

    >>> reference_translation("a black mouse sees the dog")
    (['une', 'souris', 'noire', 'le', 'chien', 'voit'], [0, 2, 1, 4, 5, 3])
    """
    words = _words(sentence)
    position = 0

    def noun_phrase() -> tuple[list[str], list[int]]:
        nonlocal position
        start = position
        if position >= len(words) or words[position] not in DETERMINERS:
            raise ValueError(f"sentence: expected a determiner at word {position} of {words}")
        position += 1
        adjectives = []
        while position < len(words) and words[position] in ADJECTIVES:
            adjectives.append(position)
            position += 1
        if position >= len(words) or words[position] not in NOUNS:
            raise ValueError(f"sentence: expected a noun at word {position} of {words}")
        noun, gender = NOUNS[words[position]]
        form = 0 if gender == "m" else 1
        out = [DETERMINERS[words[start]][form], noun] + [ADJECTIVES[words[j]][form] for j in adjectives[::-1]]
        aligned = [start, position, *adjectives[::-1]]
        position += 1
        return out, aligned

    subject, subject_alignment = noun_phrase()
    if position >= len(words) or words[position] not in VERBS:
        raise ValueError(f"sentence: expected a verb at word {position} of {words}")
    verb_position = position
    position += 1
    obj, object_alignment = noun_phrase()
    if position != len(words):
        raise ValueError(f"sentence: expected the sentence to end at word {position} of {words}")
    target = subject + obj + [VERBS[words[verb_position]]]
    return target, subject_alignment + object_alignment + [verb_position]


def sample_sentences(generator: torch.Generator, num_sentences: int) -> list[list[str]]:
    """``num_sentences`` random English sentences of the grammar (two different nouns in each).

    A noun phrase has no adjective, one (any of :data:`ADJECTIVES`), or two, a size and then a colour
    (``the big black cat``), each case with probability one third.
    """
    n = check_positive_int("num_sentences", num_sentences)
    determiners, nouns, adjectives, verbs = list(DETERMINERS), list(NOUNS), list(ADJECTIVES), list(VERBS)
    det = torch.randint(0, len(determiners), (n, 2), generator=generator)
    noun = torch.rand(n, len(nouns), generator=generator).argsort(-1)[:, :2]  # two distinct nouns
    count = torch.randint(0, MAX_ADJECTIVES + 1, (n, 2), generator=generator)
    single = torch.randint(0, len(adjectives), (n, 2), generator=generator)
    size = torch.randint(0, len(SIZES), (n, 2), generator=generator)
    colour = torch.randint(len(SIZES), len(adjectives), (n, 2), generator=generator)
    adjective = torch.stack([single, size, colour], dim=-1)  # (n, 2, 3): one, or size then colour
    verb = torch.randint(0, len(verbs), (n,), generator=generator)
    sentences = []
    for b in range(n):
        phrases = [
            [
                determiners[det[b, p]],
                *(adjectives[a] for a in _chosen(adjective[b, p], int(count[b, p]))),
                nouns[noun[b, p]],
            ]
            for p in range(2)
        ]
        sentences.append(phrases[0] + [verbs[verb[b]]] + phrases[1])
    return sentences


def _chosen(adjective: Tensor, count: int) -> list[int]:
    """The adjective indices of a phrase: none, ``adjective[0]``, or ``adjective[1:]`` (size, colour)."""
    return [] if count == 0 else [int(adjective[0])] if count == 1 else adjective[1:].tolist()


def _pad(rows: list[list[int]]) -> Tensor:
    out = torch.full((len(rows), max(len(row) for row in rows)), PAD, dtype=torch.long)
    for b, row in enumerate(rows):
        out[b, : len(row)] = torch.tensor(row)
    return out


def make_batch(generator: torch.Generator, batch_size: int = 64) -> tuple[Tensor, Tensor]:
    """Source ids ``(B, S)`` and target ids ``(B, T)``, padded with :data:`PAD` on the right.

    Every target row is ``<s> y_1 ... y_n </s>``; a model reads ``target[:, :-1]`` and predicts
    ``target[:, 1:]`` (teacher forcing). ``S`` and ``T`` are the longest lengths in the batch.
    """
    sentences = sample_sentences(generator, check_positive_int("batch_size", batch_size))
    source = [_VOCABULARY.encode_source(words) for words in sentences]
    target = [[BOS, *_VOCABULARY.encode_target(reference_translation(words)[0]), EOS] for words in sentences]
    return _pad(source), _pad(target)


def _teacher_forcing(model: Transformer, source: Tensor, target_in: Tensor) -> Tensor:
    """Logits ``(B, T, target vocabulary)`` with the source padding masked in the encoder and in
    cross-attention, and the target padding in the decoder's (causal) self-attention."""
    return model(
        source,
        target_in,
        src_mask=padding_mask_from_ids(source, PAD),  # (B, 1, S)
        tgt_mask=padding_mask_from_ids(target_in, PAD),  # (B, 1, T), ANDed with the causal mask
    )


class _TeacherForced(nn.Module):
    """Lets :func:`attention_book.tasks._training.fit` call ``model((source, target_in))``."""

    def __init__(self, model: Transformer) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: tuple[Tensor, Tensor]) -> Tensor:
        return _teacher_forcing(self.model, *inputs)


def _loss(logits: Tensor, targets: Tensor) -> Tensor:
    return nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=PAD)


def initial_model(
    seed: int = 0,
    d_model: int = 32,
    num_heads: int = 2,
    d_ff: int = 64,
    num_layers: int = 2,
    norm_first: bool = True,
) -> Transformer:
    """The encoder-decoder that :func:`train_translation` starts from, before any training step."""
    torch.manual_seed(seed)
    return Transformer(
        len(_VOCABULARY.source),
        d_model,
        num_heads,
        d_ff,
        num_layers,
        tgt_vocab_size=len(_VOCABULARY.target),
        max_len=2 * (2 + MAX_ADJECTIVES) + 2,  # the longest target with <s> and </s>
        norm_first=norm_first,
    )


@cached_training
def train_translation(
    seed: int = 0,
    steps: int = 800,
    lr: float = 5e-3,
    d_model: int = 32,
    num_heads: int = 2,
    d_ff: int = 64,
    num_layers: int = 2,
    norm_first: bool = True,
    batch_size: int = 32,
) -> tuple[Transformer, History]:
    """Train an encoder-decoder :class:`attention_book.Transformer` on the toy translation task.

    Teacher forcing, cross-entropy over the target tokens (padding ignored), Adam with a linearly decaying
    learning rate, one thread; deterministic for given arguments. Returns the model in eval mode and the
    loss at every step.
    """
    model = initial_model(seed, d_model, num_heads, d_ff, num_layers, norm_first)

    def batches(generator: torch.Generator) -> tuple[tuple[Tensor, Tensor], Tensor]:
        source, target = make_batch(generator, batch_size)
        return (source, target[:, :-1]), target[:, 1:]

    history = fit(_TeacherForced(model), batches, _loss, seed=seed, steps=steps, lr=lr)  # type: ignore[arg-type]
    return model, history


@torch.no_grad()
def _greedy(model: Transformer, source: Tensor, max_len: int) -> Tensor:
    """Greedy decoding: target ids ``(B, <= max_len + 1)`` starting with ``<s>``."""
    src_mask = padding_mask_from_ids(source, PAD)  # (B, 1, S)
    memory = model.encode(source, src_mask)  # (B, S, d_model)
    target = torch.full((source.shape[0], 1), BOS, dtype=torch.long)
    finished = torch.zeros(source.shape[0], dtype=torch.bool)
    for _ in range(max_len):
        logits = model.generator(model.decode(target, memory, src_mask)[:, -1])  # (B, vocabulary)
        token = torch.where(finished, PAD, logits.argmax(-1))
        target = torch.cat([target, token[:, None]], dim=1)
        finished |= token == EOS
        if bool(finished.all()):
            break
    return target


def _source_ids(sentence: str | Sequence[str]) -> Tensor:
    return torch.tensor([_VOCABULARY.encode_source(_words(sentence))])  # (1, S)


def translate(model: Transformer, sentence: str | Sequence[str]) -> list[str]:
    """The model's greedy translation of one English sentence, as a list of target words."""
    source = _source_ids(sentence)
    with one_thread():
        ids = _greedy(model.eval(), source, max_len=model.max_len - 1)
    return _VOCABULARY.decode_target(ids[0])


def held_out_sentences(num_sentences: int = 1000, seed: int = 0) -> list[list[str]]:
    """Sentences drawn with a seed that no training run uses."""
    return sample_sentences(held_out_generator(seed), num_sentences)


def evaluate(model: Transformer, num_sentences: int = 1000, seed: int = 0) -> float:
    """Fraction of held-out sentences that greedy decoding translates exactly (every word, nothing more)."""
    sentences = held_out_sentences(num_sentences, seed)
    source = _pad([_VOCABULARY.encode_source(words) for words in sentences])  # (N, S)
    with one_thread():
        ids = _greedy(model.eval(), source, max_len=model.max_len - 1)
    right = [
        _VOCABULARY.decode_target(row) == reference_translation(words)[0]
        for row, words in zip(ids[:, 1:], sentences, strict=True)
    ]
    return sum(right) / len(right)


def cross_attention(
    model: Transformer, sentence: str | Sequence[str], target: Sequence[str] | None = None
) -> tuple[list[str], Tensor]:
    """The decoder's cross-attention weights for one sentence: ``(target_words, weights)``.

    ``weights`` has shape ``(num_layers, H, T, S)``: layer, head, target word, source word. Row ``i`` is
    the decoder position that *writes* target word ``i`` (it reads ``<s> y_1 .. y_{i-1}``), so a row shows
    where the model looks while it produces that word. ``target`` defaults to the model's own greedy
    translation; the row of the final ``</s>`` is left out.
    """
    source = _source_ids(sentence)  # (1, S)
    words = translate(model, sentence) if target is None else list(target)
    target_in = torch.tensor([[BOS, *_VOCABULARY.encode_target(words)]])  # (1, T)
    model.eval()
    cross = [block.cross_attn for block in model.decoder]
    with torch.no_grad(), one_thread(), recording_attention(cross) as recorded:
        _teacher_forcing(model, source, target_in)
    weights = torch.stack(recorded)[:, 0]  # (num_layers, H, T + 1, S): the last row writes </s>
    return words, weights[:, :, : len(words)]  # (num_layers, H, T, S)


def alignment_accuracy(model: Transformer, layer: int = -1, num_sentences: int = 200, seed: int = 0) -> float:
    """How often the cross-attention of ``layer``, averaged over heads, peaks on the right source word.

    For each held-out sentence and each word of its reference translation, the source position with the
    largest weight is compared with the position of the word it translates (:func:`reference_translation`).
    """
    num_layers = len(model.decoder)
    if not -num_layers <= layer < num_layers:
        raise ValueError(f"layer: expected an index in [{-num_layers}, {num_layers}), got {layer}")
    hits = total = 0
    for words in held_out_sentences(num_sentences, seed):
        target, aligned = reference_translation(words)
        _, weights = cross_attention(model, words, target)  # (layers, H, T, S)
        peaks = weights[layer].mean(0).argmax(-1)  # (T,)
        hits += int((peaks == torch.tensor(aligned)).sum())
        total += len(aligned)
    return hits / total
