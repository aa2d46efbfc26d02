# Parameters of each score function, and the multiply-adds PyTorch performs
# to score L queries against S keys, counted by torch's FLOP counter.
import torch
from torch.utils.flop_counter import FlopCounterMode

from attention_book import (
    AdditiveAttention,
    DotProductAttention,
    MultiplicativeAttention,
)

torch.manual_seed(0)
d = h = 512  # query, key and hidden width
L = S = 256  # queries and keys
scorers = {
    "dot": MultiplicativeAttention(d, d, "dot"),
    "scaled dot": DotProductAttention(scaled=True),
    "general": MultiplicativeAttention(d, d, "general"),
    "additive": AdditiveAttention(d, d, hidden_dim=h),
    "concat": MultiplicativeAttention(d, d, "concat", hidden_dim=h),
}
formulas = {  # parameters, by hand
    "dot": 0,
    "scaled dot": 0,
    "general": d * d,  # W
    "additive": h * d + h * d + h,  # W_q, W_k, v
    "concat": h * (d + d) + h,  # W, v
}
q, k = torch.randn(1, L, d), torch.randn(1, S, d)
print(f"{'score':<11}{'parameters':>11}{'mult-adds per pair':>20}")
for name, scorer in scorers.items():
    size = sum(p.numel() for p in scorer.parameters())
    assert size == formulas[name]
    with FlopCounterMode(display=False) as counter:
        scorer.score(q, k)  # (1, L, S) scores
    per_pair = counter.get_total_flops() / 2 / (L * S)  # 2 FLOPs = 1 mult-add
    print(f"{name:<11}{size:>11,}{per_pair:>20,.0f}")
