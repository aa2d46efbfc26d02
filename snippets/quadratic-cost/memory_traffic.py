# FLOPs per byte of memory traffic ("arithmetic intensity") of one attention
# layer, computed explicitly and by a fused kernel. The same FLOPs; the bytes
# differ. A simple model: every tensor is written once and read once.
B, H, d, size = 1, 32, 128, 2  # 32 heads of width 128, float16 (2 bytes)


def flops(n: int) -> int:
    return 4 * B * H * n * n * d  # Q K^T and weights @ V


def bytes_fused(n: int) -> int:
    return 4 * B * H * n * d * size  # read q, k, v; write the output


def bytes_explicit(n: int) -> int:
    scores_and_weights = 2 * B * H * n * n * size  # the two n x n tensors
    return bytes_fused(n) + 2 * scores_and_weights  # ... each written, read


print(f"{'n':>6}{'GFLOP':>9}{'explicit MiB':>13}{'fused MiB':>10}", end="")
print(f"{'FLOP/B expl.':>13}{'FLOP/B fused':>13}")
for n in (1024, 4096, 32768):
    f, e, u = flops(n), bytes_explicit(n), bytes_fused(n)
    print(f"{n:>6}{f / 1e9:>9.1f}{e / 2**20:>13.0f}{u / 2**20:>10.0f}", end="")
    print(f"{f / e:>13.1f}{f / u:>13.0f}")
    assert abs(f / u - n / size) < 1e-9  # fused: intensity grows with n
    assert f / e < d / size  # explicit: bounded by d / size, whatever n

n = 32768
f, e, u = flops(n), bytes_explicit(n), bytes_fused(n)
print(f"intensity, explicit, n = {n}: {f / e:.1f} FLOP/byte")
print(f"intensity, fused, n = {n}: {f / u:.0f} FLOP/byte")
print(f"traffic ratio, explicit / fused: {e / u:.0f}x")
