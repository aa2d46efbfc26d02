"""Two synthetic images of every class, as the ViT sees them (noise and specks included)."""

import torch
from matplotlib.figure import Figure

from attention_book.tasks.vision import CLASSES, make_images


def draw() -> Figure:
    images, labels = make_images(torch.Generator().manual_seed(0), batch_size=200)
    fig = Figure(figsize=(7.0, 2.9), layout="constrained")
    axes = fig.subplots(2, len(CLASSES))
    for k, name in enumerate(CLASSES):
        picks = (labels == k).nonzero().flatten()[:2].tolist()  # the first two of class k
        for row, index in enumerate(picks):
            ax = axes[row, k]
            ax.imshow(images[index, 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[0, k].set_title(name.replace(" ", "\n", 1) if " " in name else name, fontsize=10)
    return fig
