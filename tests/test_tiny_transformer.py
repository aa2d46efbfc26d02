"""The tiny transformer: right data, induction learned within 20 s, heads that do what the pages say."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book.tasks import tiny_transformer as tt

BUDGET_S = 20.0


def test_batches_copy_an_earlier_stretch() -> None:
    sequence, targets = tt.make_batch(torch.Generator().manual_seed(0), batch_size=50)
    assert sequence.shape == targets.shape == (50, tt.SEQ_LEN)
    assert (sequence[:, 0] == tt.BOS).all() and (sequence[:, 1:] < tt.VOCAB).all()
    scored = targets != tt.IGNORE
    assert torch.equal(scored, tt.predictable(sequence))
    assert torch.equal(targets[:, :-1][scored[:, :-1]], sequence[:, 1:][scored[:, :-1]])
    for row, mask in zip(sequence, scored, strict=True):
        copy_length = int(mask.sum()) + 1  # every token of the copy but the last predicts the next
        assert tt.MIN_COPY <= copy_length <= tt.MAX_COPY
        random_part = row[1 : tt.SEQ_LEN - copy_length]
        assert len(set(random_part.tolist())) == len(random_part)  # distinct, so the rule is unambiguous
        # the next token is the one that followed the current token's earlier occurrence
        for t in mask.nonzero().flatten().tolist():
            earlier = int((row[1:t] == row[t]).nonzero()[0]) + 1
            assert row[earlier + 1] == row[t + 1]


def test_learns_induction_within_budget() -> None:
    # CPU time of this process: training runs on one thread, so this is its cost whatever else runs.
    start = time.process_time()
    model, history = tt.train_tiny_transformer()
    elapsed = time.process_time() - start
    assert elapsed < BUDGET_S, elapsed
    assert tt.evaluate(model) >= 0.95
    assert history.steps == 800 and history.losses[-1] < 0.1 < history.losses[0]


def test_heads_are_what_the_pages_say() -> None:
    model, _ = tt.train_tiny_transformer()
    scores = tt.measure_heads(model)
    assert set(scores) == {*tt.PATTERNS, "entropy"}
    assert all(value.shape == (2, 4) for value in scores.values())
    assert scores["previous"][0].max() > 0.6  # a previous-token head in layer 0
    assert (scores["induction"][1] > 0.8).all()  # induction heads in layer 1
    assert (scores["induction"][0] < 0.2).all()
    # Without layer 1 the rule cannot be applied; without one layer-0 head, the others still do it.
    without_layer_1 = tt.ablate_heads(model, [(1, h) for h in range(4)])
    assert tt.evaluate(without_layer_1) < 0.2
    assert tt.evaluate(tt.ablate_heads(model, [(0, 0)])) > 0.9
    assert tt.evaluate(model) >= 0.95  # the ablations worked on copies


def test_training_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", "off")
    first, history = tt.train_tiny_transformer(seed=3, steps=5)
    second, again = tt.train_tiny_transformer(seed=3, steps=5)
    assert history.losses == again.losses
    torch.testing.assert_close(first.state_dict(), second.state_dict(), rtol=0, atol=0)


def test_probing_the_heads_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", "off")
    often, history = tt.train_tiny_transformer(seed=1, steps=6, probe_every=2)
    rarely, _ = tt.train_tiny_transformer(seed=1, steps=6, probe_every=100)
    torch.testing.assert_close(often.state_dict(), rarely.state_dict(), rtol=0, atol=0)
    assert history.probe_steps == [0, 2, 4, 6]
    assert len(history.previous) == len(history.induction) == 4
    assert all(0.0 <= value <= 1.0 for value in history.previous + history.induction)


def test_heads_form_when_the_loss_drops() -> None:
    _, history = tt.train_tiny_transformer()
    assert history.induction[0] < 0.3 and history.induction[-1] > 0.9
    assert history.previous[0] < 0.5 and history.previous[-1] > 0.7


def test_weights_are_causal_distributions_per_layer_and_head() -> None:
    torch.manual_seed(0)
    model = tt.TinyTransformer(d_model=16, num_heads=2, num_layers=3).eval()
    sequence, _ = tt.held_out_batch(num_sequences=5)
    logits, weights = model.forward_with_weights(sequence)
    T = tt.SEQ_LEN
    assert logits.shape == (5, T, tt.VOCAB)
    assert weights.shape == (3, 5, 2, T, T)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 5, 2, T))
    assert weights.triu(diagonal=1).abs().max() == 0
    torch.testing.assert_close(model(sequence), logits)


def test_masks_hide_keys_from_one_layer() -> None:
    torch.manual_seed(0)
    model = tt.initial_model()
    sequence, targets = tt.held_out_batch(num_sequences=4)
    hide_first = torch.ones(tt.SEQ_LEN, tt.SEQ_LEN, dtype=torch.bool)
    hide_first[1:, 0] = False
    _, weights = model.forward_with_weights(sequence, {1: hide_first})
    assert weights[1, :, :, 1:, 0].abs().max() == 0
    assert weights[0, :, :, 1:, 0].min() > 0
    assert 0.0 <= tt.accuracy(model, sequence, targets, {1: hide_first}) <= 1.0


def test_pattern_scores_recognise_constructed_patterns() -> None:
    T = 6
    eye = torch.eye(T)
    previous = torch.diag(torch.ones(T - 1), -1)
    previous[0, 0] = 1.0
    first = torch.zeros(T, T)
    first[:, 0] = 1.0
    for weights, name in ((eye, "diagonal"), (previous, "previous"), (first, "first")):
        scores = tt.pattern_scores(weights)
        assert scores[name] == 1.0
        # query 1's previous key is also the first key: 1 of the 5 queries counted counts twice
        others = [float(scores[other]) for other in ("diagonal", "previous", "first") if other != name]
        assert max(others) <= 0.2 + 1e-6
        assert scores["local"] == (pytest.approx(0.2) if name == "first" else 1.0)
        assert scores["induction"].isnan()
    assert torch.allclose(tt.head_entropy(torch.full((4, 4), 0.25)), torch.tensor(2.0))
    assert tt.head_entropy(eye) == 0.0


def test_induction_score_finds_the_token_after_the_earlier_occurrence() -> None:
    sequence = torch.tensor([[tt.BOS, 5, 6, 7, 5, 6]])  # query 4 (token 5) -> key 2; query 5 (6) -> key 3
    weights = torch.eye(6)
    weights[4] = torch.eye(6)[2]
    weights[5] = torch.eye(6)[3]
    scores = tt.pattern_scores(weights[None, None], sequence)  # (B, H, T, T) = (1, 1, 6, 6)
    assert scores["induction"].shape == (1, 1)
    assert scores["induction"].item() == 1.0
    assert tt.pattern_scores(torch.eye(6)[None], sequence)["induction"].item() == 0.0


def test_queries_restrict_the_average_to_some_positions() -> None:
    T = 5
    weights = torch.eye(T)
    weights[3] = torch.eye(T)[2]  # query 3 looks at the previous key, the others at themselves
    queries = torch.zeros(1, T, dtype=torch.bool)
    queries[0, 3] = True
    assert tt.pattern_scores(weights[None], queries=queries)["previous"].item() == 1.0
    assert tt.pattern_scores(weights[None], queries=~queries)["previous"].item() == 0.0
    assert tt.pattern_scores(weights[None])["previous"].item() == 0.25  # 1 of queries 1 .. 4
    per_head = tt.pattern_scores(weights.expand(1, 3, T, T), queries=queries)  # (B, H, T, T)
    assert per_head["diagonal"].shape == (1, 3) and (per_head["diagonal"] == 0).all()


def test_bad_input_raises_value_error_naming_the_argument() -> None:
    model = tt.initial_model()
    with pytest.raises(ValueError, match="tokens"):
        model(torch.zeros(2, 3, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="tokens"):
        model(torch.full((1, 5), tt.BOS + 1))
    with pytest.raises(ValueError, match="masks"):
        model.forward_with_weights(torch.zeros(1, 5, dtype=torch.long), {2: torch.ones(5, 5)})
    with pytest.raises(ValueError, match="heads"):
        tt.ablate_heads(model, [(0, 4)])
    with pytest.raises(ValueError, match="length"):
        tt.make_batch(torch.Generator(), length=10)
    with pytest.raises(ValueError, match="weights"):
        tt.pattern_scores(torch.ones(3, 4))
    with pytest.raises(ValueError, match="sequence"):
        tt.pattern_scores(torch.eye(5), torch.zeros(1, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="queries"):
        tt.pattern_scores(torch.eye(5), queries=torch.ones(5, dtype=torch.bool))
    with pytest.raises(ValueError, match="targets"):
        tt.accuracy(model, torch.zeros(1, 5, dtype=torch.long), torch.zeros(1, 4, dtype=torch.long))
