"""Nadaraya-Watson attention pooling: the kernel is a softmax, the width learns, training is deterministic."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book import scaled_dot_product_attention
from attention_book.tasks import kernel_regression as kr

BUDGET_S = 20.0
train_fresh = kr.train_kernel_regression.__wrapped__  # type: ignore[attr-defined]  # bypass the disk cache


@pytest.fixture(scope="module")
def data() -> kr.KernelData:
    return kr.make_data()


def test_data_shapes_and_truth(data: kr.KernelData) -> None:
    assert data.x_train.shape == data.y_train.shape == (50,)
    assert data.x_test.shape == data.y_test.shape == (50,)
    assert torch.all(data.x_train[1:] >= data.x_train[:-1])  # sorted
    assert 0 <= data.x_train.min() and data.x_train.max() < 5
    torch.testing.assert_close(data.y_test, 2 * torch.sin(data.x_test) + data.x_test**0.8)
    noise = data.y_train - kr.target_function(data.x_train)
    assert 0.3 < noise.std() < 0.7  # noise of standard deviation 0.5
    torch.testing.assert_close(kr.make_data().y_train, data.y_train, rtol=0, atol=0)  # seeded


def test_gaussian_kernel_ratio_is_a_softmax(data: kr.KernelData) -> None:
    width = 0.4
    kernel = torch.exp(-((data.x_test[:, None] - data.x_train[None, :]) ** 2) / (2 * width**2))
    expected = kernel / kernel.sum(dim=1, keepdim=True)
    model = kr.GaussianKernelRegression(data.x_train, data.y_train, width=width, learn_width=False)
    predictions, weights = model.attend(data.x_test)
    assert weights.shape == (50, 50) and predictions.shape == (50,)
    torch.testing.assert_close(weights, expected)
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(50))
    torch.testing.assert_close(predictions, expected @ data.y_train)


def test_gaussian_pooling_is_dot_product_attention_with_a_key_bias(data: kr.KernelData) -> None:
    width = 0.5
    x, xj, yj = data.x_test.double(), data.x_train.double(), data.y_train.double()
    model = kr.GaussianKernelRegression(xj, yj, width=width, learn_width=False).double()
    expected, weights = model.attend(x)
    bias = -(xj**2)[None, :] / (2 * width**2)  # (1, S)
    out, att = scaled_dot_product_attention(
        (x / width)[:, None], (xj / width)[:, None], yj[:, None], bias=bias, scale=1.0
    )
    torch.testing.assert_close(att, weights)
    torch.testing.assert_close(out[:, 0], expected)


def test_width_limits_are_nearest_neighbour_and_average(data: kr.KernelData) -> None:
    narrow = kr.GaussianKernelRegression(data.x_train, data.y_train, width=1e-3, learn_width=False)
    torch.testing.assert_close(narrow(data.x_train), data.y_train)  # each key is its own nearest key
    wide = kr.GaussianKernelRegression(data.x_train, data.y_train, width=1e4, learn_width=False)
    torch.testing.assert_close(wide(data.x_test), data.y_train.mean().expand(50))


def test_leave_one_out_mask_hides_the_query_itself(data: kr.KernelData) -> None:
    model = kr.GaussianKernelRegression(data.x_train, data.y_train, width=0.3, learn_width=False)
    keep = ~torch.eye(50, dtype=torch.bool)
    _, weights = model.attend(data.x_train, keep)
    assert torch.all(weights.diagonal() == 0)
    torch.testing.assert_close(weights.sum(dim=1), torch.ones(50))


def test_learned_width_learns_within_budget(data: kr.KernelData) -> None:
    start = time.perf_counter()
    model, history = train_fresh("gaussian", seed=0)
    elapsed = time.perf_counter() - start
    assert elapsed < BUDGET_S, elapsed
    assert isinstance(model, kr.GaussianKernelRegression)
    assert 0.15 < model.width.item() < 0.4
    error = kr.evaluate(model, data)
    assert error < 0.06, error  # better than every fixed width of kernel_widths.py
    for width in (0.05, 0.1, 0.3, 1.0, 3.0):
        fixed = kr.GaussianKernelRegression(data.x_train, data.y_train, width=width, learn_width=False)
        assert error <= kr.evaluate(fixed, data)
    assert history.losses[-1] < history.losses[0]


def test_projections_fit_the_training_loss_better_and_the_test_worse(data: kr.KernelData) -> None:
    """The chapter's claim, over three seeds: more freedom lowers leave-one-out loss, raises test error."""
    start = time.perf_counter()
    gaussian, gaussian_history = kr.train_kernel_regression("gaussian", seed=0)
    for seed in (0, 1, 2):
        model, history = kr.train_kernel_regression("projected", seed=seed)
        assert isinstance(model, kr.ProjectedKernelRegression)
        assert history.losses[-1] < gaussian_history.losses[-1]
        assert kr.evaluate(model, data) > kr.evaluate(gaussian, data)
        _, weights = model.attend(data.x_test)
        assert weights.shape == (50, 50)
    assert time.perf_counter() - start < 3 * BUDGET_S


def test_without_leave_one_out_the_width_collapses(data: kr.KernelData) -> None:
    model, history = kr.train_kernel_regression("gaussian", seed=0, steps=1000, leave_one_out=False)
    assert isinstance(model, kr.GaussianKernelRegression)
    assert model.width.item() < 0.01
    assert history.losses[-1] < 1e-3
    assert kr.evaluate(model, data) > 0.2


def test_training_is_deterministic() -> None:
    for kind in kr.KINDS:
        first, first_history = train_fresh(kind, seed=3, steps=20)
        second, second_history = train_fresh(kind, seed=3, steps=20)
        assert first_history.losses == second_history.losses
        torch.testing.assert_close(first.state_dict(), second.state_dict(), rtol=0, atol=0)


def test_bad_arguments(data: kr.KernelData) -> None:
    with pytest.raises(ValueError, match="kind"):
        kr.train_kernel_regression("laplace")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="steps"):
        train_fresh("gaussian", steps=0)
    with pytest.raises(ValueError, match="width"):
        kr.GaussianKernelRegression(data.x_train, data.y_train, width=0.0)
    with pytest.raises(ValueError, match="width"):
        kr.gaussian_scores(data.x_test, data.x_train, -1.0)
    with pytest.raises(ValueError, match="values"):
        kr.GaussianKernelRegression(data.x_train, data.y_train[:10])
    with pytest.raises(ValueError, match="queries"):
        kr.GaussianKernelRegression(data.x_train, data.y_train)(data.x_test[:, None])
    with pytest.raises(ValueError, match="n_train"):
        kr.make_data(n_train=0)
    with pytest.raises(ValueError, match="noise"):
        kr.make_data(noise=-1.0)
