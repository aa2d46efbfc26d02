"""Nadaraya-Watson kernel regression: attention pooling before attention had a name.

Given training pairs ``(x_j, y_j)`` and a new input ``x``, Nadaraya (1964, "On estimating regression",
Theory of Probability & Its Applications 9(1)) and Watson (1964, "Smooth regression analysis", Sankhya,
Series A 26(4)) estimate ``y`` as a weighted average of the training targets, weighted by how close each
``x_j`` is to ``x``::

    f(x) = sum_j  K(x - x_j) / sum_k K(x - x_k)  *  y_j

With the Gaussian kernel ``K(u) = exp(-u^2 / (2 w^2))`` of width ``w``, the weights are exactly a softmax::

    alpha_j(x) = softmax_j( -(x - x_j)^2 / (2 w^2) )

which is attention in the sense of Vaswani et al. (2017, "Attention Is All You Need", arXiv:1706.03762):
the query is the test input ``x``, the keys are the training inputs ``x_j``, the values are the training
targets ``y_j``, and ``-(x - x_j)^2 / (2 w^2)`` is the score.

This module has the synthetic data set of the book's chapter "Queries, keys and values"
(``y = 2 sin x + x^0.8 + noise``), the Gaussian pooling with a fixed or a learned width
(:class:`GaussianKernelRegression`), the same pooling with learned query and key projections and
dot-product scores (:class:`ProjectedKernelRegression`), and :func:`train_kernel_regression`, which fits
either by leave-one-out: each training input is a query against all the *other* training pairs, so the
width cannot shrink to zero and memorise the noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import Tensor, nn

from .._checks import check_positive_int, check_tensor, fmt_shape
from ..core import masked_softmax
from ._cache import cached_training
from ._training import History, fit

__all__ = [
    "KernelData",
    "KernelRegression",
    "GaussianKernelRegression",
    "ProjectedKernelRegression",
    "evaluate",
    "gaussian_scores",
    "make_data",
    "target_function",
    "train_kernel_regression",
]

Kind = Literal["gaussian", "projected"]
KINDS: tuple[str, ...] = ("gaussian", "projected")


def target_function(x: Tensor) -> Tensor:
    """The noiseless truth the data are drawn around: ``2 sin x + x^0.8`` (for ``x >= 0``)."""
    return 2 * torch.sin(x) + x**0.8


@dataclass
class KernelData:
    """A 1-D regression problem: noisy training pairs and a noiseless test grid."""

    x_train: Tensor  # (S,)  training inputs, sorted: the keys
    y_train: Tensor  # (S,)  noisy targets: the values
    x_test: Tensor  # (L,)  an even grid over [0, x_max): the queries
    y_test: Tensor  # (L,)  the noiseless truth at the test inputs


def make_data(
    n_train: int = 50, n_test: int = 50, noise: float = 0.5, x_max: float = 5.0, seed: int = 0
) -> KernelData:
    """Draw ``n_train`` inputs uniformly from ``[0, x_max)``, sorted, with targets ``truth + N(0, noise^2)``.

    The test inputs are ``n_test`` evenly spaced points of ``[0, x_max)`` with their noiseless targets.
    """
    n_train = check_positive_int("n_train", n_train)
    n_test = check_positive_int("n_test", n_test)
    if not noise >= 0:
        raise ValueError(f"noise: expected a standard deviation >= 0, got {noise!r}")
    if not x_max > 0:
        raise ValueError(f"x_max: expected a positive number, got {x_max!r}")
    generator = torch.Generator().manual_seed(seed)
    x_train, _ = torch.sort(torch.rand(n_train, generator=generator) * x_max)  # (S,)
    y_train = target_function(x_train) + noise * torch.randn(n_train, generator=generator)  # (S,)
    x_test = torch.arange(n_test) * (x_max / n_test)  # (L,)
    return KernelData(x_train, y_train, x_test, target_function(x_test))


def _check_1d(name: str, x: object) -> Tensor:
    x = check_tensor(name, x)
    if x.dim() != 1:
        raise ValueError(f"{name}: expected a 1-D tensor of scalar inputs (n,), got {fmt_shape(x.shape)}")
    return x


def gaussian_scores(queries: Tensor, keys: Tensor, width: float | Tensor) -> Tensor:
    """Attention scores of the Gaussian kernel, ``-(x_i - x_j)^2 / (2 w^2)``: ``(L,), (S,) -> (L, S)``.

    Their softmax over ``j`` is the Nadaraya-Watson weight of key ``j`` for query ``i``.
    """
    queries, keys = _check_1d("queries", queries), _check_1d("keys", keys)
    if isinstance(width, Tensor):
        if width.numel() != 1 or not bool(width.detach() > 0):
            raise ValueError(f"width: expected one positive number, got {width.detach().tolist()!r}")
    elif not width > 0:
        raise ValueError(f"width: expected a positive number, got {width!r}")
    differences = queries[:, None] - keys[None, :]  # (L, S)
    return -(differences**2) / (2 * width**2)


class KernelRegression(nn.Module):
    """Attention pooling over a stored training set: keys are its inputs, values are its targets.

    Like a dictionary, the model holds its keys and values; calling it with queries returns, for each
    query, the average of the values weighted by ``softmax(score(query, key))``. Subclasses define
    :meth:`scores`.
    """

    keys: Tensor
    values: Tensor

    def __init__(self, keys: Tensor, values: Tensor) -> None:
        super().__init__()
        keys, values = _check_1d("keys", keys), _check_1d("values", values)
        if keys.shape != values.shape:
            expected, got = fmt_shape(keys.shape), fmt_shape(values.shape)
            raise ValueError(f"values: expected one value per key, shape {expected}, got {got}")
        self.register_buffer("keys", keys.clone())  # (S,)
        self.register_buffer("values", values.clone())  # (S,)

    def scores(self, queries: Tensor) -> Tensor:
        """Scores ``(L, S)`` of each query against each stored key."""
        raise NotImplementedError

    def attend(self, queries: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """Predictions ``(L,)`` and attention weights ``(L, S)`` for ``queries (L,)``.

        ``mask`` is a keep-mask ``(L, S)`` (``True`` = may attend), e.g. ``~torch.eye(S, dtype=bool)`` to
        leave each training input's own pair out when the queries are the training inputs.
        """
        queries = _check_1d("queries", queries)
        weights = masked_softmax(self.scores(queries), mask)  # (L, S), rows sum to 1
        return weights @ self.values, weights  # (L,), (L, S)

    def forward(self, queries: Tensor) -> Tensor:
        """Predictions ``(L,)`` for ``queries (L,)``."""
        return self.attend(queries)[0]


class GaussianKernelRegression(KernelRegression):
    """Nadaraya-Watson regression with the Gaussian kernel of width ``w``: scores ``-(x - x_j)^2 / (2w^2)``.

    The width is stored as its logarithm, so it stays positive while it is learned.
    ``learn_width=False`` freezes it (the regression then has nothing to learn).
    """

    def __init__(self, keys: Tensor, values: Tensor, width: float = 1.0, learn_width: bool = True) -> None:
        super().__init__(keys, values)
        if not width > 0:
            raise ValueError(f"width: expected a positive number, got {width!r}")
        self.log_width = nn.Parameter(torch.tensor(math.log(width)), requires_grad=learn_width)

    @property
    def width(self) -> Tensor:
        """The kernel width ``w`` (a 0-d tensor)."""
        return self.log_width.exp()

    def scores(self, queries: Tensor) -> Tensor:
        return gaussian_scores(queries, self.keys, self.width)  # (L, S)


class ProjectedKernelRegression(KernelRegression):
    """Attention pooling with learned queries ``q = f_Q(x)``, keys ``k = f_K(x_j)``, scores ``q.k / sqrt(d)``.

    ``f_Q`` and ``f_K`` are small MLPs from a scalar to ``d`` features (``1 -> hidden -> d``, tanh). They
    can represent the Gaussian kernel, whose score expands to ``x x_j / w^2 - x_j^2 / (2 w^2)`` plus a
    term in ``x`` alone that the softmax ignores, but they are free to learn other similarities. The
    values stay the training targets.
    """

    def __init__(self, keys: Tensor, values: Tensor, d: int = 8, hidden: int = 16) -> None:
        super().__init__(keys, values)
        d, hidden = check_positive_int("d", d), check_positive_int("hidden", hidden)
        self.to_query = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, d))
        self.to_key = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, d))

    def scores(self, queries: Tensor) -> Tensor:
        q = self.to_query(queries[:, None])  # (L, d)
        k = self.to_key(self.keys[:, None])  # (S, d)
        return q @ k.T / math.sqrt(q.shape[-1])  # (L, S)


class _LeaveOneOut(nn.Module):
    """Training view of a regressor: the queries are the training inputs, each with its own pair masked."""

    keep: Tensor

    def __init__(self, model: KernelRegression, leave_one_out: bool) -> None:
        super().__init__()
        self.model = model
        n = model.keys.shape[0]
        keep = ~torch.eye(n, dtype=torch.bool) if leave_one_out else torch.ones(n, n, dtype=torch.bool)
        self.register_buffer("keep", keep)  # (S, S) keep-mask: True = may attend

    def forward(self, queries: Tensor) -> Tensor:
        return self.model.attend(queries, self.keep)[0]  # (S,)


@cached_training
def train_kernel_regression(
    kind: Kind = "gaussian",
    *,
    seed: int = 0,
    steps: int = 200,
    lr: float = 0.05,
    width: float = 1.0,
    leave_one_out: bool = True,
    n_train: int = 50,
    data_seed: int = 0,
) -> tuple[KernelRegression, History]:
    """Fit the width (``kind="gaussian"``) or the query and key projections (``"projected"``).

    The data set is ``make_data(n_train, seed=data_seed)``. The loss is the mean squared error of
    predicting each training target from the other training pairs (leave-one-out); with
    ``leave_one_out=False`` each training input may also attend to itself, and the width collapses toward
    zero. Full-batch Adam for ``steps`` steps; ``width`` is the Gaussian's starting width. Seeded and
    deterministic: the same arguments give the same model, bit for bit.
    """
    if kind not in KINDS:
        raise ValueError(f"kind: expected one of {KINDS}, got {kind!r}")
    data = make_data(n_train, seed=data_seed)
    torch.manual_seed(seed)
    model: KernelRegression
    if kind == "gaussian":
        model = GaussianKernelRegression(data.x_train, data.y_train, width=width)
    else:
        model = ProjectedKernelRegression(data.x_train, data.y_train)

    def full_batch(generator: torch.Generator) -> tuple[Tensor, Tensor]:
        return data.x_train, data.y_train  # (S,), (S,): the whole training set every step

    history = fit(
        _LeaveOneOut(model, leave_one_out),
        full_batch,
        nn.functional.mse_loss,
        seed=seed,
        steps=steps,
        lr=lr,
    )
    return model, history


@torch.no_grad()
def evaluate(model: KernelRegression, data: KernelData | None = None) -> float:
    """Mean squared error against the noiseless truth on the test grid (``make_data()`` by default)."""
    data = make_data() if data is None else data
    return nn.functional.mse_loss(model(data.x_test), data.y_test).item()
