# Vaswani et al. (2017), Table 1, with numbers: n positions of width d.
import math

import torch

torch.manual_seed(0)  # nothing random here; every listing seeds anyway


def layers(n: int, d: int, k: int = 3, r: int = 64) -> list[tuple]:
    """(layer, multiply-adds per layer, sequential steps, longest path)."""
    return [
        ("self-attention", n * n * d, 1, 1),
        ("recurrent", n * d * d, n, n),
        ("convolution (k=3)", k * n * d * d, 1, math.ceil(n / (k - 1))),
        ("dilated convolution", k * n * d * d, 1, math.ceil(math.log(n, k))),
        (f"local attention (r={r})", r * n * d, 1, math.ceil(n / r)),
    ]


for n, d in ((512, 512), (8192, 512)):
    print(f"n = {n}, d = {d}")
    print(f"{'layer':<24}{'mult-adds':>10}{'sequential':>11}{'path':>6}")
    for name, ops, steps, path in layers(n, d):
        print(f"{name:<24}{ops / 1e6:>9,.0f}M{steps:>11}{path:>6}")
    attention, recurrent = layers(n, d)[0][1], layers(n, d)[1][1]
    print(f"self-attention / recurrent at n={n}: {attention / recurrent:g}")
    print()
