"""The four sparse patterns of snippets/sparse-and-linear-attention/sparse_patterns.py, at n = 64."""

import runpy
from pathlib import Path

from matplotlib.figure import Figure

from attention_book.viz import plot_mask

SNIPPET = (
    Path(__file__).resolve().parents[2] / "snippets" / "sparse-and-linear-attention" / "sparse_patterns.py"
)
TITLES = {
    "causal window": "causal window (Mistral)",
    "strided": "strided (Sparse Transformer)",
    "Longformer": "window + global (Longformer)",
    "BigBird": "+ random blocks (BigBird)",
}


def draw() -> Figure:
    # Build the masks with the listing's own functions, so the figure shows what it counts.
    masks = runpy.run_path(str(SNIPPET))["patterns"](64, 8)
    fig = Figure(figsize=(7.0, 6.6), layout="constrained")
    axes = fig.subplots(2, 2).ravel()
    for index, (ax, (name, mask)) in enumerate(zip(axes, masks.items(), strict=True)):
        plot_mask(mask, title=f"{TITLES[name]}\nkeeps {mask.float().mean():.0%}", ax=ax)
        if index % 2 == 0:  # one legend per row is enough
            ax.images[0].colorbar.remove()
        if index < 2:
            ax.set_xlabel("")
        if index % 2 == 1:
            ax.set_ylabel("")
    return fig
