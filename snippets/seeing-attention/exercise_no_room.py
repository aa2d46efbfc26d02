# How many weight changes can an attention output not see? S - d_v - 1.
import torch

torch.manual_seed(0)
for S, d_v in ((4, 3), (8, 3), (16, 3), (128, 64), (1024, 64)):
    values = torch.randn(S, d_v, dtype=torch.float64)
    rules = torch.cat([values.T, torch.ones(1, S, dtype=torch.float64)])
    rank = torch.linalg.matrix_rank(rules).item()  # independent rules
    print(f"S = {S:>4}, d_v = {d_v:>2}: {S - rank:>4} invisible directions")
