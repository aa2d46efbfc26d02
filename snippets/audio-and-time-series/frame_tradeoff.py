# The frame length decides what a token can resolve. Long frames: narrow
# frequency bins and more tone per cell, but few frames, each smearing
# time. Short frames: sharp in time, coarse in frequency, more tokens.
import torch

from attention_book.tasks import signals

torch.manual_seed(0)
sr = signals.SAMPLE_RATE
burst = signals.make_clips(200, torch.Generator().manual_seed(5))
noise = signals.make_clips(200, torch.Generator().manual_seed(5), amplitude=0)
tone = burst.waveform - noise.waveform  # the same draws, so: the burst alone
hz = torch.tensor(signals.FREQUENCIES)[burst.label]  # (200,)


def magnitude(x: torch.Tensor, n_fft: int) -> torch.Tensor:
    window = torch.hann_window(n_fft)
    spec = torch.stft(
        x, n_fft, n_fft // 2, window=window, center=False, return_complex=True
    )
    return spec.abs()  # (B, F, T)


print("n_fft  frames  frame (ms)  bins (Hz)  tone/noise  frames on burst")
for n_fft in (16, 32, 64, 128, 256, 512):
    hop = n_fft // 2
    bin_ = (hz * n_fft / sr).round().long()  # (200,) the tone's bin
    t = magnitude(tone, n_fft)  # (200, F, T)
    peak = t[torch.arange(200), bin_].amax(-1)  # (200,) loudest tone cell
    rms = magnitude(noise.waveform, n_fft).pow(2).mean().sqrt()
    lit = (t.amax(1) > 0.5 * peak[:, None]).sum(-1).float().mean()
    print(
        f"{n_fft:>5}  {t.shape[-1]:>6}  {1000 * n_fft / sr:>10.0f}"
        f"  {sr / n_fft:>9.1f}  {(peak / rms).mean():>10.1f}"
        f"  {lit:>15.1f}"
    )
f = signals.FREQUENCIES
gap = min(b - a for a, b in zip(f, f[1:], strict=False))
print(f"closest classes: {gap:.0f} Hz apart")
