"""Training of the tiny transformer: the loss, and the heads' pattern scores, against the step."""

from matplotlib.figure import Figure

from attention_book.tasks import tiny_transformer as tt
from attention_book.viz import plot_lines


def draw() -> Figure:
    _, history = tt.train_tiny_transformer(seed=0)  # the model of trained_patterns.py
    fig = Figure(figsize=(7.0, 5.2), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    plot_lines(
        list(range(history.steps)),
        {"training loss": history.losses},
        xlabel="",
        ylabel="cross-entropy",
        logy=True,
        title="A plateau, then a drop: the heads form at the drop",
        ax=top,
    )
    plot_lines(
        history.probe_steps,
        {
            "induction score, best layer-1 head": history.induction,
            "previous-token score, best layer-0 head": history.previous,
        },
        xlabel="training step",
        ylabel="share of weight",
        ax=bottom,
    )
    for ax, where in ((top, "upper right"), (bottom, "center right")):
        for line in ax.get_lines():
            line.set_marker("")  # hundreds of points: lines, no markers
        ax.legend(loc=where)
    return fig
