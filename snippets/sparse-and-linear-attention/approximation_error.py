# How much of the attention weight does each cheaper attention put in
# the wrong place? With the identity as values, the output of an
# attention function is its (n, n) weight matrix.
import math

import torch

from attention_book import (
    block_sparse_attention,
    linear_attention,
    local_attention,
    scaled_dot_product_attention,
)

torch.manual_seed(0)
n, d = 256, 16
eye = torch.eye(n, dtype=torch.float64)  # values = I: output = weights

# "spread": random directions; weights are nearly flat.
q_rand, k_rand = torch.randn(2, n, d, dtype=torch.float64)
spread = [3 * x / x.norm(dim=-1, keepdim=True) for x in (q_rand, k_rand)]
# "local": sinusoids of the position; q_i . k_j peaks at j = i.
angle = torch.arange(n)[:, None] * (2 * math.pi / n) * 2.0 ** torch.arange(8)
x = 7 * torch.cat([angle.cos(), angle.sin()], -1).double() / math.sqrt(8)
local = [x, x]


def performer(q: torch.Tensor, k: torch.Tensor, m: int) -> torch.Tensor:
    """Positive random features: E[phi(q) . phi(k)] = exp(q.k/sqrt(d))."""
    omega = torch.randn(m, d, dtype=torch.float64)  # (m, d)

    def phi(x: torch.Tensor) -> torch.Tensor:  # (n, d) -> (n, m)
        x = x / d**0.25
        return torch.exp(x @ omega.T - (x * x).sum(-1, keepdim=True) / 2)

    sim = phi(q) @ phi(k).T  # (n, n)
    return sim / sim.sum(-1, keepdim=True)


def window(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    return local_attention(q, k, eye, window=16, causal=False)


def blocks(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    return block_sparse_attention(q, k, eye, block_size=16, num_global=16)


methods = {
    "window of 16": window,
    "blocks of 16 + global": blocks,
    "linear, elu + 1": lambda q, k: linear_attention(q, k, eye),
    "Performer, 64 features": lambda q, k: performer(q, k, 64),
    "Performer, 1024": lambda q, k: performer(q, k, 1024),
}
print(f"{'share of weight misplaced':<26}{'spread':>8}{'local':>8}")
for name, attend in methods.items():
    row = []
    for q, k in (spread, local):
        _, full = scaled_dot_product_attention(q, k, eye)  # (n, n)
        misplaced = 0.5 * (attend(q, k) - full).abs().sum(-1).mean()
        row.append(f"{misplaced:8.3f}")
    print(f"{name:<26}" + "".join(row))
