"""Recall accuracy against the number of stored pairs, for softmax, linear and local attention."""

from matplotlib.figure import Figure

from attention_book.tasks.sparse_linear import (
    MAX_PAIRS,
    MIN_PAIRS,
    NUM_VALUES,
    evaluate,
    train_efficient_recall,
)
from attention_book.viz import plot_lines

PAIRS = [2, 4, 8, 16, 32, 64]
LABELS = {"softmax": "softmax", "linear": "linear (elu + 1)", "local": "local, window of 4"}


def draw() -> Figure:
    curves = {}
    for kind, label in LABELS.items():
        model, _ = train_efficient_recall(kind)  # the models of recall_accuracy.py
        curves[label] = [evaluate(model, n) for n in PAIRS]
    curves["chance"] = [1 / NUM_VALUES] * len(PAIRS)
    fig = plot_lines(
        PAIRS,
        curves,
        xlabel="key-value pairs in the sequence",
        ylabel="recall accuracy (held out)",
        logx=True,
        title="Recall from a fixed-size state or a window falls with the pairs",
    )
    ax = fig.axes[0]
    ink = ax.xaxis.label.get_color()
    ax.axvspan(MIN_PAIRS, MAX_PAIRS, color=ink, alpha=0.08, linewidth=0)
    ax.text(MIN_PAIRS * 1.08, 0.1, f"trained on {MIN_PAIRS} to {MAX_PAIRS} pairs", color=ink, fontsize=9)
    ax.set_xticks(PAIRS, labels=[str(n) for n in PAIRS])
    ax.set_ylim(0, 1.05)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=4, frameon=False)
    return fig
