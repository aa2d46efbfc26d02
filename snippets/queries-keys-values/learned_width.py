# Learn the kernel width: predict each training target from the other 49
# pairs (leave-one-out), and let gradient descent pick the width.
import torch

from attention_book.tasks.kernel_regression import (
    evaluate,
    make_data,
    train_kernel_regression,
)

torch.manual_seed(0)
data = make_data(n_train=50, seed=0)  # the same data as kernel_widths.py
model, history = train_kernel_regression("gaussian", seed=0, width=1.0)

print("starting width: 1.0")
first, last = history.losses[0], history.losses[-1]
print(f"leave-one-out loss: {first:.3f} -> {last:.3f} in {history.steps} steps")
print(f"learned width: {model.width.item():.3f}")
print(f"test error, learned width: {evaluate(model, data):.3f}")
