"""Cross-attention of the trained toy translator (layer 2, heads averaged) for three sentences, with the
reference alignment marked: one circle per target word, on the source word it translates.

The same model as snippets/machine-translation/alignments.py.
"""

import matplotlib
from matplotlib.figure import Figure

from attention_book.tasks import translation

SENTENCES = (
    "a small green cow eats the wolf",
    "the dog follows a white hen",
    "a pretty mouse likes the big black horse",
)
LAYER = 1  # the second decoder block


def draw() -> Figure:
    model, _ = translation.train_translation(seed=0)
    fig = Figure(figsize=(7.2, 3.3), layout="constrained")
    axes = fig.subplots(1, len(SENTENCES), width_ratios=[len(s.split()) for s in SENTENCES])
    image = None
    for ax, sentence in zip(axes, SENTENCES, strict=True):
        source = sentence.split()
        target, aligned = translation.reference_translation(source)
        _, weights = translation.cross_attention(model, source, target)  # (layers, H, T, S)
        values = weights[LAYER].mean(0).numpy()  # (T, S)
        image = ax.imshow(values, cmap=matplotlib.rcParams["image.cmap"], vmin=0.0, vmax=1.0, aspect="auto")
        ax.scatter(aligned, range(len(target)), s=70, facecolors="none", edgecolors="#f05a28", linewidths=1.4)
        ax.set_xticks(range(len(source)), labels=source, rotation=60, ha="right", fontsize=9)
        ax.set_yticks(range(len(target)), labels=target, fontsize=9)
    axes[0].set_ylabel("French word being written")
    fig.supxlabel("English source word", fontsize=9)
    fig.colorbar(image, ax=list(axes), shrink=0.7, label="weight")
    return fig
