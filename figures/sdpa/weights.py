"""The attention weights that snippets/sdpa/step_by_step.py prints, as a heatmap."""

import runpy
from pathlib import Path

from matplotlib.figure import Figure

from attention_book.viz import plot_attention

SNIPPET = Path(__file__).resolve().parents[2] / "snippets" / "sdpa" / "step_by_step.py"


def draw() -> Figure:
    # Run the listing itself, so the figure shows exactly the numbers printed on the page.
    weights = runpy.run_path(str(SNIPPET))["weights"]
    return plot_attention(weights, title="softmax(q kᵀ / √d_k), one row per query")
