# The n x n score matrix of one attention layer, in bytes, and the FLOPs of
# attention, from the shapes alone. No tensor is allocated: the sizes are
# computed, so even the ones that would not fit in memory can be printed.
BYTES = {"float32": 4, "float16": 2}


def score_bytes(batch: int, heads: int, n: int, dtype: str) -> int:
    """Bytes of the scores (B, H, n, n): one number per query-key pair."""
    return batch * heads * n * n * BYTES[dtype]


def qkv_bytes(batch: int, heads: int, n: int, d: int, dtype: str) -> int:
    """Bytes of q, k and v, each (B, H, n, d)."""
    return 3 * batch * heads * n * d * BYTES[dtype]


def attention_flops(batch: int, heads: int, n: int, d: int) -> int:
    """Q K^T and weights @ V: 2 n^2 d FLOPs each (a multiply and an add)."""
    return 4 * batch * heads * n * n * d


def human(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if nbytes < 1024 or unit == "TiB":
            return f"{nbytes:.1f} {unit}"
        nbytes /= 1024
    raise AssertionError


B, H, d = 1, 32, 128  # one sequence, 32 heads of width 128 (E = 4096)
print(f"{'n':>7} {'scores fp32':>12} {'scores fp16':>12} {'q, k, v fp16':>13}")
for n in (1024, 4096, 32768, 131072):
    print(
        f"{n:>7} {human(score_bytes(B, H, n, 'float32')):>12}"
        f" {human(score_bytes(B, H, n, 'float16')):>12}"
        f" {human(qkv_bytes(B, H, n, d, 'float16')):>13}"
    )

n = 32768
scores, qkv = score_bytes(B, H, n, "float16"), qkv_bytes(B, H, n, d, "float16")
assert scores == 2**36  # 32 * 2**15 * 2**15 * 2 bytes = 64 GiB
print(f"one layer, n = {n}, H = {H}, d = {d}, float16")
print(f"score matrix: {human(scores)}")
print(f"q, k and v: {human(qkv)}")
print(f"scores / (q, k and v): {scores / qkv:.1f}x")  # = n / (3 d)
print(f"attention FLOPs: {attention_flops(B, H, n, d) / 1e12:.1f} TFLOP")
