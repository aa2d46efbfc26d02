"""Nadaraya-Watson fits for a narrow, a good and a wide Gaussian kernel, against the truth."""

import matplotlib
import torch
from matplotlib.figure import Figure

from attention_book.tasks.kernel_regression import GaussianKernelRegression, make_data, target_function

WIDTHS = (0.05, 0.3, 3.0)  # three of the widths that snippets/queries-keys-values/kernel_widths.py scores


def draw() -> Figure:
    data = make_data(n_train=50, seed=0)
    grid = torch.linspace(0, 5, 400)  # (G,), smoother curves than the 50 test inputs
    fig = Figure(figsize=(7.0, 4.0), layout="constrained")
    ax = fig.add_subplot()
    ax.scatter(
        data.x_train, data.y_train, s=14, color=matplotlib.rcParams["axes.edgecolor"], label="training pairs"
    )
    truth_color = matplotlib.rcParams["text.color"]
    ax.plot(grid, target_function(grid), color=truth_color, lw=1.5, ls="--", label="truth")
    for width in WIDTHS:
        model = GaussianKernelRegression(data.x_train, data.y_train, width=width, learn_width=False)
        with torch.no_grad():
            ax.plot(grid, model(grid), lw=2, label=f"width {width}")
    ax.set_xlabel("x (query)")
    ax.set_ylabel("y")
    ax.grid(True, linewidth=0.5)
    ax.legend(ncols=2, loc="upper right")
    ax.set_title("Too narrow follows the noise, too wide flattens the curve")
    return fig
