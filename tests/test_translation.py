"""The toy translation task: the grammar, the batches, the trained encoder-decoder and its cross-attention."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book import Transformer
from attention_book.tasks import translation as tr

BUDGET_S = 20.0  # CPU seconds of one training on one thread (a cached model loads in far less)
EXAMPLE = "the big black cat chases a small white mouse"


@pytest.fixture(scope="module")
def model() -> Transformer:
    start = time.process_time()  # CPU time: other processes on a busy machine do not count
    trained, history = tr.train_translation()  # the page's model
    assert time.process_time() - start < BUDGET_S
    assert history.losses[-1] < 0.1 * history.losses[0]
    return trained


def test_reference_translation_reorders_and_agrees() -> None:
    target, alignment = tr.reference_translation(EXAMPLE)
    assert target == ["le", "chat", "noir", "grand", "une", "souris", "blanche", "petite", "chasse"]
    assert alignment == [0, 3, 2, 1, 5, 8, 7, 6, 4]
    assert tr.reference_translation(["a", "dog", "eats", "the", "pretty", "hen"])[0] == [
        "un",
        "chien",
        "la",
        "poule",
        "jolie",
        "mange",
    ]


@pytest.mark.parametrize(
    "sentence",
    ["cat the sees a dog", "the cat sees", "the cat sees a dog today", "the cat a dog", "the sees a dog"],
)
def test_reference_translation_rejects_ungrammatical_sentences(sentence: str) -> None:
    with pytest.raises(ValueError, match="sentence"):
        tr.reference_translation(sentence)


def test_vocabulary_round_trip_and_unknown_words() -> None:
    vocabulary = tr.vocabulary()
    assert vocabulary.source[tr.PAD] == vocabulary.target[tr.PAD] == "<pad>"
    assert (vocabulary.target[tr.BOS], vocabulary.target[tr.EOS]) == ("<s>", "</s>")
    assert len(set(vocabulary.source)) == len(vocabulary.source)
    assert len(set(vocabulary.target)) == len(vocabulary.target)
    words = ["la", "souris", "noire"]
    ids = vocabulary.encode_target(words)
    assert vocabulary.decode_target([tr.BOS, *ids, tr.EOS, 7, tr.PAD]) == words
    with pytest.raises(ValueError, match="sentence: .*'zebra'"):
        vocabulary.encode_source(["the", "zebra"])
    with pytest.raises(ValueError, match="sentence"):
        vocabulary.encode_source(["<pad>"])


def test_batches_are_padded_and_follow_the_grammar() -> None:
    source, target = tr.make_batch(torch.Generator().manual_seed(0), batch_size=50)
    vocabulary = tr.vocabulary()
    assert source.shape[0] == target.shape[0] == 50
    assert source.dtype == target.dtype == torch.long
    assert (target[:, 0] == tr.BOS).all()
    assert 5 <= source.shape[1] <= 5 + 2 * tr.MAX_ADJECTIVES
    for row, out in zip(source, target, strict=True):
        words = [vocabulary.source[i] for i in row.tolist() if i != tr.PAD]
        assert (row[len(words) :] == tr.PAD).all()  # padding on the right only
        expected = tr.reference_translation(words)[0]
        assert vocabulary.decode_target(out) == expected
        assert int((out == tr.EOS).sum()) == 1 and out[len(expected) + 1] == tr.EOS
    again, _ = tr.make_batch(torch.Generator().manual_seed(0), batch_size=50)
    torch.testing.assert_close(source, again)
    with pytest.raises(ValueError, match="batch_size"):
        tr.make_batch(torch.Generator(), batch_size=0)


def test_translation_learns_within_budget(model: Transformer) -> None:
    assert tr.evaluate(model) >= 0.95
    assert tr.translate(model, EXAMPLE) == tr.reference_translation(EXAMPLE)[0]


def test_cross_attention_is_the_alignment(model: Transformer) -> None:
    words, weights = tr.cross_attention(model, EXAMPLE)
    assert words == tr.reference_translation(EXAMPLE)[0]
    assert weights.shape == (2, 2, len(words), len(EXAMPLE.split()))  # (layers, H, T, S)
    torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[:-1]))
    # The last layer, averaged over heads, looks at the word being translated most of the time.
    assert tr.alignment_accuracy(model, layer=-1) >= 0.75
    with pytest.raises(ValueError, match="layer"):
        tr.alignment_accuracy(model, layer=2)


def test_cross_attention_hooks_are_removed(model: Transformer) -> None:
    tr.cross_attention(model, EXAMPLE)
    for block in model.decoder:
        assert not block.cross_attn._forward_hooks and not block.cross_attn._forward_pre_hooks


def test_training_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", "off")
    first, a = tr.train_translation(steps=5, seed=3)
    second, b = tr.train_translation(steps=5, seed=3)
    assert a.losses == b.losses
    torch.testing.assert_close(first.state_dict(), second.state_dict(), rtol=0, atol=0)


def test_sample_sentences_rejects_a_bad_count() -> None:
    with pytest.raises(ValueError, match="num_sentences"):
        tr.sample_sentences(torch.Generator(), 0)
