# From one second of sound to a sequence of tokens: frames, then a
# log-magnitude spectrum per frame (a short-time Fourier transform).
import torch

from attention_book.tasks import signals

torch.manual_seed(0)
clips = signals.make_clips(1, torch.Generator().manual_seed(7))
wave = clips.waveform  # (B, N) = (1, 2000): 1 s at 2 kHz
sr, n_fft, hop = signals.SAMPLE_RATE, signals.N_FFT, signals.HOP
start = clips.start.item()
hz = signals.FREQUENCIES[clips.label.item()]
print(f"waveform: {tuple(wave.shape)}")
print(
    f"burst: {hz:.0f} Hz from {start / sr:.3f} s to "
    f"{(start + clips.burst_samples) / sr:.3f} s"
)

# Frames of n_fft samples every hop samples: T = 1 + (N - n_fft) // hop.
frames = wave.unfold(-1, n_fft, hop)  # (B, T, n_fft)
print(f"frames: {tuple(frames.shape)}")
spec = signals.log_spectrogram(wave)  # (B, T, F), F = n_fft // 2 + 1
print(f"spectrogram: {tuple(spec.shape)}")
assert spec.shape[1] == signals.num_frames(wave.shape[-1]) == frames.shape[1]

# What one token is: a frame spans n_fft / sr seconds, frames start
# every hop / sr seconds, and the bins are sr / n_fft hertz apart.
print(f"frame length: {1000 * n_fft / sr:.0f} ms")
print(f"hop: {1000 * hop / sr:.0f} ms")
print(f"bin spacing: {sr / n_fft:.2f} Hz")

# The loudest cell of the spectrogram is the burst: at its frequency
# bin, in a frame inside the burst.
t, f = divmod(spec[0].argmax().item(), spec.shape[-1])
centre = (t * hop + n_fft / 2) / sr
print(
    f"loudest cell: frame {t} (centre {centre:.3f} s), "
    f"bin {f} ({f * sr / n_fft:.0f} Hz)"
)
