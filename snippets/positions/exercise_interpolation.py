# Position interpolation (Chen et al., 2023) squeezes n positions into
# the trained range: RoPE sees position m as m * 32 / n. Without the
# fine-tuning that the paper adds, on the page's RoPE model:
import torch

from attention_book.tasks.extrapolation import accuracy, train_extrapolation

torch.manual_seed(0)
model, history = train_extrapolation("rope")
for n in (64, 128, 512):
    plain = history.accuracy[history.lengths.index(n)]
    squeezed = accuracy(model, n, rope_scale=32 / n)
    print(f"length {n}: interpolated {squeezed:.3f}, plain {plain:.3f}")
