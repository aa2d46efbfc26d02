"""Gradient norm of each block at initialization, post-LN and pre-LN, in a stack of 18 encoder blocks.

The same numbers as snippets/transformer-block/gradient_norms.py prints.
"""

from matplotlib.figure import Figure

from attention_book.tasks import deep_stack
from attention_book.viz import plot_lines

LAYERS = 18


def draw() -> Figure:
    post = deep_stack.gradient_norms(LAYERS, norm_first=False)
    pre = deep_stack.gradient_norms(LAYERS, norm_first=True)
    fig = plot_lines(
        range(1, LAYERS + 1),
        {"post-LN": post, "pre-LN": pre},
        xlabel="block (1 = next to the input)",
        ylabel="gradient norm at initialization",
    )
    fig.axes[0].set_ylim(bottom=0)
    fig.axes[0].set_xticks([1, 3, 6, 9, 12, 15, 18])
    return fig
