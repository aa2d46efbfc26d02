"""The tiny causal language model: the echo language, training within budget, caches equal to masks."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book import KVCache, RollingKVCache
from attention_book.tasks import language_model as lm

BUDGET_S = 20.0


def test_texts_echo_within_the_lag() -> None:
    tokens, predictable = lm.sample_text(torch.Generator().manual_seed(0), batch_size=40, length=200)
    assert tokens.shape == predictable.shape == (40, 200)
    assert (tokens[:, 0] == lm.BOS).all() and (tokens[:, 1:] < lm.VOCAB).all()
    assert not predictable[:, :2].any()
    assert 0.2 < predictable.float().mean() < 0.5
    for row, marks in zip(tokens, predictable, strict=True):
        for t in marks.nonzero().flatten().tolist():
            # an echoed token and the one before it repeat the tokens at some lag within the window
            lags = [
                lag
                for lag in range(lm.MIN_LAG, lm.MAX_LAG + 1)
                if t - 1 - lag >= 1 and row[t] == row[t - lag] and row[t - 1] == row[t - 1 - lag]
            ]
            assert lags, (t, row.tolist())


def test_make_batch_shifts_by_one() -> None:
    inputs, targets = lm.make_batch(torch.Generator().manual_seed(1), batch_size=3)
    assert inputs.shape == targets.shape == (3, lm.SEQ_LEN)
    assert torch.equal(inputs[:, 1:], targets[:, :-1])
    assert lm.to_text(inputs[0]).startswith("^") and len(lm.to_text(inputs[0])) == lm.SEQ_LEN


def test_learns_the_echoes_within_budget() -> None:
    # CPU time of this process: training runs on one thread, so this is its cost whatever else runs.
    start = time.process_time()
    model, history = lm.train_language_model()
    elapsed = time.process_time() - start
    assert elapsed < BUDGET_S, elapsed
    assert history.steps == 400 and history.losses[-1] < history.losses[0] - 0.5
    result = lm.evaluate(model)
    assert result.echo_accuracy > 0.7, result
    assert result.loss < 3.8, result


def test_the_pages_measurement_of_sinks() -> None:
    """What the chapter reports: past the trained length the window needs its sink; a full cache degrades."""
    model, _ = lm.train_language_model()
    texts, _ = lm.held_out_text(64, 513)
    late = lm.SEQ_LEN - 1
    full, window, sink = (
        lm.token_losses(model, texts, w, s)[:, late:].mean().item() for w, s in ((None, 0), (32, 0), (32, 1))
    )
    assert sink < window - 0.05 and window < full - 0.2, (full, window, sink)


def test_training_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", "off")
    first, history = lm.train_language_model(seed=2, steps=4)
    second, again = lm.train_language_model(seed=2, steps=4)
    assert history.losses == again.losses
    torch.testing.assert_close(first.state_dict(), second.state_dict(), rtol=0, atol=0)


@pytest.mark.parametrize("num_kv_heads", [None, 2, 1])
def test_kv_cache_gives_the_full_pass(num_kv_heads: int | None) -> None:
    torch.manual_seed(0)
    model = lm.TinyLM(d_model=32, num_heads=4, num_kv_heads=num_kv_heads).eval()
    tokens, _ = lm.held_out_text(3, 30)
    with torch.no_grad():
        full, weights = model.forward_with_weights(tokens)
        state = model.new_state()
        parts = [model(tokens[:, :10], state=state)]  # a prefill, then chunks and single tokens
        parts.append(model(tokens[:, 10:13], state=state))
        parts += [model(tokens[:, t : t + 1], state=state) for t in range(13, 30)]
    torch.testing.assert_close(torch.cat(parts, dim=1), full, atol=1e-5, rtol=1e-5)
    assert len(state) == 30 and all(isinstance(c, KVCache) for c in state.caches)
    kv = num_kv_heads or 4
    assert state.nbytes == 2 * 2 * 3 * kv * 8 * 30 * 4  # layers, K and V, B, Hkv, D, T, float32
    assert weights.shape == (2, 3, 4, 30, 30)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 4, 30))


@pytest.mark.parametrize(("window", "sinks"), [(5, 0), (5, 1), (4, 3), (40, 0)])
def test_rolling_cache_gives_the_streaming_mask(window: int, sinks: int) -> None:
    torch.manual_seed(1)
    model = lm.initial_model(seed=1, d_model=32).eval()
    tokens, _ = lm.held_out_text(2, 25)
    with torch.no_grad():
        masked = model(tokens, mask=lm.streaming_mask(25, window, sinks))
        state = model.new_state(window=window, sinks=sinks)
        parts = [model(tokens[:, :7], state=state)]  # a prompt longer than the window, then one at a time
        parts += [model(tokens[:, t : t + 1], state=state) for t in range(7, 25)]
    torch.testing.assert_close(torch.cat(parts, dim=1), masked, atol=1e-5, rtol=1e-5)
    assert all(isinstance(c, RollingKVCache) for c in state.caches)
    assert len(state) == 25 and len(state.caches[0]) == min(25, window + sinks)


def test_streaming_mask() -> None:
    keep = lm.streaming_mask(6, window=2, sinks=1)
    expected = torch.tensor(
        [
            [1, 0, 0, 0, 0, 0],
            [1, 1, 0, 0, 0, 0],
            [1, 1, 1, 0, 0, 0],
            [1, 0, 1, 1, 0, 0],
            [1, 0, 0, 1, 1, 0],
            [1, 0, 0, 0, 1, 1],
        ],
        dtype=torch.bool,
    )
    assert torch.equal(keep, expected)
    assert torch.equal(lm.streaming_mask(4), torch.ones(4, 4, dtype=torch.bool).tril())


def test_generation_with_and_without_caches_agrees() -> None:
    model, _ = lm.train_language_model()
    prompt, _ = lm.held_out_text(2, 12)
    for options in ({}, {"window": 16}, {"window": 16, "sinks": 2}):
        outputs = []
        for use_cache in (True, False):
            gen = torch.Generator().manual_seed(5)
            outputs.append(
                lm.generate(model, prompt, 30, use_cache=use_cache, temperature=1.0, generator=gen, **options)
            )
        assert outputs[0].shape == (2, 42)
        assert torch.equal(outputs[0], outputs[1]), options
        assert torch.equal(outputs[0][:, :12], prompt)
    greedy = lm.generate(model, prompt, 5)
    assert torch.equal(greedy, lm.generate(model, prompt, 5))
    assert torch.equal(lm.generate(model, prompt, 0), prompt)


def test_token_losses_are_the_cross_entropy_of_the_forward_pass() -> None:
    torch.manual_seed(0)
    model = lm.initial_model(d_model=32).eval()
    tokens, _ = lm.held_out_text(2, 20)
    losses = lm.token_losses(model, tokens)
    assert losses.shape == (2, 19)
    with torch.no_grad():
        logits = model(tokens[:, :-1])
    expected = torch.nn.functional.cross_entropy(logits.transpose(1, 2), tokens[:, 1:], reduction="none")
    torch.testing.assert_close(losses, expected)


def test_bad_input_raises_value_error_naming_the_argument() -> None:
    model = lm.initial_model(d_model=32)
    with pytest.raises(ValueError, match="tokens"):
        model(torch.zeros(2, 3, 4, dtype=torch.long))
    with pytest.raises(ValueError, match="tokens"):
        model(torch.full((1, 5), lm.BOS + 1))
    with pytest.raises(ValueError, match="mask"):
        model(torch.zeros(1, 5, dtype=torch.long), mask=torch.ones(4, 4))
    with pytest.raises(ValueError, match="mask"):
        model(torch.zeros(1, 5, dtype=torch.long), mask=torch.ones(5, 5), state=model.new_state())
    with pytest.raises(ValueError, match="sinks"):
        model.new_state(sinks=2)
    with pytest.raises(ValueError, match="window"):
        model.new_state(window=0)
    with pytest.raises(ValueError, match="sinks"):
        lm.streaming_mask(5, 2, sinks=-1)
    with pytest.raises(ValueError, match="new_tokens"):
        lm.generate(model, torch.zeros(1, 2, dtype=torch.long), -1)
    with pytest.raises(ValueError, match="temperature"):
        lm.generate(model, torch.zeros(1, 2, dtype=torch.long), 2, temperature=-1.0)
    with pytest.raises(ValueError, match="tokens"):
        lm.to_text(torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="length"):
        lm.sample_text(torch.Generator(), 2, 0)
    state = model.new_state()
    model(torch.zeros(2, 3, dtype=torch.long), state=state)
    with pytest.raises(ValueError, match="tokens"):
        model(torch.zeros(3, 1, dtype=torch.long), state=state)
