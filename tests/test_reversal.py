"""The bidirectional encoder-decoder reverses digits, learns the anti-diagonal, trains deterministically."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book.tasks import reversal
from attention_book.tasks.seq2seq import alignment_accuracy


def test_reversal_learns_the_anti_diagonal() -> None:
    start = time.perf_counter()
    model, history = reversal.train_reversal("additive")  # the notebook's model (cached)
    elapsed = time.perf_counter() - start
    assert elapsed < 40.0, elapsed
    assert history.losses[-1] < 0.05 * history.losses[0]
    scores = reversal.scores_by_length(model, [8, 16], num_sequences=100)
    assert scores[8][0] >= 0.97 and scores[16][0] >= 0.95, scores
    assert scores[16][1] <= scores[16][0]  # a whole string is right only if every digit is
    assert alignment_accuracy(model, 12, "reverse") >= 0.9


def test_shapes_and_determinism() -> None:
    torch.manual_seed(0)
    model = reversal.BidirectionalSeq2Seq("additive", hidden_dim=8)
    source = torch.randint(0, 10, (3, 5))
    states, summary, state = model.encode(source)
    assert states.shape == (3, 5, 8) and summary.shape == (3, 8) and state.shape == (1, 3, 8)
    tokens, weights = model.generate(source)
    assert tokens.shape == (3, 5) and weights.shape == (3, 5, 5)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 5))
    _, first = reversal.train_reversal(None, steps=5, hidden_dim=8, seed=3)
    _, second = reversal.train_reversal(None, steps=5, hidden_dim=8, seed=3)
    assert first.losses == second.losses


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="hidden_dim"):
        reversal.BidirectionalGRU(4, 7)
    with pytest.raises(ValueError, match="mode"):
        reversal.train_reversal(mode="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="source"):
        reversal.BidirectionalSeq2Seq()(torch.zeros(2, 3), torch.zeros(2, 3, dtype=torch.long))
