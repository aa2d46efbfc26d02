"""Accuracy of the GRU encoder-decoder against string length, with and without attention.

The same two models as snippets/why-attention/bottleneck.py (same train_seq2seq calls, so the build trains
them once), evaluated on every length from 1 to 30; lengths past 20 were never seen in training.
"""

import matplotlib
from matplotlib.figure import Figure

from attention_book.tasks.seq2seq import accuracy_by_length, train_seq2seq
from attention_book.viz import plot_lines

LENGTHS = list(range(1, 31))
TRAINED_UP_TO = 20


def draw() -> Figure:
    no_attention, _ = train_seq2seq(None)
    attention, _ = train_seq2seq("additive")
    curves = {
        "attention (additive)": list(accuracy_by_length(attention, LENGTHS).values()),
        "no attention (one vector)": list(accuracy_by_length(no_attention, LENGTHS).values()),
        "chance (1 in 10)": [0.1] * len(LENGTHS),
    }
    fig = plot_lines(
        LENGTHS,
        curves,
        xlabel="digits to copy",
        ylabel="digits right (held out)",
        title="One vector holds short strings only",
    )
    ax = fig.axes[0]
    ax.set_ylim(0, 1.05)
    ax.axvline(TRAINED_UP_TO + 0.5, color=matplotlib.rcParams["axes.edgecolor"], linestyle="--", linewidth=1)
    ax.text(
        TRAINED_UP_TO + 1,
        0.5,
        "longer than\nany training\nstring",
        color=matplotlib.rcParams["axes.labelcolor"],
        fontsize=10,
    )
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 0.14))
    return fig
