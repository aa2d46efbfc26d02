"""Training loss of the toy translator with and without the causal mask in the decoder (mean of every 25
steps, log scale). The same two models as snippets/machine-translation/no_causal_mask.py.
"""

import torch
from matplotlib.figure import Figure

from attention_book.tasks import mt_extras, translation
from attention_book.viz import plot_lines

WINDOW = 25


def draw() -> Figure:
    _, good = translation.train_translation(seed=0)
    _, bad = mt_extras.train_without_causal_mask(seed=0)
    curves = {
        name: torch.tensor(history.losses).reshape(-1, WINDOW).mean(1).tolist()
        for name, history in (("causal decoder (correct)", good), ("decoder not causal (bug)", bad))
    }
    steps = [WINDOW * (i + 1) for i in range(len(next(iter(curves.values()))))]
    fig = plot_lines(steps, curves, xlabel="training step", ylabel="teacher-forced loss", logy=True)
    fig.set_size_inches(7.0, 3.4)
    return fig
