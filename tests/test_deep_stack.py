"""Deep post-norm and pre-norm stacks: gradients at initialisation, and training with and without warm-up."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book.tasks import deep_stack as ds

BUDGET_S = 20.0  # CPU seconds of one training on one thread (a cached model loads in far less)


def _final_loss(norm_first: bool, warmup: int) -> float:
    start = time.process_time()
    _, history = ds.train_deep_stack(norm_first, warmup)  # the page's runs
    assert time.process_time() - start < BUDGET_S
    return sum(history.losses[-20:]) / 20


def test_post_norm_needs_warmup_and_pre_norm_does_not() -> None:
    chance = torch.log(torch.tensor(float(ds.VOCAB))).item()
    assert _final_loss(norm_first=False, warmup=0) > 0.9 * chance  # stuck at chance
    assert _final_loss(norm_first=False, warmup=100) < 0.1
    assert _final_loss(norm_first=True, warmup=0) < 0.1


def test_post_norm_gradients_grow_toward_the_output() -> None:
    post = ds.gradient_norms(12, norm_first=False, seeds=2)
    pre = ds.gradient_norms(12, norm_first=True, seeds=2)
    assert len(post) == len(pre) == 12
    assert post[-1] > post[0]
    assert pre[-1] <= pre[0]
    assert post[-1] > 2 * pre[-1]


def test_model_shapes_and_final_norm() -> None:
    torch.manual_seed(0)
    model = ds.DeepEncoder(3, norm_first=True)
    tokens, targets = ds.make_batch(torch.Generator().manual_seed(0), batch_size=5)
    assert tokens.shape == targets.shape == (5, ds.LENGTH)
    torch.testing.assert_close(targets, tokens.flip(-1))
    assert model(tokens).shape == (5, ds.LENGTH, ds.VOCAB)
    assert isinstance(model.final_norm, torch.nn.LayerNorm)
    assert isinstance(ds.DeepEncoder(3, norm_first=True, final_norm=False).final_norm, torch.nn.Identity)
    assert isinstance(ds.DeepEncoder(3, norm_first=False).final_norm, torch.nn.Identity)


def test_training_is_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", "off")
    first, a = ds.train_deep_stack(True, 2, steps=4, num_layers=2)
    second, b = ds.train_deep_stack(True, 2, steps=4, num_layers=2)
    assert a.losses == b.losses
    torch.testing.assert_close(first.state_dict(), second.state_dict(), rtol=0, atol=0)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="warmup"):
        ds.train_deep_stack(False, 300)
    with pytest.raises(ValueError, match="tokens"):
        ds.DeepEncoder(2, norm_first=False)(torch.zeros(2, ds.LENGTH + 1, dtype=torch.long))
    with pytest.raises(ValueError, match="num_layers"):
        ds.gradient_norms(0)
