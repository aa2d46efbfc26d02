# float16 holds numbers up to 65504, and e^s passes that at s = 11.1. Scores
# of 12 are ordinary, so a softmax that exponentiates without first
# subtracting the maximum turns them into inf / inf = NaN.
import torch

half = torch.float16
print("largest float16:", torch.finfo(half).max)
print("e^11 in float16:", torch.exp(torch.tensor(11.0, dtype=half)).item())
print("e^12 in float16:", torch.exp(torch.tensor(12.0, dtype=half)).item())

s = torch.tensor([12.0, 9.5, 11.0, 3.0], dtype=half)  # one row of scores
naive = torch.exp(s) / torch.exp(s).sum()
stable = torch.exp(s - s.max()) / torch.exp(s - s.max()).sum()
print("without the max:", naive.tolist())
print("with the max:   ", [round(x, 4) for x in stable.tolist()])
reference = torch.softmax(s.float(), dim=0)  # computed in float32
assert torch.allclose(stable.float(), reference, atol=1e-3)
