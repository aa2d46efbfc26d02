"""The softmax playground: the four scores of snippets/sdpa/four_scores.py, with d_k = 64.

The reader moves the scores, switches the 1/sqrt(d_k) scale, picks d_k and a temperature, and watches
the weights. Without JavaScript the page shows draw(): the weights of the same scores, raw and scaled.
"""

import runpy
from pathlib import Path
from typing import Any

import torch
from matplotlib.figure import Figure

from attention_book import widgets
from attention_book.viz import plot_attention

SNIPPET = Path(__file__).resolve().parents[2] / "snippets" / "sdpa" / "four_scores.py"


def data() -> dict[str, Any]:
    # The listing's own scores and d_k, so the widget starts where the worked example is.
    listing = runpy.run_path(str(SNIPPET))
    scores = [round(s, 4) for s in listing["scores"].tolist()]
    return widgets.playground_data(scores, d_k=int(listing["d_k"]))


def draw() -> Figure:
    settings = data()
    d_k = settings["d_k"]
    rows = [
        widgets.playground_weights(settings["scores"], d_k=d_k, scaled=scaled) for scaled in (False, True)
    ]
    return plot_attention(
        torch.stack(rows),
        row_labels=["softmax(s)", f"softmax(s / √{d_k})"],
        col_labels=[f"{name}: {s:g}" for name, s in zip(settings["labels"], settings["scores"], strict=True)],
        annotate=True,
        title="The four scores of the worked example, raw and scaled",
    )
