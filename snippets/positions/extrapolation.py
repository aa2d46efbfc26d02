# Train short, test long: one model and one task, five ways of giving
# positions. Trained on 32 tokens; accuracy on the next token, measured
# on held-out sequences of each length.

import torch

from attention_book.tasks.extrapolation import POSITIONS, train_extrapolation

torch.manual_seed(0)
results = {p: train_extrapolation(p)[1] for p in POSITIONS}  # cached
lengths = results["alibi"].lengths
print("length    " + "".join(f"{n:>7}" for n in lengths))
for position, history in results.items():
    cells = [f"{a:7.3f}" for a in history.accuracy]  # nan: cannot run
    print(f"{position:<10}" + "".join(cells).replace("nan", "n/a"))

# the numbers quoted in the text
for position in ("none", "sinusoidal", "rope", "alibi"):
    for n in (32, 512):
        accuracy = results[position].accuracy[lengths.index(n)]
        print(f"{position} at {n}: {accuracy:.3f}")
