"""The eight heads of the tiny trained transformer on one held-out sequence, with their entropy."""

import torch
from matplotlib.figure import Figure

from attention_book.tasks import tiny_transformer as tt
from attention_book.viz import plot_heads

TICKS = [0, 8, 16, 24]


def draw() -> Figure:
    model, _ = tt.train_tiny_transformer(seed=0)  # the model of trained_heads.py
    sequence, _ = tt.held_out_batch(num_sequences=1)
    with torch.no_grad():
        _, weights = model.forward_with_weights(sequence)  # (layers, 1, H, T, T)
    entropy = tt.measure_heads(model)["entropy"]  # (layers, H), as the listing prints
    titles = [
        f"L{layer} H{head}: {entropy[layer, head]:.1f} bits"
        for layer in range(model.num_layers)
        for head in range(model.num_heads)
    ]
    fig = plot_heads(weights[:, 0].flatten(0, 1), titles=titles, ncols=4, annotate=False)
    for ax in fig.axes[:-1]:  # every head, not the colorbar: fewer ticks
        ax.set_xticks(TICKS)
        ax.set_yticks(TICKS)
    return fig
