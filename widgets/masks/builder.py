"""The mask builder: causal, padding and sliding-window masks over a fixed matrix of scores.

The reader sets the length, the causal switch, the number of padding tokens and the window, and sees
the keep-mask and the weights. Without JavaScript the page shows draw(): the starting setting.
"""

from typing import Any

from matplotlib.figure import Figure

from attention_book import widgets
from attention_book.viz import plot_attention, plot_mask


def data() -> dict[str, Any]:
    return widgets.mask_builder_data(max_length=8, length=6, causal=True, padding=2, window=0)


def draw() -> Figure:
    settings = data()
    fig = Figure(figsize=(7.0, 3.3), layout="constrained")
    left, right = fig.subplots(1, 2)
    what = f"causal, {settings['padding']} padding tokens"
    plot_mask(settings["mask"], title=f"Mask: {what}", ax=left)
    plot_attention(settings["weights"], title="Weights", ax=right)
    return fig
