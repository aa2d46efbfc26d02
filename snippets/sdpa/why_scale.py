# Why divide by sqrt(d_k): for random unit-variance vectors, var(q . k)
# grows like d_k.
import torch

torch.manual_seed(0)
num_keys, trials = 16, 2000
header = f"{'d_k':>5} {'var(q.k)':>9} {'var scaled':>11}"
print(f"{header} {'top weight':>11} {'scaled':>7}")
for d_k in (4, 64, 1024):
    q = torch.randn(trials, 1, d_k)  # (trials, 1, d_k): one query per trial
    k = torch.randn(trials, num_keys, d_k)  # (trials, S, d_k)
    scores = (q @ k.transpose(1, 2)).squeeze(1)  # (trials, S)
    scaled = scores / d_k**0.5
    # Mean largest weight: how peaked the softmax is
    # (1/16 = uniform, 1 = one-hot).
    top = torch.softmax(scores, dim=-1).amax(dim=-1).mean()
    top_scaled = torch.softmax(scaled, dim=-1).amax(dim=-1).mean()
    variances = f"{scores.var():>9.1f} {scaled.var():>11.2f}"
    print(f"{d_k:>5} {variances} {top:>11.2f} {top_scaled:>7.2f}")
