# Masking with -1e9 instead of -inf: a fully masked row silently becomes
# uniform in float32, and float16 cannot hold -1e9 at all.
import torch

torch.manual_seed(0)
scores = torch.randn(1, 3)  # (L, S): one query, three keys
keep = torch.tensor([[False, False, False]])  # this query may see no key

weights = torch.softmax(scores.masked_fill(~keep, -1e9), dim=-1)
print("float32, -1e9:", [round(w, 4) for w in weights[0].tolist()])

try:
    scores.half().masked_fill(~keep, -1e9)
except RuntimeError as error:
    print("float16, masked_fill(-1e9): raises", type(error).__name__)

bias = torch.zeros(1, 3).masked_fill(~keep, -1e9).half()  # additive mask
print("float16, -1e9 as a bias:", bias[0].tolist())  # overflows to -inf
weights = torch.softmax(scores.half() + bias, dim=-1)
print("float16 weights:", weights[0].tolist())
