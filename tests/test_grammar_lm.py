"""The bracket language model: language and checker, training within budget, cache equals recompute."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book.tasks import grammar_lm as g

BUDGET_S = 20.0


def test_texts_are_valid_sentences() -> None:
    texts = g.sample_text(torch.Generator().manual_seed(0), batch_size=64, length=200)
    assert texts.shape == (64, 200) and (texts[:, 0] == g.BOS).all() and (texts[:, 1:] != g.BOS).all()
    for text in texts:
        *complete, last = g.to_text(text)[1:].split(".")
        assert complete and all(g.is_valid(s + ".") for s in complete)
        assert last == "" or g.is_unfinished(last)


def test_checker() -> None:
    assert g.is_valid("([]{})[].") and g.is_valid("().")
    for bad in ["", ".", "()", "([)].", "(().", "()).", "(((((()))))).", "()^."]:
        assert not g.is_valid(bad), bad
    assert g.is_unfinished("([]") and g.is_unfinished("()")
    assert not g.is_unfinished("(]") and not g.is_unfinished("().") and not g.is_unfinished("")
    assert g.first_sentences(g.encode("^([]).{}")[None]) == ["([])."]
    assert g.first_sentences(g.encode("^([")[None]) == ["(["]


def test_tokenizer_round_trip_and_errors() -> None:
    text = "^([{}]).()."
    assert g.to_text(g.encode(text)) == text
    with pytest.raises(ValueError, match="text"):
        g.encode("(a)")
    with pytest.raises(ValueError, match="tokens"):
        g.to_text(torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="tokens"):
        g.GrammarLM()(torch.full((1, 3), g.VOCAB))


def test_innermost_open() -> None:
    tokens = g.encode("^([]){")[None]
    #                  0 1 2 3 4 5
    assert g.innermost_open(tokens)[0].tolist() == [-1, 1, 2, 1, -1, 5]


def test_next_token_probs_are_distributions_and_ideal_loss_is_the_entropy() -> None:
    texts = g.held_out_text(128)
    depth, top, empty = g._walk(texts)
    probs = g.next_token_probs(depth.flatten(), top.flatten(), empty.flatten())
    torch.testing.assert_close(probs.sum(-1), torch.ones(len(probs)))
    # each token of a sampled text had a positive probability under the state it was drawn from
    chosen = probs.view(*texts.shape, g.VOCAB).gather(-1, texts[..., None])[:, 1:]
    assert (chosen > 0).all()
    assert 0.9 < g.ideal_loss(texts) < 1.3


def test_bigram_baseline_is_worse_than_ideal() -> None:
    texts = g.held_out_text(128)
    bigram = g.bigram_probs(256)
    torch.testing.assert_close(bigram.sum(-1), torch.ones(g.VOCAB))
    loss = -bigram[texts[:, :-1], texts[:, 1:]].log().mean().item()
    assert loss > g.ideal_loss(texts) + 0.1
    sampled = g.sample_bigram(bigram, 4, 10, torch.Generator().manual_seed(0))
    assert sampled.shape == (4, 11) and (sampled[:, 0] == g.BOS).all()


def test_learns_the_grammar_within_budget() -> None:
    # CPU time of this process: training runs on one thread, so this is its cost whatever else runs.
    start = time.process_time()
    model, history = g.train_grammar_lm()
    elapsed = time.process_time() - start
    assert elapsed < BUDGET_S, elapsed
    assert history.steps == 800 and history.losses[-1] < history.losses[0] - 0.5
    texts = g.held_out_text(256)
    with torch.no_grad():
        logits = model(texts[:, :-1])
    loss = torch.nn.functional.cross_entropy(logits.transpose(1, 2), texts[:, 1:]).item()
    assert loss < g.ideal_loss(texts) + 0.05
    out = g.generate(
        model, torch.full((256, 1), g.BOS), g.SEQ_LEN - 1, generator=torch.Generator().manual_seed(1)
    )
    assert g.valid_fraction(g.first_sentences(out)) > 0.8
    scores = g.attention_scores(model, texts[:64])
    assert set(scores) == {"innermost open", "innermost is top", "previous token", "BOS"}
    assert all(s.shape == (2, 4) for s in scores.values())
    assert scores["innermost open"][1].max() > 0.3  # a bracket-matching head in the second layer


def test_training_is_deterministic() -> None:
    a, history_a = g.train_grammar_lm.__wrapped__(steps=5)  # type: ignore[attr-defined]
    b, history_b = g.train_grammar_lm.__wrapped__(steps=5)  # type: ignore[attr-defined]
    assert history_a.losses == history_b.losses
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def _seeded() -> torch.Generator:
    return torch.Generator().manual_seed(0)


def test_cache_generation_equals_recomputation() -> None:
    model = g.initial_model(seed=3)
    prompt = g.encode("^([")[None].expand(3, -1)
    for temperature in (0.0, 1.0):
        cached, plain = (
            g.generate(model, prompt, 20, use_cache=flag, temperature=temperature, generator=seeded)
            for flag, seeded in ((True, _seeded()), (False, _seeded()))
        )
        assert cached.shape == (3, 23) and torch.equal(cached, plain)
        assert torch.equal(cached[:, :3], prompt)


def test_cached_logits_match_the_full_pass() -> None:
    model = g.initial_model(seed=4).eval()
    tokens = g.held_out_text(2)
    state = model.new_state()
    with torch.no_grad():
        full = model(tokens)
        first = model(tokens[:, :5], state=state)  # the prefill: five positions at once
        rest = [model(tokens[:, t : t + 1], state=state) for t in range(5, tokens.shape[1])]
        steps = torch.cat([first, *rest], 1)
    torch.testing.assert_close(steps, full, atol=1e-5, rtol=1e-5)
    assert len(state) == tokens.shape[1]


def test_shapes_and_errors() -> None:
    model = g.initial_model()
    tokens = g.held_out_text(2)
    logits, weights = model.forward_with_weights(tokens)
    assert logits.shape == (2, g.SEQ_LEN, g.VOCAB)
    assert weights.shape == (2, 2, 4, g.SEQ_LEN, g.SEQ_LEN)
    with pytest.raises(ValueError, match="positions"):
        g.GrammarLM(max_len=8)(torch.zeros(1, 9, dtype=torch.long))
    with pytest.raises(ValueError, match="new_tokens"):
        g.generate(model, tokens, -1)
    with pytest.raises(ValueError, match="temperature"):
        g.generate(model, tokens, 1, temperature=-1.0)
    with pytest.raises(ValueError, match="sentences"):
        g.valid_fraction([])
    with pytest.raises(ValueError, match="tokens"):
        g.attention_scores(model, g.encode("^..")[None])
