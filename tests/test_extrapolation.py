"""Length extrapolation: right data, every scheme learns within budget, and the measured picture holds."""

from __future__ import annotations

import math
import time

import pytest
import torch

from attention_book import RotaryEmbedding
from attention_book.tasks import extrapolation as ex

BUDGET_S = 20.0


def test_batches_repeat_with_a_period() -> None:
    sequence, targets = ex.make_batch(torch.Generator().manual_seed(0), batch_size=40, length=20)
    assert sequence.shape == targets.shape == (40, 20)
    assert sequence.dtype == torch.long and 0 <= int(sequence.min()) and int(sequence.max()) < ex.VOCAB
    for row, target in zip(sequence, targets, strict=True):
        first_scored = int((target != ex.IGNORE).nonzero()[0])
        period = first_scored  # scoring starts once the current token has been seen: t = p
        assert ex.MIN_PERIOD <= period <= ex.MAX_PERIOD
        pattern = row[:period]
        assert len(set(pattern.tolist())) == period  # distinct, so the next token is unambiguous
        assert torch.equal(row, pattern.repeat(20)[:20])
        scored = target != ex.IGNORE
        assert not scored[:period].any() and not scored[-1]
        assert scored[period:-1].all()
        assert torch.equal(target[:-1][scored[:-1]], row[1:][scored[:-1]])


def test_make_batch_rejects_short_lengths() -> None:
    with pytest.raises(ValueError, match="length"):
        ex.make_batch(torch.Generator(), length=ex.MAX_PERIOD + 1)


@pytest.mark.parametrize("position", ex.POSITIONS)
def test_model_shapes(position: ex.Position) -> None:
    torch.manual_seed(0)
    model = ex.PositionModel(position)
    tokens = torch.randint(0, ex.VOCAB, (3, ex.TRAIN_LENGTH))
    assert model(tokens).shape == (3, ex.TRAIN_LENGTH, ex.VOCAB)
    if position == "learned":
        with pytest.raises(ValueError, match="max_len"):
            model(torch.randint(0, ex.VOCAB, (1, ex.TRAIN_LENGTH + 1)))
    else:
        assert model(torch.randint(0, ex.VOCAB, (2, 100))).shape == (2, 100, ex.VOCAB)


def test_model_is_causal() -> None:
    torch.manual_seed(0)
    model = ex.PositionModel("rope").eval()
    tokens = torch.randint(0, ex.VOCAB, (2, 40))
    changed = tokens.clone()
    changed[:, 30:] = (changed[:, 30:] + 1) % ex.VOCAB
    with torch.no_grad():
        torch.testing.assert_close(model(tokens)[:, :30], model(changed)[:, :30])


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="position"):
        ex.PositionModel("absolute")  # type: ignore[arg-type]
    model = ex.PositionModel("rope")
    tokens = torch.randint(0, ex.VOCAB, (1, 12))
    with pytest.raises(ValueError, match="tokens"):
        model(tokens.float())
    with pytest.raises(ValueError, match="window"):
        model(tokens, window=0)
    with pytest.raises(ValueError, match="rope_scale"):
        model(tokens, rope_scale=0.0)


def test_rope_scale_is_position_interpolation() -> None:
    torch.manual_seed(0)
    rotary = RotaryEmbedding(8)
    x = torch.randn(2, 12, 8)
    halved = ex._scaled_rotary(rotary, 0.5)  # position m is seen as m / 2
    torch.testing.assert_close(halved.rotate(x)[:, ::2], rotary.rotate(x[:, ::2]))


@pytest.mark.parametrize("position", ex.POSITIONS)
def test_every_scheme_learns_within_budget(position: ex.Position) -> None:
    # CPU time of this process: training runs on one thread, so this is its cost whatever else runs.
    start = time.process_time()
    model, history = ex.train_extrapolation(position)
    elapsed = time.process_time() - start
    assert elapsed < BUDGET_S, elapsed
    assert history.steps == 600 and history.losses[-1] < history.losses[0]
    assert history.lengths == list(ex.EVAL_LENGTHS)
    at_train_length = history.accuracy[0]
    assert at_train_length >= (0.85 if position == "none" else 0.98), at_train_length


def test_the_measured_picture() -> None:
    """What the page says about the curves: ALiBi holds, RoPE falls furthest, learned cannot run."""
    accuracy = {p: ex.train_extrapolation(p)[1].accuracy for p in ex.POSITIONS}
    assert min(accuracy["alibi"]) > 0.98
    assert accuracy["rope"][-1] < accuracy["sinusoidal"][-1] < accuracy["alibi"][-1]
    assert accuracy["none"][-1] < accuracy["none"][0]
    assert all(math.isnan(a) for a in accuracy["learned"][1:])
    rope, _ = ex.train_extrapolation("rope")
    assert ex.accuracy(rope, 256, window=ex.TRAIN_LENGTH) > 0.98  # the repair of exercise 3


def test_training_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", "off")
    first, history = ex.train_extrapolation("alibi", seed=3, steps=5)
    second, again = ex.train_extrapolation("alibi", seed=3, steps=5)
    assert history.losses == again.losses
    for a, b in zip(first.state_dict().values(), second.state_dict().values(), strict=True):
        assert torch.equal(a, b)
