"""The learned query's attention over the frames of three held-out clips, drawn over their waveforms."""

import matplotlib
import torch
from matplotlib.figure import Figure

from attention_book.tasks import signals

BLOCK = 10  # samples per envelope point


def draw() -> Figure:
    model, _ = signals.train_burst()  # the model of train_burst.py
    clips = signals.make_clips(6, signals.held_out_generator(1))  # the clips of where_it_looks.py
    weights = signals.attention_over_frames(model, clips.waveform)  # (6, T); the first three are drawn
    sr = signals.SAMPLE_RATE
    centres = signals.frame_centres(weights.shape[-1]) / sr  # (T,) seconds
    muted = matplotlib.rcParams["axes.edgecolor"]
    colors = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    fig = Figure(figsize=(7.0, 6.0), layout="constrained")
    axes = fig.subplots(3, 1, sharex=True)
    for i, ax in enumerate(axes):
        blocks = clips.waveform[i].view(-1, BLOCK)
        times = (torch.arange(blocks.shape[0]) + 0.5) * BLOCK / sr
        ax.fill_between(times, blocks.amin(-1), blocks.amax(-1), color=muted, alpha=0.45, linewidth=0)
        a = clips.start[i].item() / sr
        ax.axvspan(a, a + clips.burst_samples / sr, color=colors[2], alpha=0.3, linewidth=0)
        ax.set_yticks([])
        ax.set_ylabel("signal")
        twin = ax.twinx()
        twin.bar(centres, weights[i], width=signals.HOP / sr * 0.9, color=colors[1])
        twin.set_ylim(0, 0.35)
        twin.set_ylabel("attention")
        hz = signals.FREQUENCIES[clips.label[i]]
        ax.set_title(f"clip {i}: {hz:.0f} Hz burst (green), attention per frame (orange)", fontsize=11)
    axes[-1].set_xlabel("time (s)")
    axes[-1].set_xlim(0, clips.waveform.shape[-1] / sr)
    return fig
