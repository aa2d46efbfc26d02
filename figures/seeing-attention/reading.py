"""One induction head of the trained model as a heatmap with the tokens on the axes (reading.py)."""

import runpy
from pathlib import Path

from matplotlib.figure import Figure

from attention_book.viz import plot_attention

SNIPPET = Path(__file__).resolve().parents[2] / "snippets" / "seeing-attention" / "reading.py"


def draw() -> Figure:
    # Run the listing itself, so the figure shows the head and the sequence it prints.
    listing = runpy.run_path(str(SNIPPET))
    tokens = [f"{token} {t}" for t, token in enumerate(listing["tokens"])]
    title = f"layer {listing['layer']}, head {listing['head']}"
    fig = plot_attention(listing["w"], row_labels=tokens, col_labels=tokens, annotate=False, title=title)
    ax = fig.axes[0]
    ax.tick_params(labelsize=8)
    return fig
