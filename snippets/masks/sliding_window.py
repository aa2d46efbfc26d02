# Sliding windows: each query sees only its nearest keys.
import torch

from attention_book import causal_mask, combine_masks, sliding_window_mask

torch.manual_seed(0)
L, window = 8, 3
local = sliding_window_mask(L, window)  # (L, L): j in (i - window, i]
print("causal window of", window)
print(local.int())
print("keys per query:", local.sum(dim=-1).tolist())

both_sides = sliding_window_mask(L, window, causal=False)  # |i - j| < window
print("keys per query, both sides:", both_sides.sum(dim=-1).tolist())
# The causal window is the two-sided window ANDed with the causal mask.
assert torch.equal(local, combine_masks(both_sides, causal_mask(L)))

# The saving: a window keeps about 2 * window / L of a long causal mask.
big_L, big_window = 4096, 512
kept = sliding_window_mask(big_L, big_window).sum() / causal_mask(big_L).sum()
print(f"share of the causal entries kept at L={big_L}: {kept:.1%}")
