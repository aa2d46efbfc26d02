# The task: continue a sequence that repeats with a short period. The
# period (2 to 8) and its tokens change from sequence to sequence.
import torch

from attention_book.tasks.extrapolation import IGNORE, make_batch

torch.manual_seed(0)
sequence, targets = make_batch(torch.Generator().manual_seed(0), 2, 16)
for row, target in zip(sequence, targets, strict=True):
    shown = ["." if t == IGNORE else str(t) for t in target.tolist()]
    print("tokens: ", " ".join(f"{t:>2}" for t in row.tolist()))
    print("targets:", " ".join(f"{t:>2}" for t in shown))
