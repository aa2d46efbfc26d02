"""Attention weights of the learned Gaussian width and of the learned projections, as heatmaps."""

import matplotlib
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from attention_book.tasks.kernel_regression import KernelData, make_data, train_kernel_regression

PANELS = (("gaussian", "Gaussian kernel, learned width"), ("projected", "learned queries and keys"))


def _tick_inputs(ax: Axes, data: KernelData) -> None:
    """Label the axes with input values (0 to 4) instead of positions: both inputs are sorted."""
    marks = [0, 1, 2, 3, 4]
    rows = [int((data.x_test - m).abs().argmin()) for m in marks]
    cols = [int((data.x_train - m).abs().argmin()) for m in marks]
    ax.set_xticks(cols, labels=[str(m) for m in marks])
    ax.set_yticks(rows, labels=[str(m) for m in marks])
    ax.set_xlabel("key: training input")


def draw() -> Figure:
    data = make_data(n_train=50, seed=0)
    weights = []
    for kind, _ in PANELS:
        model, _ = train_kernel_regression(kind, seed=0)  # the models of the chapter's listings
        with torch.no_grad():
            weights.append(model.attend(data.x_test)[1])  # (L, S)
    vmax = max(float(w.max()) for w in weights)  # one color scale for both panels
    fig = Figure(figsize=(7.0, 3.6), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    cmap = matplotlib.rcParams["image.cmap"]
    image = None
    for ax, w, (_, title) in zip(axes, weights, PANELS, strict=True):
        image = ax.imshow(w, cmap=cmap, vmin=0, vmax=vmax, interpolation="nearest")
        ax.set_title(title, fontsize=12)
        _tick_inputs(ax, data)
    axes[0].set_ylabel("query: test input")
    assert image is not None
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="weight")
    return fig
