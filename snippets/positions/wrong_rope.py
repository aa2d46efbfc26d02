# RoPE goes on each head's queries and keys, shaped (B, H, T, D), so that
# it rotates along the positions T. Two places that look equally right:
import math

import torch

from attention_book import RotaryEmbedding

torch.manual_seed(0)
B, T, H, D = 1, 8, 4, 16
q, k = torch.randn(B, T, H * D), torch.randn(B, T, H * D)  # projected


def heads(x: torch.Tensor) -> torch.Tensor:
    return x.view(B, T, H, D).transpose(1, 2)  # (B, H, T, D)


def scores(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    return q @ k.transpose(-1, -2)  # (B, H, T, T)


rope = RotaryEmbedding(D)
right = scores(rope.rotate(heads(q)), rope.rotate(heads(k)))
plain = scores(heads(q), heads(k))  # no positions at all

# 1. Rotating (B, T, H, D), before the transpose: RoPE takes the heads
# for positions. q and k of a head get the same angle, which cancels.
q4, k4 = q.view(B, T, H, D), k.view(B, T, H, D)
wrong = scores(rope.rotate(q4).transpose(1, 2), rope.rotate(k4).transpose(1, 2))
assert torch.allclose(wrong, plain, atol=1e-5)
assert not torch.allclose(right, plain, atol=1e-2)
print("on (B, T, H, D), same scores as without RoPE:", True)

# 2. Rotating (B, T, H * D), before the split into heads: still relative,
# but the frequencies are spread over the heads instead of repeated.
wide = RotaryEmbedding(H * D)
early = scores(heads(wide.rotate(q)), heads(wide.rotate(k)))
gap = (early - right).abs().max()
print(f"before the split, max score difference: {gap:.2f}")
for h in (0, H - 1):
    slowest = wide.inv_freq[(h + 1) * D // 2 - 1]  # head h's lowest frequency
    print(
        f"head {h}, longest wavelength: {2 * math.pi / slowest:.0f}"
        f" (per-head RoPE: {2 * math.pi / rope.inv_freq[-1]:.0f})"
    )
