"""The three hand-set heads of snippets/multi-head-attention/three_heads.py, side by side."""

import runpy
from pathlib import Path

from matplotlib.figure import Figure

from attention_book.viz import plot_heads

SNIPPET = Path(__file__).resolve().parents[2] / "snippets" / "multi-head-attention" / "three_heads.py"


def draw() -> Figure:
    # Run the listing itself, so the figure shows the weights it prints.
    listing = runpy.run_path(str(SNIPPET))
    words = listing["words"]
    return plot_heads(
        listing["weights"][0],
        row_labels=words,
        col_labels=words,
        titles=[f"{h}: {name}" for h, name in enumerate(listing["names"])],
        ncols=3,
        annotate=False,
    )
