"""The signal tasks: clips, spectrograms, attention pooling and its padding mask, the forecaster."""

from __future__ import annotations

import time

import pytest
import torch

from attention_book.tasks import signals

train_fresh = signals.train_burst.__wrapped__  # type: ignore[attr-defined]  # bypass the disk cache
BUDGET_S = 20.0  # CPU seconds of one training on one thread (a cached model loads in far less)


@pytest.fixture(scope="module")
def model() -> signals.BurstClassifier:
    start = time.process_time()  # CPU time: other processes on a busy machine do not count
    trained, history = signals.train_burst()  # the page's model
    assert time.process_time() - start < BUDGET_S
    assert history.losses[-1] < 0.1 * history.losses[0]
    return trained


def test_clips_hold_one_burst_where_they_say() -> None:
    generator = torch.Generator().manual_seed(0)
    clips = signals.make_clips(8, generator)
    quiet = signals.make_clips(8, torch.Generator().manual_seed(0), amplitude=0.0)
    assert clips.waveform.shape == (8, signals.SAMPLE_RATE)
    assert clips.label.shape == clips.start.shape == (8,)
    assert int(clips.label.max()) < len(signals.FREQUENCIES)
    tone = clips.waveform - quiet.waveform  # the same draws: the burst alone
    for i in range(8):
        a = int(clips.start[i])
        inside = tone[i, a : a + clips.burst_samples]
        assert inside.abs().max() > 0.5 * signals.AMPLITUDE
        outside = tone[i].clone()
        outside[a : a + clips.burst_samples] = 0
        assert outside.abs().sum() == 0


def test_spectrogram_shapes_and_frames() -> None:
    wave = torch.randn(3, 2000)
    spec = signals.log_spectrogram(wave)
    assert spec.shape == (3, signals.num_frames(2000), signals.N_FFT // 2 + 1) == (3, 61, 33)
    assert signals.num_frames(160_000, 400, 160) == 998
    # frames are not centred: padding the end leaves the first frames unchanged
    padded = signals.log_spectrogram(torch.nn.functional.pad(wave, (0, 500)))
    torch.testing.assert_close(padded[:, :61], spec)
    assert signals.frame_centres(3).tolist() == [32.0, 64.0, 96.0]


def test_the_model_learns_and_looks_at_the_burst(model: signals.BurstClassifier) -> None:
    result = signals.evaluate(model)
    assert result.accuracy >= 0.95, result
    assert result.localisation >= 0.85, result
    assert result.mass_on_burst > 3 * result.burst_share, result


def test_attention_is_a_distribution_over_frames(model: signals.BurstClassifier) -> None:
    clips = signals.make_clips(4, torch.Generator().manual_seed(1))
    weights = signals.attention_over_frames(model, clips.waveform)
    assert weights.shape == (4, 61)
    torch.testing.assert_close(weights.sum(-1), torch.ones(4))


def test_padding_mask_gives_the_unpadded_result(model: signals.BurstClassifier) -> None:
    clips = signals.make_clips(4, torch.Generator().manual_seed(2))
    short = clips.waveform[:, :1500]  # two clips of 0.75 s and two of 1 s, in one padded batch
    lengths = torch.tensor([1500, 2000, 1500, 2000])
    batch = torch.where(torch.arange(2000) < lengths[:, None], clips.waveform, torch.zeros(()))
    with torch.no_grad():
        together = model(batch, lengths)
        weights = model.last_weights
        alone_short = model(short)
        alone_long = model(clips.waveform)
    assert weights is not None
    torch.testing.assert_close(together[[0, 2]], alone_short[[0, 2]], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(together[[1, 3]], alone_long[[1, 3]], atol=1e-5, rtol=1e-5)
    assert weights[0, signals.num_frames(1500) :].sum() == 0


def test_training_is_deterministic() -> None:
    _, first = train_fresh(seed=3, steps=5)
    _, second = train_fresh(seed=3, steps=5)
    assert first.losses == second.losses


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: signals.make_clips(0, torch.Generator()), "batch_size"),
        (lambda: signals.make_clips(2, torch.Generator(), seconds=0.05), "seconds"),
        (lambda: signals.make_clips(2, torch.Generator(), amplitude=-1.0), "amplitude"),
        (lambda: signals.log_spectrogram(torch.randn(2000)), "waveform"),
        (lambda: signals.log_spectrogram(torch.randn(1, 32)), "num_samples"),
        (lambda: signals.num_frames(100, hop=0), "hop"),
        (lambda: signals.BurstClassifier()(torch.randn(2, 2000), torch.tensor([2000])), "lengths"),
        (lambda: signals.BurstClassifier()(torch.randn(2, 2000), torch.tensor([2000, 3000])), "lengths"),
        (lambda: signals.BurstClassifier(d_model=0), "d_model"),
    ],
)
def test_errors_name_the_argument(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        call()


def test_series_repeat_with_the_period() -> None:
    series = signals.make_series(5, torch.Generator().manual_seed(0), noise=0.0)
    assert series.shape == (5, signals.SERIES_LENGTH)
    torch.testing.assert_close(series[:, signals.PERIOD :], series[:, : -signals.PERIOD])


def test_forecaster_reads_whole_periods_back() -> None:
    start = time.process_time()
    model, _ = signals.train_forecaster()  # the page's model
    assert time.process_time() - start < BUDGET_S
    result = signals.evaluate_forecast(model)
    assert result.mse < result.naive_mse  # beats copying one period back
    assert result.mass_on_period > 0.9 and result.peak_on_period > 0.9, result
    weights = signals.forecast_attention(model, signals.make_series(3, torch.Generator())[:, :-1])
    assert weights.shape == (3, 47, 47)
    assert weights.triu(1).abs().sum() == 0  # causal: no weight on the future
    with pytest.raises(ValueError, match="series"):
        model(torch.randn(2, 60))
