"""The trained ViT's class-token attention (attention rollout) drawn over six held-out images."""

import torch
from matplotlib.figure import Figure

from attention_book.tasks.vision import CLASSES, attention_rollout, held_out_images, train_vit

SHOWN = 6
SHORT = {"dots side by side": "dots ↔", "dots stacked": "dots ↕"}  # short titles


def short(label: int) -> str:
    return SHORT.get(CLASSES[label], CLASSES[label])


def draw() -> Figure:
    model, _ = train_vit()  # the page's model, from the training cache
    images, labels = held_out_images(SHOWN)
    with torch.no_grad():
        logits, weights = model.forward_with_weights(images)
    rollout = attention_rollout(weights)[:, 0, 1:].view(SHOWN, 6, 6)  # class token -> patches
    last = weights[-1].mean(1)[:, 0, 1:].view(SHOWN, 6, 6)
    fig = Figure(figsize=(7.0, 3.0), layout="constrained")
    axes = fig.subplots(2, SHOWN)
    extent = (-0.5, 23.5, 23.5, -0.5)  # the 6 x 6 map stretched over the 24 x 24 pixels
    for i in range(SHOWN):
        for row, maps in enumerate((last, rollout)):
            ax = axes[row, i]
            ax.imshow(images[i, 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            heat = maps[i] / maps[i].max()
            ax.imshow(heat, cmap="viridis", alpha=0.6, extent=extent, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        truth, predicted = int(labels[i]), int(logits[i].argmax())
        title = short(truth) if predicted == truth else f"{short(truth)}\nsaid: {short(predicted)}"
        axes[0, i].set_title(title, fontsize=9)
    axes[0, 0].set_ylabel("last layer", fontsize=10)
    axes[1, 0].set_ylabel("rollout", fontsize=10)
    return fig
