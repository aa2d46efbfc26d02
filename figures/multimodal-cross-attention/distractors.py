"""Where the "?" word looks when the object is there twice, among look-alikes, or absent."""

import contextlib
import io
import runpy
from pathlib import Path

from matplotlib.figure import Figure

from attention_book.tasks import multimodal as mm

SNIPPET = Path(__file__).resolve().parents[2] / "snippets" / "multimodal-cross-attention" / "distractors.py"


def draw() -> Figure:
    with contextlib.redirect_stdout(io.StringIO()):  # the same scenes as the listing, not its printout
        listing = runpy.run_path(str(SNIPPET))
    model = listing["model"]
    fig = Figure(figsize=(7.0, 2.9), layout="constrained")
    for ax, name in zip(fig.subplots(1, 3), listing["cases"], strict=True):
        scene, question = listing["cases"][name], listing["questions"][name]
        logits, weights = mm.cross_attention(model, [scene], [question])
        mm.plot_scene(ax, mm.render([scene])[0], weights[0, 0, :, -1].mean(0))
        ax.set_title(f"{name}\n{' '.join(question)}", fontsize=10)
        ax.set_xlabel(f"answer: {mm.ANSWERS[logits.argmax()]}", fontsize=10)
    return fig
