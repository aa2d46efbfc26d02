"""The tiny language model's loss along texts of 512 tokens: full cache, window, window and sink."""

from matplotlib.figure import Figure

from attention_book.tasks import language_model as lm
from attention_book.viz import plot_lines

BIN = 32  # positions per point
# the texts and caches of snippets/attention-in-llms/streaming.py
CACHES = {"full cache": (None, 0), "window 32": (32, 0), "window 32 + 1 sink": (32, 1)}


def draw() -> Figure:
    model, _ = lm.train_language_model()
    texts, _ = lm.held_out_text(64, 513)
    curves = {}
    for name, (window, sinks) in CACHES.items():
        losses = lm.token_losses(model, texts, window, sinks).mean(0)  # (512,): loss on token t + 1
        curves[name] = losses.view(-1, BIN).mean(-1).tolist()
    centres = [BIN * i + BIN / 2 for i in range(len(curves["full cache"]))]
    fig = plot_lines(
        centres,
        curves,
        xlabel="position in the text",
        ylabel=f"loss, nats (mean over {BIN} positions)",
        title="Loss along texts of 512 tokens, trained on 64",
    )
    ax = fig.axes[0]
    ax.axvline(32, color="0.5", linewidth=1.5, linestyle=":", label="BOS leaves the window")
    ax.axvline(lm.SEQ_LEN, color="0.5", linewidth=1.5, linestyle="--", label="trained length")
    ax.set_ylim(top=ax.get_ylim()[1] + 0.3)  # room for the legend above the curves
    ax.legend(loc="upper left", fontsize=9, ncols=2)
    return fig
