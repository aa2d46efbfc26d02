"""HBM traffic of one attention head against n: standard, tiled and causal tiled (attention_book.io_cost)."""

from matplotlib.figure import Figure

from attention_book.io_cost import block_size_for_sram, standard_attention_hbm, tiled_attention_hbm
from attention_book.viz import plot_lines

D, SIZE, SRAM = 64, 2, 192 * 1024  # head width, bytes per element (float16), SRAM of one A100 SM
SIZES = [512, 1024, 2048, 4096, 8192, 16384, 32768]
MIB = 2**20


def draw() -> Figure:
    block = block_size_for_sram(D, SRAM, bytes_per_element=SIZE)
    curves = {
        "standard: S and P written and read": [standard_attention_hbm(n, D) * SIZE / MIB for n in SIZES],
        f"tiled, B = {block}": [tiled_attention_hbm(n, D, block_size=block) * SIZE / MIB for n in SIZES],
        f"tiled, causal, B = {block}": [
            tiled_attention_hbm(n, D, block_size=block, causal=True) * SIZE / MIB for n in SIZES
        ],
        "Q, K, V read and O written once": [4 * n * D * SIZE / MIB for n in SIZES],
    }
    return plot_lines(
        SIZES,
        curves,
        xlabel="sequence length n",
        ylabel="HBM traffic per head (MiB)",
        logx=True,
        logy=True,
        title=f"Reads and writes of GPU memory, d = {D}, float16",
    )
