# A hand-made learned table used past its end: nn.Embedding fails with a
# message that names neither positions nor the table's size.
import torch

torch.manual_seed(0)
max_len, d = 32, 16
table = torch.nn.Embedding(max_len, d)  # positions 0 .. 31
tokens = torch.randn(1, 40, d)  # a longer sequence than in training
try:
    tokens + table(torch.arange(tokens.shape[1]))
except IndexError as error:
    print("IndexError:", error)
