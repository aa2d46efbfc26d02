# Exercise: the two limits of the width. Narrow: each training input gets
# back its own target (a hard lookup). Wide: every query gets the mean.
import torch

from attention_book.tasks.kernel_regression import (
    GaussianKernelRegression,
    make_data,
)

torch.manual_seed(0)
data = make_data(n_train=50, seed=0)
x, y = data.x_train, data.y_train  # (S,), (S,)

narrow = GaussianKernelRegression(x, y, width=1e-3, learn_width=False)
gap = (narrow(x) - y).abs().max().item()  # queries = the keys themselves
assert gap < 1e-6
print(f"width 0.001, max |f(x_j) - y_j| over training pairs: {gap:.1e}")

wide = GaussianKernelRegression(x, y, width=1e4, learn_width=False)
gap = (wide(data.x_test) - y.mean()).abs().max().item()
assert gap < 1e-4
print(f"width 10000, max |f(x) - mean(y)| over test inputs: {gap:.1e}")
