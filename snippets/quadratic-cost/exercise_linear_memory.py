# Causal linear attention keeps running sums phi(k_j) v_j^T: a (d, d) matrix
# per position, (B, H, n, d, d) in all. Explicit attention keeps (B, H, n, n).
# Equal number of floats at n = d^2. Measured: peak memory beyond the inputs.
from functools import partial

import torch

from attention_book import scaled_dot_product_attention as ours
from attention_book.bench import peak_memory_bytes
from attention_book.efficient import linear_attention

torch.manual_seed(0)
torch.set_num_threads(1)
B, H, d = 1, 1, 16
print(f"d = {d}; n x n and n x d x d floats are equal at n = d^2 = {d * d}")


def peaks_mib(n: int) -> tuple[float, float]:
    """Peak MiB beyond the inputs: explicit causal attention, causal linear."""
    q, k, v = (torch.randn(B, H, n, d) for _ in range(3))  # (B, H, n, d)
    explicit = partial(ours, q, k, v, is_causal=True)
    linear = partial(linear_attention, q, k, v, causal=True)
    mib = 2**20
    return peak_memory_bytes(explicit) / mib, peak_memory_bytes(linear) / mib


print(f"{'n':>5}{'explicit MiB':>14}{'linear MiB':>12}{'linear/explicit':>17}")
with torch.inference_mode():
    for n in (64, 256, 1024):
        explicit, linear = peaks_mib(n)
        ratio = linear / explicit
        print(f"{n:>5}{explicit:>14.2f}{linear:>12.2f}{ratio:>17.2f}")
