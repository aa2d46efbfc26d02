"""The toy tasks learn: held-out accuracy >= 95% within 20 seconds each, and the alignments are right."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book.tasks import adding, recall, reverse

BUDGET_S = 20.0


def test_adding_learns() -> None:
    start = time.perf_counter()
    model, history = adding.train_adding(seed=0)
    accuracy = adding.evaluate(model)
    elapsed = time.perf_counter() - start
    assert accuracy >= 0.95, accuracy
    assert elapsed < BUDGET_S, elapsed
    assert history.losses[-1] < history.losses[0]


def test_adding_steps_expose_every_intermediate() -> None:
    torch.manual_seed(0)
    steps = adding.AddingModel().forward_with_steps(torch.tensor([[3, 5], [10, 20], [0, 0]]))
    assert steps.query.shape == steps.key.shape == steps.value.shape == steps.attended.shape == (3, 2, 16)
    assert steps.scores.shape == steps.weights.shape == (3, 2, 2)
    torch.testing.assert_close(steps.weights.sum(-1), torch.ones(3, 2))
    torch.testing.assert_close(steps.weights, torch.softmax(steps.scores, dim=-1))
    assert steps.prediction.shape == (3,)


def test_training_is_deterministic() -> None:
    _, first = adding.train_adding(seed=3, steps=20)
    _, second = adding.train_adding(seed=3, steps=20)
    assert first.losses == second.losses


@pytest.mark.parametrize("mode", ["reverse", "copy"])
def test_reverse_and_copy_learn_the_alignment(mode: reverse.Mode) -> None:
    start = time.perf_counter()
    model, _ = reverse.train_reverse(seed=0, mode=mode)
    accuracy = reverse.evaluate(model, mode)
    elapsed = time.perf_counter() - start
    assert accuracy >= 0.95, accuracy
    assert elapsed < BUDGET_S, elapsed
    # argmax of each target row is the anti-diagonal (reverse) or the diagonal (copy)
    assert reverse.alignment_accuracy(model, mode) >= 0.9
    assert model.last_weights is not None
    assert model.last_weights.shape[-2:] == (reverse.LENGTH, reverse.LENGTH)


def test_recall_learns() -> None:
    start = time.perf_counter()
    model, _ = recall.train_recall(seed=0)
    accuracy = recall.evaluate(model)
    elapsed = time.perf_counter() - start
    assert accuracy >= 0.95, accuracy
    assert elapsed < BUDGET_S, elapsed


def test_recall_data_is_well_formed() -> None:
    sequence, answer = recall.make_batch(torch.Generator().manual_seed(0), batch_size=50)
    keys, values, query = sequence[:, :-1:2], sequence[:, 1:-1:2], sequence[:, -1]
    assert all(len(set(row.tolist())) == recall.NUM_PAIRS for row in keys)  # distinct keys
    position = (keys == query[:, None]).float().argmax(-1)
    assert torch.equal(values.gather(-1, position[:, None]).squeeze(-1), answer)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="mode"):
        reverse.train_reverse(mode="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="steps"):
        adding.train_adding(steps=0)
    with pytest.raises(ValueError, match="numbers"):
        adding.AddingModel()(torch.zeros(3, 3))


def test_adding_variants_and_sizes() -> None:
    model, _ = adding.train_adding(seed=0)  # the notebook's model (cached)
    steps = model.forward_with_steps(torch.tensor([[3, 5]]))
    torch.testing.assert_close(steps.weights.sum(-1), torch.ones(1, 2))
    model.attention = "uniform"
    assert torch.equal(model.forward_with_steps(torch.tensor([[3, 5]])).weights, torch.full((1, 2, 2), 0.5))
    model.attention = "none"
    assert torch.equal(model.forward_with_steps(torch.tensor([[3, 5]])).weights, torch.eye(2)[None])
    untrained = adding.AddingModel(attention="uniform")
    result = adding.accuracy_by_size(untrained, [(0, 9), (100, 199)], num_pairs=50)
    assert set(result) == {(0, 9), (100, 199)}
    assert all(0.0 <= right <= 1.0 and error >= 0.0 for right, error in result.values())
    numbers, sums = adding.make_batch(torch.Generator().manual_seed(0), 100, max_value=199, min_value=100)
    assert numbers.min() >= 100 and numbers.max() <= 199
    torch.testing.assert_close(sums, numbers.sum(-1).float())
    with pytest.raises(ValueError, match="attention"):
        adding.AddingModel(attention="sometimes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_value"):
        adding.make_batch(torch.Generator(), 4, max_value=1, min_value=2)
