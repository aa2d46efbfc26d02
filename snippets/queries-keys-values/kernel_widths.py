# Nadaraya-Watson regression: predict y at x as a softmax-weighted mean of
# the training targets, for several fixed kernel widths. Nothing is learned.
import torch

from attention_book.tasks.kernel_regression import (
    GaussianKernelRegression,
    evaluate,
    make_data,
)

torch.manual_seed(0)
data = make_data(n_train=50, seed=0)  # y = 2 sin x + x^0.8 + noise, x in [0, 5)
print("training pairs:", len(data.x_train), " test inputs:", len(data.x_test))

# Average pooling: every training target gets the same weight 1/n.
mean = data.y_train.mean().expand_as(data.y_test)  # (L,)
print(f"average pooling, error: {(mean - data.y_test).pow(2).mean():.3f}")

errors = {}
for width in (0.05, 0.1, 0.3, 1.0, 3.0):
    model = GaussianKernelRegression(
        keys=data.x_train,
        values=data.y_train,
        width=width,
        learn_width=False,
    )
    errors[width] = evaluate(model, data)  # mean squared error vs the truth
    print(f"width {width:<4}  error {errors[width]:.3f}")

best = min(errors, key=errors.get)
print("best fixed width:", best)
print(f"error at the best fixed width: {errors[best]:.3f}")
