"""Tools for the machine translation chapter: decoding with a prefix, batch evaluation, a decoder that
forgot its causal mask.

These work on the toy translation task of :mod:`attention_book.tasks.translation` and its encoder-decoder
:class:`attention_book.Transformer` (Vaswani et al., 2017, "Attention Is All You Need", arXiv:1706.03762):

* :func:`greedy` decodes a batch greedily, :math:`y_t = \\arg\\max_y p(y \\mid y_{<t}, x)`, optionally from
  a forced target prefix and optionally *without* the source padding mask, to show what that mask does;
* :func:`exact_matches` says, sentence by sentence, whether the greedy translation equals the reference;
* :func:`train_without_causal_mask` trains the same model with a decoder whose self-attention is not
  causal, the classic bug: under teacher forcing position :math:`t` can read the word it must predict.

Shapes are batch-first: source ids ``(B, S)``, target ids ``(B, T)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from .._checks import check_positive_int
from ..masks import padding_mask_from_ids
from ..transformer import Transformer
from ._cache import cached_training
from ._training import History, fit, one_thread
from .translation import (
    BOS,
    EOS,
    PAD,
    _pad,
    _TeacherForced,
    initial_model,
    make_batch,
    reference_translation,
    vocabulary,
)

__all__ = [
    "NonCausalTransformer",
    "encode_sentences",
    "exact_matches",
    "greedy",
    "train_without_causal_mask",
]


class NonCausalTransformer(Transformer):
    """A :class:`attention_book.Transformer` whose decoder self-attention is **not** causal (a bug, on
    purpose): every target position may attend to every other, later ones included."""

    def decode(
        self, tgt: Tensor, memory: Tensor, src_mask: Tensor | None = None, tgt_mask: Tensor | None = None
    ) -> Tensor:
        """Target ids ``(B, T)`` and memory ``(B, S, d_model)`` -> hidden states ``(B, T, d_model)``."""
        x = self.embed(tgt, self.tgt_embed, "tgt")
        for block in self.decoder:
            x = block(x, memory, tgt_mask, src_mask, tgt_is_causal=False)  # the missing mask
        return self.decoder_norm(x)


def encode_sentences(sentences: Sequence[str | Sequence[str]]) -> Tensor:
    """English sentences -> source ids ``(B, S)``, padded on the right with :data:`PAD`."""
    if len(sentences) == 0:
        raise ValueError("sentences: expected at least one sentence, got none")
    words = [s.split() if isinstance(s, str) else list(s) for s in sentences]
    return _pad([vocabulary().encode_source(w) for w in words])


@torch.no_grad()
def greedy(
    model: Transformer,
    source: Tensor,
    *,
    prefix: Sequence[str] = (),
    mask_source: bool = True,
    max_len: int | None = None,
) -> Tensor:
    """Greedy decoding of a batch: target ids ``(B, <= max_len + 1)``, each row starting with ``<s>``.

    At each step the decoder reads everything written so far and the argmax of its last position is
    appended: :math:`y_t = \\arg\\max_y p(y \\mid y_{<t}, x)`. ``prefix``: target words forced after
    ``<s>`` for every row (the model continues from them). ``mask_source=False`` leaves out the source
    padding mask, in the encoder and in cross-attention. Rows that have written ``</s>`` get padding.
    """
    if source.ndim != 2:
        raise ValueError(f"source: expected (B, S) token ids, got shape {tuple(source.shape)}")
    steps = model.max_len - 1 if max_len is None else check_positive_int("max_len", max_len)
    src_mask = padding_mask_from_ids(source, PAD) if mask_source else None  # (B, 1, S)
    forced = [BOS, *vocabulary().encode_target(list(prefix))]
    batch = source.shape[0]
    with one_thread():
        model.eval()
        memory = model.encode(source, src_mask)  # (B, S, d_model)
        target = torch.tensor([forced] * batch, dtype=torch.long)  # (B, 1 + len(prefix))
        finished = torch.zeros(batch, dtype=torch.bool)
        for _ in range(steps - len(prefix)):
            hidden = model.decode(target, memory, src_mask)[:, -1]  # (B, d_model)
            token = torch.where(finished, PAD, model.generator(hidden).argmax(-1))  # (B,)
            target = torch.cat([target, token[:, None]], dim=1)
            finished |= token == EOS
            if bool(finished.all()):
                break
    return target


def exact_matches(
    model: Transformer, sentences: Sequence[Sequence[str]], *, mask_source: bool = True
) -> list[bool]:
    """For each sentence, whether the greedy translation of the padded batch equals the reference."""
    source = encode_sentences(sentences)  # (N, S)
    ids = greedy(model, source, mask_source=mask_source)
    decode = vocabulary().decode_target
    return [
        decode(row[1:]) == reference_translation(words)[0] for row, words in zip(ids, sentences, strict=True)
    ]


def _loss(logits: Tensor, targets: Tensor) -> Tensor:
    return torch.nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=PAD)


@cached_training
def train_without_causal_mask(
    seed: int = 0, steps: int = 800, lr: float = 5e-3, batch_size: int = 32
) -> tuple[NonCausalTransformer, History]:
    """Train the translation model of :func:`attention_book.tasks.translation.train_translation` (same
    initial weights, data and optimizer) with a decoder that is not causal.

    The teacher-forced loss falls almost to zero, because position :math:`t` reads :math:`y_{t+1}` in its
    input; greedy decoding, where that word does not exist yet, then fails.
    """
    reference = initial_model(seed)
    model = NonCausalTransformer(
        len(vocabulary().source),
        reference.d_model,
        2,
        64,
        2,
        tgt_vocab_size=len(vocabulary().target),
        max_len=reference.max_len,
        norm_first=True,
    )
    model.load_state_dict(reference.state_dict())

    def batches(generator: torch.Generator) -> tuple[tuple[Tensor, Tensor], Tensor]:
        source, target = make_batch(generator, batch_size)
        return (source, target[:, :-1]), target[:, 1:]

    history = fit(_TeacherForced(model), batches, _loss, seed=seed, steps=steps, lr=lr)  # type: ignore[arg-type]
    return model, history
