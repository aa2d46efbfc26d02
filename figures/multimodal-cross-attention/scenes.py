"""Four held-out scenes of the toy task, each with its question and answer."""

import textwrap

from matplotlib.figure import Figure

from attention_book.tasks import multimodal as mm


def draw() -> Figure:
    samples = mm.held_out_samples(4)
    images = mm.render([s.scene for s in samples])  # (4, 3, H, W), no noise
    fig = Figure(figsize=(7.0, 2.6), layout="constrained")
    for ax, sample, image in zip(fig.subplots(1, 4), samples, images, strict=True):
        mm.plot_scene(ax, image)
        question = textwrap.fill(" ".join(sample.question), 16)
        ax.set_title(question, fontsize=10)
        ax.set_xlabel(sample.answer, fontsize=11)
    return fig
