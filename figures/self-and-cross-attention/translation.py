"""The cross-attention weights that snippets/self-and-cross-attention/translation_toy.py prints."""

import runpy
from pathlib import Path

from matplotlib.figure import Figure

from attention_book.viz import plot_attention

SNIPPET = Path(__file__).resolve().parents[2] / "snippets" / "self-and-cross-attention" / "translation_toy.py"


def draw() -> Figure:
    # Run the listing itself, so the figure shows exactly the numbers printed on the page.
    result = runpy.run_path(str(SNIPPET))
    return plot_attention(
        result["weights"][0],  # (L, S): French queries over English keys
        row_labels=result["target"],
        col_labels=result["source"],
        title="French queries over English keys",
    )
