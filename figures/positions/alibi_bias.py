"""ALiBi's bias against distance: one straight line per head, slopes 1/2 down to 1/256."""

from matplotlib.figure import Figure

from attention_book import alibi_bias, alibi_slopes
from attention_book.viz import plot_lines

HEADS = 8
LENGTH = 33


def draw() -> Figure:
    bias = alibi_bias(HEADS, LENGTH)  # (H, T, T)
    last = bias[:, -1].flip(-1)  # (H, T): the last query's bias, by distance 0 .. T-1
    slopes = alibi_slopes(HEADS).tolist()
    curves = {f"head {h}, m = 1/{round(1 / m)}": last[h].tolist() for h, m in enumerate(slopes)}
    fig = plot_lines(
        range(LENGTH),
        curves,
        xlabel="distance i − j to the key",
        ylabel="bias added to the logit",
        title="ALiBi: a penalty growing linearly with distance",
    )
    for line in fig.axes[0].get_lines():
        line.set_markersize(2.5)
    fig.axes[0].legend(ncols=2, fontsize=9)
    return fig
