"""How peaked the softmax gets as d_k grows, with and without the 1/sqrt(d_k) scaling."""

import torch
from matplotlib.figure import Figure

from attention_book.viz import plot_lines

DIMS = [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]


def mean_max_weight(d_k: int, scaled: bool, num_keys: int = 16, trials: int = 500) -> float:
    """Average largest softmax weight over random unit-variance queries and keys."""
    q = torch.randn(trials, 1, d_k)
    k = torch.randn(trials, num_keys, d_k)
    scores = (q @ k.transpose(1, 2)).squeeze(1)  # (trials, num_keys)
    if scaled:
        scores = scores / d_k**0.5
    return torch.softmax(scores, dim=-1).amax(dim=-1).mean().item()


def draw() -> Figure:
    torch.manual_seed(0)
    curves = {
        "q·k (unscaled)": [mean_max_weight(d, scaled=False) for d in DIMS],
        "q·k / √d_k": [mean_max_weight(d, scaled=True) for d in DIMS],
        "uniform (1/16)": [1 / 16] * len(DIMS),
    }
    return plot_lines(
        DIMS,
        curves,
        xlabel="d_k",
        ylabel="largest weight of 16 (mean)",
        logx=True,
        title="Without scaling, the softmax collapses onto one key",
    )
