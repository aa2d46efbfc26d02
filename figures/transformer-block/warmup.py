"""Training loss of a 12-block encoder: post-LN with and without warm-up, pre-LN without.

The runs of snippets/transformer-block/warmup.py.
"""

from matplotlib.figure import Figure

from attention_book.tasks import deep_stack
from attention_book.viz import plot_lines

RUNS = {  # label: (norm_first, warm-up steps), as in the listing
    "post-LN, no warm-up": (False, 0),
    "post-LN, 100 warm-up steps": (False, 100),
    "pre-LN, no warm-up": (True, 0),
}
EVERY = 5  # plot the mean loss of every 5 steps


def draw() -> Figure:
    curves = {}
    for label, (norm_first, warmup) in RUNS.items():
        _, history = deep_stack.train_deep_stack(norm_first, warmup)
        losses = history.losses
        curves[label] = [sum(losses[i : i + EVERY]) / EVERY for i in range(0, len(losses), EVERY)]
    steps = range(EVERY, EVERY * len(next(iter(curves.values()))) + 1, EVERY)
    fig = plot_lines(steps, curves, xlabel="training step", ylabel="loss (mean of 5 steps)", logy=True)
    ax = fig.axes[0]
    for line in ax.lines:
        line.set_marker("")
    ax.legend()  # again, so that the legend shows the lines without markers
    return fig
