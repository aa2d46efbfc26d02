"""The GRU encoder-decoder: with attention it copies long sequences, without it it fails; shapes; errors."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book.tasks import seq2seq

BUDGET_S = 20.0  # CPU seconds of one training on one thread (a cached model loads in far less)


def _train(attention: seq2seq.Score | None) -> tuple[seq2seq.Seq2Seq, float]:
    start = time.process_time()  # CPU time: other processes on a busy machine do not count
    model, history = seq2seq.train_seq2seq(attention)
    elapsed = time.process_time() - start
    assert history.losses[-1] < history.losses[0]
    return model, elapsed


def test_attention_model_copies_every_trained_length() -> None:
    model, elapsed = _train("additive")
    assert elapsed < BUDGET_S, elapsed
    accuracy = seq2seq.accuracy_by_length(model, range(1, 21))
    assert min(accuracy.values()) >= 0.95, accuracy
    # Its weights are the alignment: target step t reads source position t (the diagonal).
    assert seq2seq.alignment_accuracy(model, 10) >= 0.95
    assert seq2seq.alignment_accuracy(model, 20) >= 0.9


def test_model_without_attention_fails_on_long_sequences() -> None:
    model, elapsed = _train(None)
    assert elapsed < BUDGET_S, elapsed
    accuracy = seq2seq.accuracy_by_length(model, [2, 20])
    assert accuracy[2] >= 0.95, accuracy  # short sequences fit through the one vector
    assert accuracy[20] <= 0.6, accuracy  # long ones do not


def test_training_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", "off")
    first, a = seq2seq.train_seq2seq("additive", steps=15, seed=3)
    second, b = seq2seq.train_seq2seq("additive", steps=15, seed=3)
    assert a.losses == b.losses
    torch.testing.assert_close(first.state_dict(), second.state_dict(), rtol=0, atol=0)


@pytest.mark.parametrize("attention", [None, *seq2seq.SCORES])
def test_shapes_and_weights(attention: seq2seq.Score | None) -> None:
    torch.manual_seed(0)
    model = seq2seq.Seq2Seq(attention, hidden_dim=8, embed_dim=4)
    source = torch.randint(0, 10, (3, 7))
    target = torch.randint(0, 10, (3, 5))
    logits, weights = model(source, target)
    assert logits.shape == (3, 5, 10)
    assert weights.shape == (3, 5, 7)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 5))
    tokens, generated = model.generate(source)
    assert tokens.shape == (3, 7) and tokens.dtype == torch.long
    assert generated.shape == (3, 7, 7)
    if attention is None:  # the decoder reads only the last encoder state
        assert torch.equal(generated[..., -1], torch.ones(3, 7))


def test_greedy_decoding_matches_teacher_forcing_on_its_own_output() -> None:
    torch.manual_seed(0)
    model = seq2seq.Seq2Seq("additive", hidden_dim=8, embed_dim=4).eval()
    source = torch.randint(0, 10, (4, 6))
    tokens, weights = model.generate(source)
    with torch.no_grad():
        logits, forced = model(source, tokens)
    assert torch.equal(logits.argmax(-1), tokens)
    torch.testing.assert_close(forced, weights)


def test_batches() -> None:
    generator = torch.Generator().manual_seed(0)
    lengths = set()
    for _ in range(50):
        source, target = seq2seq.make_batch(generator, "copy", batch_size=4, min_length=3, max_length=6)
        lengths.add(source.shape[1])
        assert torch.equal(source, target)
    assert lengths == {3, 4, 5, 6}
    source, target = seq2seq.make_batch(generator, "reverse", batch_size=4, min_length=5, max_length=5)
    assert torch.equal(target, source.flip(-1))


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="attention"):
        seq2seq.Seq2Seq("cosine")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="hidden_dim"):
        seq2seq.Seq2Seq(hidden_dim=0)
    model = seq2seq.Seq2Seq(hidden_dim=8, embed_dim=4)
    with pytest.raises(ValueError, match="source"):
        model.generate(torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="source"):
        model.generate(torch.full((2, 3), 10))
    with pytest.raises(ValueError, match="target"):
        model(torch.zeros(2, 3, dtype=torch.long), torch.zeros(3, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="max_length"):
        seq2seq.make_batch(torch.Generator(), min_length=5, max_length=4)
    with pytest.raises(ValueError, match="mode"):
        seq2seq.train_seq2seq(mode="sideways")  # type: ignore[arg-type]
