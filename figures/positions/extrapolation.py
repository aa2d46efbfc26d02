"""Accuracy against evaluation length, one line per way of giving positions (trained at 32 tokens)."""

import matplotlib
from matplotlib.figure import Figure

from attention_book.tasks.extrapolation import POSITIONS, TRAIN_LENGTH, train_extrapolation
from attention_book.viz import plot_lines

LABELS = {
    "none": "none (NoPE)",
    "sinusoidal": "sinusoidal",
    "learned": "learned (32 rows, runs at 32 only)",
    "rope": "RoPE",
    "alibi": "ALiBi",
}


def draw() -> Figure:
    histories = {p: train_extrapolation(p)[1] for p in POSITIONS}  # the models of extrapolation.py
    lengths = histories["alibi"].lengths
    fig = plot_lines(
        lengths,
        {LABELS[p]: h.accuracy for p, h in histories.items()},
        xlabel="evaluation length (tokens)",
        ylabel="next-token accuracy",
        logx=True,
        title="Trained on 32 tokens, tested on up to 512",
    )
    ax = fig.axes[0]
    ax.axvline(TRAIN_LENGTH, color=matplotlib.rcParams["axes.edgecolor"], linestyle="--", linewidth=1)
    ax.set_xticks(lengths, labels=[str(n) for n in lengths])
    ax.set_ylim(0.4, 1.02)
    learned = ax.get_lines()[POSITIONS.index("learned")]
    learned.set_marker("X")
    learned.set_markersize(10)
    learned.set_zorder(5)
    ax.legend(loc="lower center")  # again, to show the new marker
    return fig
