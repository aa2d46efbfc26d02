"""A previous-token head and an induction head of the tiny transformer, before and after training."""

import torch
from matplotlib.figure import Figure

from attention_book.tasks import tiny_transformer as tt
from attention_book.viz import plot_heads

TICKS = [0, 8, 16, 24]


def draw() -> Figure:
    trained, _ = tt.train_tiny_transformer(seed=0)  # the model of trained_patterns.py
    untrained = tt.initial_model(seed=0)  # the same weights before the first step
    scores = tt.measure_heads(trained)
    previous = int(scores["previous"][0].argmax())  # the clearest head of each kind
    induction = int(scores["induction"][1].argmax())
    sequence, _ = tt.held_out_batch(num_sequences=1)
    panels, titles = [], []
    for layer, head in ((0, previous), (1, induction)):
        for name, model in (("before", untrained), ("after", trained)):
            with torch.no_grad():
                _, weights = model.eval().forward_with_weights(sequence)  # (layers, 1, H, T, T)
            panels.append(weights[layer, 0, head])
            titles.append(f"L{layer} H{head} {name}")
    fig = plot_heads(torch.stack(panels), titles=titles, ncols=2, annotate=False)
    for ax in fig.axes[:-1]:  # every head, not the colorbar
        ax.set_xticks(TICKS)
        ax.set_yticks(TICKS)
    return fig
