# RoPE with the "half" pairing of GPT-NeoX and Hugging Face's Llama:
# dimension i turns with dimension i + D/2 instead of i + 1. It is the
# interleaved RoPE on permuted dimensions, so the scores agree.
import torch

from attention_book import RotaryEmbedding

torch.manual_seed(0)
T, D = 6, 8
rope = RotaryEmbedding(D)  # interleaved pairs (0, 1), (2, 3), ...


def rotate_half_pairs(x: torch.Tensor) -> torch.Tensor:
    """Pairs (i, i + D/2) rotated by position * theta_i."""
    angle = torch.arange(T)[:, None] * rope.inv_freq  # (T, D/2)
    cos, sin = angle.cos().repeat(1, 2), angle.sin().repeat(1, 2)  # (T, D)
    first, second = x[..., : D // 2], x[..., D // 2 :]
    return x * cos + torch.cat([-second, first], dim=-1) * sin


q, k = torch.randn(T, D), torch.randn(T, D)
half = rotate_half_pairs(q) @ rotate_half_pairs(k).T  # (T, T)

# interleave: dims (0, 4), (1, 5), ... become neighbours (0, 1), (2, 3)
perm = torch.arange(D).view(2, D // 2).T.flatten()  # [0, 4, 1, 5, ...]
print("permutation:", perm.tolist())
inter = rope.rotate(q[:, perm]) @ rope.rotate(k[:, perm]).T
assert torch.allclose(half, inter, atol=1e-5)
print(f"max score difference: {(half - inter).abs().max():.1e}")

# but loading one into the other without the permutation is wrong
wrong = rope.rotate(q) @ rope.rotate(k).T
print(f"without the permutation: {(half - wrong).abs().max():.2f}")
