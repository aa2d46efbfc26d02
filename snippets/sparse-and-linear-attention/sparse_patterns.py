# Four sparse patterns as keep-masks, and the share of the n x n
# scores each one keeps.
import torch
import torch.nn.functional as F

from attention_book import (
    block_sparse_attention,
    block_sparse_mask,
    causal_mask,
    sliding_window_mask,
)


def strided_mask(n: int, stride: int) -> torch.Tensor:
    """Sparse Transformer: the last `stride` keys, and every stride-th."""
    back = torch.arange(n)[:, None] - torch.arange(n)[None, :]  # i - j
    return causal_mask(n) & ((back < stride) | (back % stride == 0))


def longformer_mask(n: int, side: int, num_global: int) -> torch.Tensor:
    """`side` neighbours on each side, plus global tokens at the start."""
    keep = sliding_window_mask(n, side + 1, causal=False)  # |i - j| <= side
    keep[:num_global, :] = keep[:, :num_global] = True
    return keep


def bigbird_mask(
    n: int,
    block: int,
    num_global: int,
    num_random: int,
    g: torch.Generator,
) -> torch.Tensor:
    """Blocks: a window of 3, global tokens, and random key blocks."""
    keep = block_sparse_mask(n, block_size=block, num_global=num_global)
    blocks = n // block
    for row in range(blocks):
        rows = slice(row * block, (row + 1) * block)
        for col in torch.randperm(blocks, generator=g)[:num_random].tolist():
            keep[rows, col * block : (col + 1) * block] = True
    return keep


def patterns(n: int, block: int, seed: int = 0) -> dict[str, torch.Tensor]:
    """Every pattern keeps O(block) keys a row."""
    g = torch.Generator().manual_seed(seed)
    return {
        "causal window": sliding_window_mask(n, 2 * block),
        "strided": strided_mask(n, block),
        "Longformer": longformer_mask(n, block, num_global=2),
        "BigBird": bigbird_mask(n, block, block, 1, g),
    }


for n in [64, 4096]:
    block = int(n**0.5)  # Child et al.'s choice: cost O(n sqrt(n))
    for name, keep in patterns(n, block).items():
        label = f"{name} at n={n}:"
        print(f"{label:<24} keeps {keep.float().mean():6.2%} of the scores")

# block_sparse_attention never builds the mask, yet it equals dense
# attention under block_sparse_mask.
torch.manual_seed(0)
q, k, v = torch.randn(3, 2, 64, 16).unbind(0)  # (B, n, d) each
sparse = block_sparse_attention(q, k, v, block_size=8, num_global=8)
keep = block_sparse_mask(64, block_size=8, num_global=8)
dense = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
assert torch.allclose(sparse, dense, atol=1e-6)
print("block_sparse_attention equals masked SDPA:", True)
