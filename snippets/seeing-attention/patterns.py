# The patterns that recur in attention maps, each made from scores and a mask.
import torch

from attention_book import causal_mask, masked_softmax, sliding_window_mask
from attention_book.tasks import tiny_transformer as tt

torch.manual_seed(0)
T = 8
i = torch.arange(T)[:, None]  # query positions, as a column
j = torch.arange(T)[None, :]  # key positions, as a row
causal = causal_mask(T)  # (T, T), True = may attend
flat = torch.zeros(T, T)  # equal scores: the softmax spreads evenly
sharp = 8.0  # a score this much above the rest takes ~all the weight

patterns = {
    "local": masked_softmax(flat, sliding_window_mask(T, 2, causal=False)),
    "global": masked_softmax(flat),
    "causal": masked_softmax(flat, causal),
    "diagonal": masked_softmax(flat + sharp * (i == j)),
    "previous token": masked_softmax(flat + sharp * (j == i - 1), causal),
    "first token": masked_softmax(flat + sharp * (j == 0), causal),
}

columns = ["previous", "first", "diagonal", "local"]
print(f"{'pattern':<15}", *(f"{c:>8}" for c in columns), "  entropy")
for name, weights in patterns.items():  # weights: (T, T)
    assert torch.allclose(weights.sum(-1), torch.ones(T))
    scores = tt.pattern_scores(weights)  # share of weight, mean over queries
    bits = tt.head_entropy(weights)
    row = " ".join(f"{scores[c]:>8.2f}" for c in columns)
    print(f"{name:<15} {row} {bits:>6.2f} bits")
