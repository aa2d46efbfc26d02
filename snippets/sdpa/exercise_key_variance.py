# Exercise 2: keys of variance 4 make var(q . k) = 4 d_k. The scale
# 1 / sqrt(4 d_k) = 1 / (2 sqrt(d_k)) brings it back to 1.
import torch

torch.manual_seed(0)
trials = 2000
print(f"{'d_k':>5} {'var(q.k)':>9} {'/ sqrt(d_k)':>12} {'/ 2 sqrt(d_k)':>14}")
for d_k in (4, 64, 1024):
    q = torch.randn(trials, d_k)  # variance 1
    k = 2 * torch.randn(trials, d_k)  # standard deviation 2: variance 4
    scores = (q * k).sum(dim=-1)  # (trials,)
    usual = (scores / d_k**0.5).var()
    fixed = (scores / (2 * d_k**0.5)).var()
    print(f"{d_k:>5} {scores.var():>9.1f} {usual:>12.2f} {fixed:>14.2f}")
