"""The alignment learned by the additive-attention copy model: its weights for one new 12-digit string.

The model is the one of snippets/scoring-functions/alignment.py and snippets/why-attention/bottleneck.py
(the same train_seq2seq call, so the build trains it once).
"""

import torch
from matplotlib.figure import Figure

from attention_book.tasks.seq2seq import make_batch, train_seq2seq
from attention_book.viz import plot_attention

LENGTH = 12


def draw() -> Figure:
    model, _ = train_seq2seq("additive")
    source, _ = make_batch(torch.Generator().manual_seed(12), "copy", 1, LENGTH, LENGTH)
    output, weights = model.generate(source)  # (1, 12), (1, 12, 12)
    digits_in = [f"{d}" for d in source[0].tolist()]
    digits_out = [f"{t}: {d}" for t, d in enumerate(output[0].tolist())]
    fig = plot_attention(
        weights[0],
        row_labels=digits_out,
        col_labels=digits_in,
        title="Additive attention, learned: the diagonal",
        annotate=False,
    )
    ax = fig.axes[0]
    ax.set_xlabel("source digit (position 0 to 11)")
    ax.set_ylabel("output step: digit written")
    ax.tick_params(axis="x", labelrotation=0)
    return fig
