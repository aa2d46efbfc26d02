# The largest tile that fits in SRAM, and the HBM traffic of the tiled pass at
# n = 8192 in float16, for SRAMs of 24 to 192 KiB and heads of width 64, 128.
from attention_book.io_cost import block_size_for_sram, tiled_attention_hbm

n, MiB = 8192, 2**20
for d in (64, 128):
    for kib in (24, 48, 96, 192):
        B = block_size_for_sram(d, kib * 1024, bytes_per_element=2)
        traffic = tiled_attention_hbm(n, d, block_size=B) * 2 / MiB
        print(f"d = {d:>3}, SRAM {kib:>3} KiB: B = {B:>3}, {traffic:6.1f} MiB")
    # where the B x d blocks fill the SRAM (B < 4d), B ~ M / 4d, and the
    # K, V reads 2nd * n / B ~ 8 n^2 d^2 / M: Theta(n^2 d^2 / M)
