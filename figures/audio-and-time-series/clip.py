"""One clip: the waveform, where the burst hides in it, and its spectrogram, where it shows."""

import matplotlib
import torch
from matplotlib.figure import Figure

from attention_book.tasks import signals

BLOCK = 10  # samples per envelope point: 200 points per second keeps the SVG small


def envelope(wave: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Lowest and highest sample of each block of BLOCK samples."""
    blocks = wave.view(-1, BLOCK)
    return blocks.amin(-1), blocks.amax(-1)


def draw() -> Figure:
    clips = signals.make_clips(1, torch.Generator().manual_seed(7))  # the clip of framing.py
    sr, n = signals.SAMPLE_RATE, clips.waveform.shape[-1]
    a = clips.start.item() / sr
    b = a + clips.burst_samples / sr
    lo, hi = envelope(clips.waveform[0])
    times = (torch.arange(lo.shape[0]) + 0.5) * BLOCK / sr
    spec = signals.log_spectrogram(clips.waveform)[0]  # (T, F)
    fig = Figure(figsize=(7.0, 5.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.fill_between(times, lo, hi, linewidth=0)
    top.axvspan(a, b, color=matplotlib.rcParams["axes.edgecolor"], alpha=0.25, linewidth=0)
    top.set_ylabel("amplitude")
    top.set_title(f"A {signals.FREQUENCIES[clips.label.item()]:.0f} Hz burst in noise (shaded)")
    first = signals.N_FFT / 2 / sr  # centre of the first frame
    last = first + (spec.shape[0] - 1) * signals.HOP / sr
    half_hop = signals.HOP / 2 / sr
    image = bottom.imshow(
        spec.T,
        origin="lower",
        aspect="auto",
        extent=(first - half_hop, last + half_hop, 0, sr / 2),
        interpolation="nearest",
    )
    for edge in (a, b):
        bottom.axvline(edge, color="white", linewidth=1, linestyle="--")
    bottom.set_xlim(0, n / sr)
    bottom.set_xlabel("time (s)")
    bottom.set_ylabel("frequency (Hz)")
    bottom.set_title(f"Log-magnitude spectrogram: {spec.shape[0]} frames x {spec.shape[1]} bins")
    fig.colorbar(image, ax=bottom, label="log(|X| + 1)")
    return fig
