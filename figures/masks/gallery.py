"""The four masks of the chapter side by side: padding, causal, both, sliding window."""

import torch
from matplotlib.figure import Figure

from attention_book import causal_mask, combine_masks, padding_mask, sliding_window_mask
from attention_book.viz import plot_mask

L = 6


def draw() -> Figure:
    pad = padding_mask(torch.tensor([4]), L)[0].expand(L, L)  # (L, S): keys 4 and 5 are padding
    panels = [
        ("padding (4 real tokens)", pad),
        ("causal", causal_mask(L)),
        ("padding AND causal", combine_masks(pad, causal_mask(L))),
        ("sliding window of 3", sliding_window_mask(L, 3)),
    ]
    fig = Figure(figsize=(7.0, 5.8), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for index, (ax, (title, mask)) in enumerate(zip(axes, panels, strict=True)):
        plot_mask(mask, title=title, ax=ax)
        if index % 2 == 0:  # one legend per row is enough: drop the left column's colorbars
            ax.images[0].colorbar.remove()
        if index < 2:
            ax.set_xlabel("")
        if index % 2 == 1:
            ax.set_ylabel("")
    return fig
