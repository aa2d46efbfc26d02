# Forecast a periodic series with one causal self-attention layer, and
# read where its last query looks: whole periods before its target?
import torch

from attention_book.tasks import signals

torch.manual_seed(0)
model, history = signals.train_forecaster()  # cached after the first run
print(f"parameters: {sum(p.numel() for p in model.parameters())}")
print(f"period: {signals.PERIOD}, series length: {signals.SERIES_LENGTH}")

r = signals.evaluate_forecast(model)  # 1000 held-out series
print(f"forecast error (MSE): {r.mse:.4f}")
print(f"one period back, copied: {r.naive_mse:.4f}")
print(f"noise variance, the floor: {r.noise_mse:.4f}")
print(f"last query's mass on whole periods back: {r.mass_on_period:.1%}")
print(
    f"last query peaks a whole number of periods back: {r.peak_on_period:.1%}"
)

series = signals.make_series(1000, signals.held_out_generator(0))
weights = signals.forecast_attention(model, series[:, :-1])  # (B, T, T)
last = weights[:, -1].mean(0)  # (T,): the query that predicts the end
T = last.shape[0]
for periods in (1, 2, 3):
    key = T - periods * signals.PERIOD  # its target is position T
    print(f"weight {periods} period(s) back: {last[key]:.3f}")
