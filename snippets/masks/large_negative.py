# Masking with a big negative number instead of -inf, in float16.
import torch

from attention_book import masked_softmax

torch.manual_seed(0)
half = torch.float16
scores = torch.randn(2, 4).to(half)  # (L, S) logits of two queries
keep = torch.tensor([[True, True, False, False], [False] * 4])  # row 1: empty

# 1. The classic constant does not fit in float16 (largest: 65504).
try:
    scores.masked_fill(~keep, -1e9)
except RuntimeError as error:
    print("masked_fill(-1e9) raises:")
    print(" ", error)

# 2. Built in float32 and cast, as mixed precision does, it becomes -inf.
bias = torch.zeros(2, 4).masked_fill(~keep, -1e9).to(half)
print("-1e9 cast to float16:", bias[1, 0].item())
print("softmax, empty row:", torch.softmax(scores + bias, dim=-1)[1].tolist())

# 3. The most negative float16 stays finite, until two masks are added.
low = torch.finfo(half).min
bias = torch.zeros(2, 4, dtype=half).masked_fill(~keep, low)
print("finfo(float16).min:", low)
print("finfo(float16).min, added twice:", (bias + bias)[1, 0].item())
w = torch.softmax(scores + bias, dim=-1)
print("one finfo.min mask, empty row:", w[1].tolist())
w = torch.softmax(scores + bias + bias, dim=-1)
print("two finfo.min masks, empty row:", w[1].tolist())

# 4. The book: -inf logits, float32 inside, an empty row gets zeros.
w = masked_softmax(scores, keep)
print("book, empty row:", w[1].tolist())
print("book, row 0:", w[0])
