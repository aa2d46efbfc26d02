"""Cross-attention of the trained toy translator, every layer and head, on one sentence.

The same model and sentence as snippets/transformer-block/cross_attention.py.
"""

from matplotlib.figure import Figure

from attention_book.tasks import translation
from attention_book.viz import plot_heads

SENTENCE = "the big black cat chases a small white mouse"


def draw() -> Figure:
    model, _ = translation.train_translation(seed=0)
    target, weights = translation.cross_attention(model, SENTENCE)  # (layers, H, T, S)
    layers, heads = weights.shape[:2]
    titles = [f"layer {a + 1}, head {h + 1}" for a in range(layers) for h in range(heads)]
    fig = plot_heads(
        weights.flatten(0, 1),
        row_labels=target,
        col_labels=SENTENCE.split(),
        titles=titles,
        ncols=heads,
        annotate=False,
    )
    fig.set_size_inches(7.0, 7.4)
    return fig
