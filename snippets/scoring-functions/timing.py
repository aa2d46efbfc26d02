# Time each score function on the same batch, in one run, and report the
# time per query-key pair as a ratio to the plain dot product.
import statistics
import time

import torch

from attention_book import (
    AdditiveAttention,
    DotProductAttention,
    MultiplicativeAttention,
)

torch.manual_seed(0)
torch.set_num_threads(1)  # one core: the ratios, not the parallelism
B, L, S, d = 8, 128, 128, 64  # batch, queries, keys, width (hidden = d)
q, k = torch.randn(B, L, d), torch.randn(B, S, d)
scorers = {
    "dot": MultiplicativeAttention(d, d, "dot"),
    "scaled dot": DotProductAttention(scaled=True),
    "general": MultiplicativeAttention(d, d, "general"),
    "additive": AdditiveAttention(d, d, hidden_dim=d),
    "concat": MultiplicativeAttention(d, d, "concat"),
}
times = {name: [] for name in scorers}
with torch.inference_mode():
    for scorer in scorers.values():
        scorer.score(q, k)  # warm-up
    names = list(scorers)
    for r in range(21):  # take turns, each round starting with the next one;
        for name in names[r % 5 :] + names[: r % 5]:  # count CPU time only
            scorer = scorers[name]
            start = time.thread_time()
            scorer.score(q, k)  # (B, L, S) scores
            times[name].append(time.thread_time() - start)

pairs = B * L * S
base = statistics.median(times["dot"])
for name, seconds in times.items():
    median = statistics.median(seconds)
    print(f"{name}, ns per pair: {median / pairs * 1e9:.2f}")
    print(f"{name} / dot: {median / base:.1f}")
