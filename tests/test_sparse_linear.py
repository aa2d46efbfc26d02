"""Recall with softmax, linear and local attention: the layer is the library's, training is deterministic."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book import linear_attention, local_attention, scaled_dot_product_attention
from attention_book.tasks import sparse_linear as sl

BUDGET_S = 20.0
train_fresh = sl.train_efficient_recall.__wrapped__  # type: ignore[attr-defined]  # bypass the disk cache


def test_batch_shapes_and_answers() -> None:
    sequence, answer = sl.make_batch(torch.Generator().manual_seed(0), batch_size=5, num_pairs=7)
    assert sequence.shape == (5, 15) and answer.shape == (5,)
    keys, values, query = sequence[:, :-1:2], sequence[:, 1:-1:2], sequence[:, -1]
    for b in range(5):
        assert len(set(keys[b].tolist())) == 7  # distinct keys
        where = keys[b].tolist().index(int(query[b]))
        assert int(values[b, where]) == int(answer[b])
    drawn, _ = sl.make_batch(torch.Generator().manual_seed(1))
    assert sl.MIN_PAIRS <= (drawn.shape[1] - 1) // 2 <= sl.MAX_PAIRS


@pytest.mark.parametrize("num_pairs", [0, sl.NUM_KEYS + 1, 2.5, True])
def test_bad_num_pairs(num_pairs: object) -> None:
    with pytest.raises(ValueError, match="num_pairs"):
        sl.make_batch(torch.Generator(), num_pairs=num_pairs)  # type: ignore[arg-type]


def test_bad_model_arguments() -> None:
    with pytest.raises(ValueError, match="attention"):
        sl.EfficientRecallModel("sparse")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="window"):
        sl.EfficientRecallModel("local", window=0)
    with pytest.raises(ValueError, match="sequence"):
        sl.EfficientRecallModel()(torch.zeros(2, 6, dtype=torch.long))


@pytest.mark.parametrize("attention", sl.ATTENTIONS)
def test_last_query_is_the_last_row_of_the_causal_layer(attention: sl.AttentionKind) -> None:
    torch.manual_seed(0)
    model = sl.EfficientRecallModel(attention, window=3)
    sequence, _ = sl.make_batch(torch.Generator().manual_seed(0), batch_size=4, num_pairs=9)
    q, k, v = model.project(sequence)  # (B, T, d) each
    assert q.shape == (4, 10, 16)
    if attention == "softmax":
        full, _ = scaled_dot_product_attention(q, k, v, is_causal=True)
    elif attention == "linear":
        full = linear_attention(q, k, v, causal=True)
    else:
        full = local_attention(q, k, v, window=3)
    last = model.attend(q[:, -1:], k, v)  # (B, 1, d)
    torch.testing.assert_close(last, full[:, -1:], atol=1e-5, rtol=1e-5)
    assert model(sequence).shape == (4, sl.NUM_VALUES)


def test_training_is_deterministic() -> None:
    _, first = train_fresh("linear", steps=15, seed=3)
    _, second = train_fresh("linear", steps=15, seed=3)
    assert first.losses == second.losses


def test_softmax_learns_within_budget() -> None:
    start = time.perf_counter()
    model, history = train_fresh("softmax")
    elapsed = time.perf_counter() - start
    assert history.losses[-1] < history.losses[0]
    assert sl.evaluate(model, 16) >= 0.95
    assert sl.evaluate(model, 64) >= 0.95  # more pairs than in training
    assert elapsed < BUDGET_S, elapsed


def test_what_linear_and_local_give_up() -> None:
    softmax, _ = sl.train_efficient_recall("softmax")  # the page's models, from the disk cache
    linear, _ = sl.train_efficient_recall("linear")
    local, _ = sl.train_efficient_recall("local")
    linear_accuracy = [sl.evaluate(linear, n) for n in (4, 16, 64)]
    assert linear_accuracy[0] > linear_accuracy[1] > linear_accuracy[2]  # falls with the pairs
    assert linear_accuracy[2] < sl.evaluate(softmax, 64) - 0.3
    by_distance = sl.accuracy_by_distance(local, num_pairs=12)
    assert by_distance.shape == (12,)
    assert by_distance[: local.window - 1].min() >= 0.95  # inside the window
    assert by_distance[local.window - 1 :].max() <= 0.2  # outside: about chance, 1/16
