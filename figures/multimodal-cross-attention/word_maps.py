"""Each word's cross-attention over the picture (mean of the heads), in the first and second block."""

from matplotlib.figure import Figure

from attention_book.tasks import multimodal as mm


def draw() -> Figure:
    model, _ = mm.train_scene_qa()  # the page's model
    sample = mm.held_out_samples(20)[2]  # the scene of snippets/.../grounding.py
    _, weights = mm.cross_attention(model, [sample.scene], [sample.question])
    image = mm.render([sample.scene])[0]
    T = len(sample.question)
    fig = Figure(figsize=(8.0, 3.3), layout="constrained")
    axes = fig.subplots(2, T)
    for layer in range(2):
        maps = weights[layer, 0].mean(0)  # (T, N)
        for t, word in enumerate(sample.question):
            ax = axes[layer, t]
            mm.plot_scene(ax, image, maps[t])
            if layer == 0:
                ax.set_title(f"“{word}”", fontsize=11)
        axes[layer, 0].set_ylabel(f"block {layer + 1}", fontsize=11)
    return fig
