"""T5's relative position buckets: bucket against offset, and the bucket of every query-key pair."""

import torch
from matplotlib.figure import Figure

from attention_book import relative_position_bucket
from attention_book.viz import plot_attention, plot_lines


def draw() -> Figure:
    fig = Figure(figsize=(10.0, 4.0), layout="constrained")
    left, right = fig.subplots(1, 2)
    offsets = torch.arange(-160, 161)  # j - i
    buckets = relative_position_bucket(offsets)  # bidirectional, 32 buckets, max_distance 128
    plot_lines(
        offsets.tolist(),
        {"bucket": buckets.tolist()},
        xlabel="offset j − i (key − query)",
        ylabel="bucket",
        title="Bucket of an offset",
        ax=left,
    )
    left.get_legend().remove()
    for line in left.get_lines():
        line.set_marker("")
        line.set_drawstyle("steps-mid")
    positions = torch.arange(48)
    matrix = relative_position_bucket(positions[None, :] - positions[:, None])  # (48, 48): [i, j]
    plot_attention(matrix, ax=right, title="Bucket of each pair, 48 tokens")
    return fig
