# The alignment model of Bahdanau et al. (2014): decoder state n = 1000,
# annotations 2n = 2000 (a bidirectional encoder), hidden n' = 1000.
import torch

from attention_book import AdditiveAttention

torch.manual_seed(0)
n = 1000
alignment_model = AdditiveAttention(query_dim=n, key_dim=2 * n, hidden_dim=n)
count = sum(p.numel() for p in alignment_model.parameters())
print(f"parameters: {count:,}")
assert count == n * n + n * 2 * n + n  # W_a, U_a, v_a
# U_a h_j does not depend on the decoder step: project every key once.
S, T = 50, 50  # a 50-word source and target
per_step = n * n + S * n  # W_a s, then v_a . tanh(...) per source word
once = S * 2 * n * n  # U_a h_j for all source words
saved, naive = once + T * per_step, T * (once + per_step)
print(f"multiply-adds, keys projected once: {saved:,}")
print(f"multiply-adds, keys projected every step: {naive:,}")
print(f"work divided by: {naive / saved:.0f}")
