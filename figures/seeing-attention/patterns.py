"""The six constructed patterns of snippets/seeing-attention/patterns.py, side by side."""

import runpy
from pathlib import Path

import torch
from matplotlib.figure import Figure

from attention_book.viz import plot_heads

SNIPPET = Path(__file__).resolve().parents[2] / "snippets" / "seeing-attention" / "patterns.py"


def draw() -> Figure:
    # Run the listing itself, so the figure shows the weights whose scores it prints.
    patterns = runpy.run_path(str(SNIPPET))["patterns"]
    weights = torch.stack(list(patterns.values()))  # (6, T, T)
    return plot_heads(weights, titles=list(patterns), ncols=3, annotate=False)
