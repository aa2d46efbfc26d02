"""The three attentions of an encoder-decoder Transformer, drawn as keep-masks with token labels."""

import torch
from matplotlib.figure import Figure

from attention_book import causal_mask
from attention_book.viz import plot_mask

SOURCE = ["the", "black", "cat", "sat", "down"]
TARGET = ["le", "chat", "noir", "s'assit"]


def draw() -> Figure:
    S, L = len(SOURCE), len(TARGET)
    panels = [
        ("encoder\nself-attention", torch.ones(S, S, dtype=torch.bool), SOURCE, SOURCE),
        ("decoder\nmasked self-attention", causal_mask(L), TARGET, TARGET),
        ("decoder\ncross-attention", torch.ones(L, S, dtype=torch.bool), TARGET, SOURCE),
    ]
    fig = Figure(figsize=(7.0, 3.0), layout="constrained")
    axes = fig.subplots(1, 3)
    for index, (ax, (title, mask, rows, cols)) in enumerate(zip(axes, panels, strict=True)):
        plot_mask(mask, title=title, row_labels=rows, col_labels=cols, ax=ax)
        ax.set_xlabel("keys")
        ax.set_ylabel("queries" if index == 0 else "")
        ax.images[0].colorbar.remove()  # the page says: bright = may attend
    return fig
