# Why divide by sqrt(d_k): the variance of a dot product of random unit-variance vectors grows with d_k.
import torch

torch.manual_seed(0)
num_keys, trials = 16, 2000
print(f"{'d_k':>5} {'var(q.k)':>10} {'var(q.k/sqrt(d_k))':>19} {'max weight':>11} {'scaled':>7}")
for d_k in (4, 64, 1024):
    q = torch.randn(trials, 1, d_k)  # (trials, 1, d_k): one query per trial
    k = torch.randn(trials, num_keys, d_k)  # (trials, S, d_k)
    scores = (q @ k.transpose(1, 2)).squeeze(1)  # (trials, S)
    scaled = scores / d_k**0.5
    top_raw = torch.softmax(scores, dim=-1).amax(dim=-1).mean()  # how peaked the weights are
    top_scaled = torch.softmax(scaled, dim=-1).amax(dim=-1).mean()
    print(f"{d_k:>5} {scores.var():>10.1f} {scaled.var():>19.2f} {top_raw:>11.2f} {top_scaled:>7.2f}")
