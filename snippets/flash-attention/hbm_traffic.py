# HBM reads and writes of one attention head, counted in the IO model of
# FlashAttention: the standard algorithm against the tiled one, for heads of
# width 64 in float16 and an SRAM of 192 KiB (one A100 multiprocessor's).
from attention_book.io_cost import (
    attention_flops,
    block_size_for_sram,
    sram_elements_used,
    standard_attention_hbm,
    tiled_attention_hbm,
)

d, size, sram = 64, 2, 192 * 1024  # head width, bytes per element, SRAM bytes
B = block_size_for_sram(d, sram, bytes_per_element=size)
print(f"largest block that fits: B = {B}")
print(f"its tile uses: {sram_elements_used(B, d) * size / 1024:.0f} KiB")

MiB = 2**20
print(f"{'n':>6}{'standard':>10}{'tiled':>8}{'causal':>8}{'ratio':>7}  (MiB)")
for n in (1024, 2048, 4096, 8192, 16384):
    standard = standard_attention_hbm(n, d) * size
    tiled = tiled_attention_hbm(n, d, block_size=B) * size
    causal = tiled_attention_hbm(n, d, block_size=B, causal=True) * size
    mib = [f"{x / MiB:.1f}" for x in (standard, tiled, causal)]
    print(f"{n:>6}{mib[0]:>10}{mib[1]:>8}{mib[2]:>8}{standard / tiled:>7.2f}")
    assert causal < tiled < standard

print(f"ratio as n grows, 2B/d: {2 * B / d:.1f}")
n = 4096  # arithmetic intensity: FLOPs of the two products per byte moved
flops = attention_flops(n, d)
standard = flops / (standard_attention_hbm(n, d) * size)
tiled = flops / (tiled_attention_hbm(n, d, block_size=B) * size)
print(f"FLOP per byte at n = {n}, standard: {standard:.0f}")
print(f"FLOP per byte at n = {n}, tiled: {tiled:.0f}")
peak_flops, bandwidth = 312e12, 1.555e12  # A100 40GB: float16 FLOP/s, HBM B/s
print(f"FLOP per byte an A100 can feed: {peak_flops / bandwidth:.0f}")
