"""The sinusoidal encoding as a picture: one row per position, one column per dimension."""

from matplotlib.figure import Figure

from attention_book import sinusoidal_encoding
from attention_book.viz import plot_positional_encoding


def draw() -> Figure:
    pe = sinusoidal_encoding(100, 128)  # (positions, d_model)
    return plot_positional_encoding(pe, title="Sinusoidal encoding, 100 positions, d = 128")
