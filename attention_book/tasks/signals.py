r"""Find a tone burst in noise: attention pooling over the frames of a spectrogram.

The data are made by code. A clip is one second of white noise sampled at :data:`SAMPLE_RATE` (2 kHz), with a
short tone burst (:data:`BURST_SECONDS`, a Hann-shaped envelope) at a random position. The burst's frequency
is one of :data:`FREQUENCIES`, and its index is the label. The relevant part of the clip is a tenth of it,
and it can be anywhere.

The clip becomes a sequence of tokens by the short-time Fourier transform (STFT): frames of ``n_fft``
samples, every ``hop`` samples, each multiplied by a Hann window ``w`` and Fourier transformed,

.. math::

    X_{t, f} = \sum_{n=0}^{N_\text{fft} - 1} x_{t h + n}\, w_n\, e^{-2\pi i f n / N_\text{fft}},
    \qquad T = 1 + \left\lfloor \frac{N - N_\text{fft}}{h} \right\rfloor \text{ frames},

and one token per frame is its log-magnitude spectrum :math:`\log(|X_{t, :}| + \epsilon)`, of
``n_fft // 2 + 1`` frequency bins. Speech models have used such frames as tokens since the
Speech-Transformer (Dong et al., 2018, ICASSP); the Audio Spectrogram Transformer cuts the spectrogram into
patches instead (Gong et al., 2021, "AST: Audio Spectrogram Transformer", arXiv:2104.01778).

The model (:class:`BurstClassifier`) embeds each frame with a small MLP, adds the sinusoidal positions of
Vaswani et al. (2017, "Attention Is All You Need", arXiv:1706.03762), and pools the frames with **attention
pooling**: one learned query :math:`q` attends over the frames through the library's
:class:`~attention_book.multihead.MultiHeadAttention`,

.. math::

    a_t = \operatorname{softmax}_t\!\left(\frac{q\, k_t^\top}{\sqrt{d}}\right), \qquad
    z = \sum_t a_t v_t, \qquad \text{logits} = z W_\text{out},

so that ``a`` (one weight per frame, summing to one) says which frames the label was read from. A
key-padding mask (``lengths``) keeps padded frames of shorter clips out of the softmax.

:func:`train_burst` trains it in a few seconds on one thread; :func:`evaluate` measures accuracy and
*localisation*, the share of held-out clips whose most-attended frame overlaps the burst.

A second, smaller task forecasts a periodic series. Each series repeats a random pattern of
:data:`PERIOD` values, with noise; a :class:`Forecaster` (value embedding, learned positions, one causal
self-attention layer) predicts every next value from the values before it,

.. math::

    \hat{x}_{t+1} = w^\top \sum_{s \le t} \alpha_{ts} v_s ,

and its attention learns to read the values one period (or a whole number of periods) before the value it
predicts: ``alpha[t, s]`` is large when ``t + 1 - s`` is a multiple of the period. Transformers for long
series build this in: Informer (Zhou et al., 2020, arXiv:2012.07436) makes the attention sparse, and
Autoformer (Wu et al., 2021, arXiv:2106.13008) replaces it by an auto-correlation over lags.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .._checks import check_positive_int
from ..multihead import MultiHeadAttention
from ..positional import sinusoidal_encoding
from ._cache import cached_training
from ._training import History, fit, held_out_generator

__all__ = [
    "BURST_SECONDS",
    "FREQUENCIES",
    "PERIOD",
    "SAMPLE_RATE",
    "BurstClassifier",
    "BurstResult",
    "Clips",
    "ForecastResult",
    "Forecaster",
    "attention_over_frames",
    "burst_frames",
    "evaluate",
    "evaluate_forecast",
    "forecast_attention",
    "frame_centres",
    "log_spectrogram",
    "make_clips",
    "make_series",
    "num_frames",
    "train_burst",
    "train_forecaster",
]

SAMPLE_RATE = 2000  # samples per second
CLIP_SECONDS = 1.0
BURST_SECONDS = 0.1
FREQUENCIES = (200.0, 350.0, 500.0, 650.0)  # Hz; the label is the index
N_FFT = 64  # 32 ms frames
HOP = 32  # 16 ms between frames: T = 1 + (2000 - 64) // 32 = 61 frames
EPS = 1.0
AMPLITUDE = 1.5  # peak of the burst; the noise has std 1


@dataclass
class Clips:
    """A batch of ``B`` synthetic clips of ``N`` samples."""

    waveform: Tensor  # (B, N) float32: noise plus one tone burst
    label: Tensor  # (B,) int64: index into FREQUENCIES
    start: Tensor  # (B,) int64: first sample of the burst
    burst_samples: int  # length of the burst in samples


def make_clips(
    batch_size: int,
    generator: torch.Generator,
    *,
    seconds: float = CLIP_SECONDS,
    amplitude: float = AMPLITUDE,
    noise: float = 1.0,
    sample_rate: int = SAMPLE_RATE,
) -> Clips:
    r"""``batch_size`` clips of Gaussian noise (std ``noise``), each with one tone burst at a random place.

    The burst is :math:`A \sin(2\pi f t + \phi)` times a Hann envelope over :data:`BURST_SECONDS`, with
    ``A = amplitude``, ``f`` drawn from :data:`FREQUENCIES` (the label) and a random phase. ``amplitude=0``
    gives pure noise (the label is then meaningless).
    """
    batch_size = check_positive_int("batch_size", batch_size)
    sample_rate = check_positive_int("sample_rate", sample_rate)
    n = round(seconds * sample_rate)
    burst = round(BURST_SECONDS * sample_rate)
    if n < burst:
        raise ValueError(f"seconds: expected at least the burst's {BURST_SECONDS} s, got {seconds!r}")
    if amplitude < 0 or noise < 0:
        raise ValueError(f"amplitude, noise: expected >= 0, got {amplitude!r}, {noise!r}")
    label = torch.randint(0, len(FREQUENCIES), (batch_size,), generator=generator)  # (B,)
    start = torch.randint(0, n - burst + 1, (batch_size,), generator=generator)  # (B,)
    phase = torch.rand(batch_size, 1, generator=generator) * 2 * math.pi  # (B, 1)
    waveform = noise * torch.randn(batch_size, n, generator=generator)  # (B, N)
    freq = torch.tensor(FREQUENCIES)[label].unsqueeze(-1)  # (B, 1) Hz
    t = torch.arange(burst) / sample_rate  # (burst,) seconds
    tone = amplitude * torch.sin(2 * math.pi * freq * t + phase) * torch.hann_window(burst)  # (B, burst)
    index = start.unsqueeze(-1) + torch.arange(burst)  # (B, burst) sample positions of the burst
    waveform.scatter_add_(1, index, tone)
    return Clips(waveform, label, start, burst)


def num_frames(num_samples: int, n_fft: int = N_FFT, hop: int = HOP) -> int:
    """Frames of ``n_fft`` samples every ``hop`` that fit in ``num_samples`` (no padding).

    ``T = 1 + (N - n_fft) // hop``.
    """
    num_samples = check_positive_int("num_samples", num_samples)
    n_fft = check_positive_int("n_fft", n_fft)
    hop = check_positive_int("hop", hop)
    if num_samples < n_fft:
        raise ValueError(f"num_samples: expected at least n_fft={n_fft}, got {num_samples}")
    return 1 + (num_samples - n_fft) // hop


def log_spectrogram(waveform: Tensor, n_fft: int = N_FFT, hop: int = HOP) -> Tensor:
    """Log-magnitude STFT with a Hann window, frames first: ``(B, N)`` -> ``(B, T, n_fft // 2 + 1)``.

    Frames are not centred (``center=False``): frame ``t`` covers samples ``t * hop .. t * hop + n_fft - 1``,
    so a clip padded with zeros at the end has the same first frames as the clip itself.
    """
    if not isinstance(waveform, Tensor) or waveform.dim() != 2:
        raise ValueError(f"waveform: expected a tensor of shape (batch, samples), got {_shape(waveform)}")
    num_frames(waveform.shape[-1], n_fft, hop)  # checks n_fft, hop and the length
    spec = torch.stft(
        waveform,
        n_fft,
        hop_length=hop,
        window=torch.hann_window(n_fft, device=waveform.device),
        center=False,
        return_complex=True,
    )  # (B, F, T) complex
    return torch.log(spec.abs() + EPS).transpose(1, 2)  # (B, T, F)


def frame_centres(num_frames_: int, n_fft: int = N_FFT, hop: int = HOP) -> Tensor:
    """Sample index of the centre of each frame: ``t * hop + n_fft / 2``, shape ``(T,)``."""
    return torch.arange(check_positive_int("num_frames_", num_frames_)) * hop + n_fft / 2


def burst_frames(clips: Clips, n_fft: int = N_FFT, hop: int = HOP) -> Tensor:
    """Keep-mask ``(B, T)`` of the frames whose window overlaps the burst's loud middle half."""
    T = num_frames(clips.waveform.shape[-1], n_fft, hop)
    first = torch.arange(T) * hop  # (T,) first sample of each frame
    quarter = clips.burst_samples // 4
    lo = (clips.start + quarter).unsqueeze(-1)  # (B, 1) the envelope is above 1/2 in the middle half
    hi = (clips.start + clips.burst_samples - quarter).unsqueeze(-1)
    return (first + n_fft > lo) & (first < hi)  # (B, T)


class BurstClassifier(nn.Module):
    """Frames -> MLP embedding + sinusoidal positions -> one learned query attends -> class logits.

    ``forward(waveform (B, N), lengths (B,) or None) -> logits (B, C)``; the attention weights of the last
    call are kept in ``last_weights`` ``(B, T)``.
    """

    def __init__(
        self,
        d_model: int = 32,
        num_classes: int = len(FREQUENCIES),
        n_fft: int = N_FFT,
        hop: int = HOP,
    ) -> None:
        super().__init__()
        self.d_model = check_positive_int("d_model", d_model)
        self.n_fft = check_positive_int("n_fft", n_fft)
        self.hop = check_positive_int("hop", hop)
        bins = n_fft // 2 + 1
        self.norm = nn.LayerNorm(bins)
        self.embed = nn.Sequential(nn.Linear(bins, d_model), nn.GELU(), nn.Linear(d_model, d_model))
        self.query = nn.Parameter(torch.randn(1, 1, d_model) * 0.5)  # the learned query q
        self.attention = MultiHeadAttention(d_model, num_heads=1)
        self.classify = nn.Linear(d_model, check_positive_int("num_classes", num_classes))
        self.last_weights: Tensor | None = None

    def frame_mask(self, lengths: Tensor, num_samples: int) -> Tensor:
        """Keep-mask ``(B, T)``: frame ``t`` is real if ``t * hop + n_fft <= length`` (ends in the clip)."""
        if not isinstance(lengths, Tensor) or lengths.dim() != 1:
            raise ValueError(f"lengths: expected a 1-D tensor of sample counts, got {_shape(lengths)}")
        if bool((lengths < self.n_fft).any()) or bool((lengths > num_samples).any()):
            raise ValueError(
                f"lengths: expected values in [{self.n_fft}, {num_samples}] (n_fft .. padded length), "
                f"got {lengths.tolist()}"
            )
        T = num_frames(num_samples, self.n_fft, self.hop)
        return torch.arange(T) * self.hop + self.n_fft <= lengths.unsqueeze(-1)  # (B, T)

    def forward(self, waveform: Tensor, lengths: Tensor | None = None) -> Tensor:
        """``waveform (B, N)`` -> logits ``(B, C)``; ``lengths (B,)``: real samples per clip, then padding."""
        frames = log_spectrogram(waveform, self.n_fft, self.hop)  # (B, T, F)
        B, T, _ = frames.shape
        keep = None
        if lengths is not None:
            if lengths.shape[0] != B:
                raise ValueError(f"lengths: expected {B} values (one per clip), got {lengths.shape[0]}")
            keep = self.frame_mask(lengths, waveform.shape[-1]).view(B, 1, T)  # (B, L=1, S=T)
        h = self.embed(self.norm(frames))  # (B, T, d)
        h = h + sinusoidal_encoding(T, self.d_model, device=h.device)  # positions
        q = self.query.expand(B, 1, self.d_model)  # (B, 1, d): the same query for every clip
        pooled, weights = self.attention(q, h, h, mask=keep)  # (B, 1, d), (B, H=1, 1, T)
        assert weights is not None
        self.last_weights = weights[:, 0, 0].detach()  # (B, T)
        return self.classify(pooled[:, 0])  # (B, C)


@dataclass
class BurstResult:
    """Held-out results of :func:`evaluate`."""

    accuracy: float  # share of clips whose frequency class is right
    localisation: float  # share of clips whose most-attended frame overlaps the burst
    mass_on_burst: float  # mean attention weight on the burst's frames
    burst_share: float  # mean share of the frames that overlap the burst (uniform attention's mass)


def _batch(generator: torch.Generator) -> tuple[Tensor, Tensor]:
    clips = make_clips(64, generator)
    return clips.waveform, clips.label


@cached_training
def train_burst(seed: int = 0, steps: int = 400, lr: float = 3e-3) -> tuple[BurstClassifier, History]:
    """Train :class:`BurstClassifier` on fresh clips (cross-entropy); same ``seed``, same model."""
    torch.manual_seed(seed)
    model = BurstClassifier()
    history = fit(model, _batch, nn.functional.cross_entropy, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def attention_over_frames(model: BurstClassifier, waveform: Tensor, lengths: Tensor | None = None) -> Tensor:
    """The query's attention weights over the frames, ``(B, T)``; each row sums to one."""
    model.eval()
    model(waveform, lengths)
    assert model.last_weights is not None
    return model.last_weights


@torch.no_grad()
def evaluate(
    model: BurstClassifier,
    num_clips: int = 1000,
    seed: int = 0,
    *,
    seconds: float = CLIP_SECONDS,
    amplitude: float = AMPLITUDE,
) -> BurstResult:
    """Accuracy and localisation on ``num_clips`` held-out clips (another seed than training's).

    ``seconds`` and ``amplitude`` change the clips (see :func:`make_clips`), to test the trained model on
    longer clips or quieter bursts than it was trained on.
    """
    clips = make_clips(
        check_positive_int("num_clips", num_clips),
        held_out_generator(seed),
        seconds=seconds,
        amplitude=amplitude,
    )
    model.eval()
    logits = model(clips.waveform)  # (B, C)
    weights = model.last_weights  # (B, T)
    assert weights is not None
    on_burst = burst_frames(clips, model.n_fft, model.hop)  # (B, T)
    peak = weights.argmax(-1, keepdim=True)  # (B, 1)
    return BurstResult(
        accuracy=(logits.argmax(-1) == clips.label).float().mean().item(),
        localisation=on_burst.gather(1, peak).float().mean().item(),
        mass_on_burst=(weights * on_burst).sum(-1).mean().item(),
        burst_share=on_burst.float().mean().item(),
    )


# --------------------------------------------------------------------------------------------------------
# Forecasting a periodic series
# --------------------------------------------------------------------------------------------------------

PERIOD = 12  # values per period, as in monthly data with a yearly season
SERIES_LENGTH = 48  # four periods
SERIES_NOISE = 0.2  # std of the noise added to every value


def make_series(
    batch_size: int,
    generator: torch.Generator,
    *,
    length: int = SERIES_LENGTH,
    period: int = PERIOD,
    noise: float = SERIES_NOISE,
) -> Tensor:
    """``(B, length)`` series: a random pattern of ``period`` standard-normal values, repeated, plus noise."""
    batch_size = check_positive_int("batch_size", batch_size)
    length = check_positive_int("length", length)
    period = check_positive_int("period", period)
    if noise < 0:
        raise ValueError(f"noise: expected >= 0, got {noise!r}")
    pattern = torch.randn(batch_size, period, generator=generator)  # (B, P)
    repeats = -(-length // period)  # ceil
    series = pattern.repeat(1, repeats)[:, :length]  # (B, length)
    return series + noise * torch.randn(batch_size, length, generator=generator)


class Forecaster(nn.Module):
    """Value embedding + learned positions -> one causal self-attention layer -> the next value.

    ``forward(series (B, T)) -> (B, T)``: output ``t`` predicts ``series[:, t + 1]`` from
    ``series[:, :t + 1]``.
    The weights of the last call are kept in ``last_weights`` ``(B, T, T)`` (lower-triangular).
    """

    def __init__(self, d_model: int = 32, max_length: int = SERIES_LENGTH) -> None:
        super().__init__()
        self.d_model = check_positive_int("d_model", d_model)
        self.max_length = check_positive_int("max_length", max_length)
        self.embed = nn.Linear(1, d_model)
        self.position = nn.Parameter(torch.randn(max_length, d_model) * 0.5)  # learned, one per position
        self.attention = MultiHeadAttention(d_model, num_heads=1)
        self.readout = nn.Linear(d_model, 1)
        self.last_weights: Tensor | None = None

    def forward(self, series: Tensor) -> Tensor:
        if not isinstance(series, Tensor) or series.dim() != 2:
            raise ValueError(f"series: expected a tensor of shape (batch, length), got {_shape(series)}")
        T = series.shape[-1]
        if T > self.max_length:
            raise ValueError(f"series: expected at most max_length={self.max_length} values, got {T}")
        h = self.embed(series.unsqueeze(-1)) + self.position[:T]  # (B, T, d)
        out, weights = self.attention(h, h, h, is_causal=True)  # (B, T, d), (B, 1, T, T)
        assert weights is not None
        self.last_weights = weights[:, 0].detach()  # (B, T, T)
        return self.readout(out).squeeze(-1)  # (B, T)


def _series_batch(generator: torch.Generator) -> tuple[Tensor, Tensor]:
    series = make_series(64, generator)  # (64, 48)
    return series[:, :-1], series[:, 1:]  # inputs and next values, (64, 47) each


def _forecast_loss(prediction: Tensor, target: Tensor) -> Tensor:
    """Mean squared error from the second period on: the first period cannot be predicted."""
    return nn.functional.mse_loss(prediction[:, PERIOD - 1 :], target[:, PERIOD - 1 :])


@cached_training
def train_forecaster(seed: int = 0, steps: int = 300, lr: float = 1e-2) -> tuple[Forecaster, History]:
    """Train :class:`Forecaster` on fresh periodic series; the same ``seed`` gives the same model."""
    torch.manual_seed(seed)
    model = Forecaster()
    history = fit(model, _series_batch, _forecast_loss, seed=seed, steps=steps, lr=lr)
    return model, history


@torch.no_grad()
def forecast_attention(model: Forecaster, series: Tensor) -> Tensor:
    """The causal attention weights ``(B, T, T)`` of ``model`` on ``series (B, T)``."""
    model.eval()
    model(series)
    assert model.last_weights is not None
    return model.last_weights


@dataclass
class ForecastResult:
    """Held-out results of :func:`evaluate_forecast`, on the values from the second period on."""

    mse: float  # the model's mean squared error
    naive_mse: float  # repeating the value one period back ("seasonal naive")
    noise_mse: float  # the noise's variance: no forecast of a noisy value does better
    mass_on_period: float  # last query's attention on keys a whole number of periods before its target
    peak_on_period: float  # share of series whose last query peaks a whole number of periods back


@torch.no_grad()
def evaluate_forecast(model: Forecaster, num_series: int = 1000, seed: int = 0) -> ForecastResult:
    """Errors and attention on ``num_series`` held-out series (another seed than training's)."""
    series = make_series(check_positive_int("num_series", num_series), held_out_generator(seed))
    inputs, target = series[:, :-1], series[:, 1:]  # (B, T) each
    model.eval()
    prediction = model(inputs)
    weights = model.last_weights
    assert weights is not None
    last = weights[:, -1]  # (B, T): the query that predicts the final value
    T = inputs.shape[-1]
    ahead = T - torch.arange(T)  # (T,) steps from each key to the predicted value
    return ForecastResult(
        mse=_forecast_loss(prediction, target).item(),
        naive_mse=nn.functional.mse_loss(series[:, PERIOD:], series[:, :-PERIOD]).item(),
        noise_mse=SERIES_NOISE**2,
        mass_on_period=last[:, ahead % PERIOD == 0].sum(-1).mean().item(),
        peak_on_period=(ahead[last.argmax(-1)] % PERIOD == 0).float().mean().item(),
    )


def _shape(value: object) -> str:
    return f"shape {tuple(value.shape)}" if isinstance(value, Tensor) else type(value).__name__
