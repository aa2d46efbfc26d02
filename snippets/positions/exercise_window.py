# Is RoPE's failure at long lengths about offsets it never saw? Then
# hiding every key more than 32 positions back should repair it.
import torch

from attention_book.tasks.extrapolation import accuracy, train_extrapolation

torch.manual_seed(0)
n = 512
for position in ("rope", "sinusoidal"):
    model, history = train_extrapolation(position)  # the page's models
    before = history.accuracy[history.lengths.index(n)]
    after = accuracy(model, n, window=32)  # each query: its last 32 keys
    print(f"{position} at {n}, window 32: {after:.3f} (was {before:.3f})")
