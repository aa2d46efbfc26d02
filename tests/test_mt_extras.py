"""The machine translation chapter's tools: batched greedy decoding with a prefix and without the source
padding mask, exact-match counting, and the decoder that forgot its causal mask."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book import Transformer
from attention_book.tasks import mt_extras as mt
from attention_book.tasks import translation as tr

BUDGET_S = 20.0  # CPU seconds of one training on one thread (a cached model loads in far less)


@pytest.fixture(scope="module")
def model() -> Transformer:
    trained, _ = tr.train_translation(seed=0)  # the page's model, shared with the translation chapter
    return trained


def test_greedy_matches_translate_and_exact_matches(model: Transformer) -> None:
    sentences = tr.held_out_sentences(100)
    ids = mt.greedy(model, mt.encode_sentences(sentences))  # (N, T)
    vocab = tr.vocabulary()
    for row, words in zip(ids[:5], sentences[:5], strict=True):
        assert int(row[0]) == tr.BOS
        assert vocab.decode_target(row) == tr.translate(model, words)
    assert all(mt.exact_matches(model, sentences))  # the page's model translates them all


def test_without_source_mask_the_padding_hurts(model: Transformer) -> None:
    sentences = tr.held_out_sentences(200)
    assert sum(mt.exact_matches(model, sentences, mask_source=False)) < 0.8 * len(sentences)
    full = [s for s in sentences if len(s) == 9]  # no padding: the mask changes nothing
    assert all(mt.exact_matches(model, full, mask_source=False))


def test_greedy_keeps_the_forced_prefix(model: Transformer) -> None:
    ids = mt.greedy(model, mt.encode_sentences(["a hen sees the dog"]), prefix=["un"])
    assert tr.vocabulary().decode_target(ids[0])[0] == "un"


def test_bad_inputs_raise() -> None:
    model = tr.initial_model()
    with pytest.raises(ValueError, match="source"):
        mt.greedy(model, torch.zeros(5, dtype=torch.long))
    with pytest.raises(ValueError, match="sentences"):
        mt.encode_sentences([])
    with pytest.raises(ValueError, match="max_len"):
        mt.greedy(model, mt.encode_sentences(["a cat sees a dog"]), max_len=0)


def test_non_causal_decoder_reads_the_future() -> None:
    reference = tr.initial_model()
    broken = mt.NonCausalTransformer(
        23, 32, 2, 64, 2, tgt_vocab_size=33, max_len=reference.max_len, norm_first=True
    )
    broken.load_state_dict(reference.state_dict())
    source = mt.encode_sentences(["a cat sees a dog"])
    target = torch.tensor([[tr.BOS, 5, 6, 7]])
    changed = target.clone()
    changed[0, 3] = 8
    with torch.no_grad():
        for net, moves in ((reference.eval(), False), (broken.eval(), True)):
            first = (net(source, target)[0, 0] - net(source, changed)[0, 0]).abs().max()
            assert bool(first > 1e-6) is moves


def test_training_without_causal_mask_is_deterministic_and_cannot_decode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = time.process_time()
    broken, history = mt.train_without_causal_mask(seed=0)  # the page's model
    assert time.process_time() - start < BUDGET_S
    assert history.losses[-1] < 0.05
    assert not any(mt.exact_matches(broken, tr.held_out_sentences(50)))
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", "off")  # train twice, for real
    a, history_a = mt.train_without_causal_mask(seed=1, steps=3)
    b, history_b = mt.train_without_causal_mask(seed=1, steps=3)
    assert history_a.losses == history_b.losses
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
