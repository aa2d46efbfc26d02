"""The forecaster's causal attention, averaged over held-out series: stripes one and more periods back."""

from matplotlib.figure import Figure

from attention_book.tasks import signals
from attention_book.viz import plot_attention


def draw() -> Figure:
    model, _ = signals.train_forecaster()  # the model of forecast.py
    series = signals.make_series(200, signals.held_out_generator(0))
    weights = signals.forecast_attention(model, series[:, :-1]).mean(0)  # (T, T)
    fig = plot_attention(weights, title="Causal attention, mean of 200 series (period 12)")
    ax = fig.axes[0]
    ax.set_xlabel("key position s")
    ax.set_ylabel("query position t (predicts t + 1)")
    fig.set_size_inches(6.4, 5.4)
    return fig
