"""The dot product of two sinusoidal encodings against their offset, for three bases."""

from matplotlib.figure import Figure

from attention_book import sinusoidal_encoding
from attention_book.viz import plot_lines

D_MODEL = 128
OFFSETS = [2**i for i in range(15)]  # 1 .. 16384


def similarity(base: float) -> list[float]:
    """PE_0 . PE_k / (d / 2): 1 at offset 0; the same for any start position."""
    pe = sinusoidal_encoding(OFFSETS[-1] + 1, D_MODEL, base=base)
    return [(pe[0] @ pe[k]).item() / (D_MODEL / 2) for k in OFFSETS]


def draw() -> Figure:
    curves = {
        "base 100": similarity(100.0),
        "base 10 000 (Vaswani et al.)": similarity(10_000.0),
        "base 500 000 (Llama 3's RoPE)": similarity(500_000.0),
    }
    return plot_lines(
        OFFSETS,
        curves,
        xlabel="offset k between the two positions",
        ylabel="PE_p · PE_p+k / (d/2)",
        logx=True,
        title="Similarity of two positions falls with their offset",
    )
