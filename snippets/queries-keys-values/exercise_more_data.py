# Exercise: learn the width from more training pairs. Does it shrink?
# Each size is drawn three times (three data seeds), since one draw is noisy.
import torch

from attention_book.tasks.kernel_regression import (
    evaluate,
    make_data,
    train_kernel_regression,
)

torch.manual_seed(0)
test = make_data(seed=0)  # the test grid and its truth do not depend on n
print(f"{'pairs':>5} {'widths (3 draws)':>20} {'mean':>6} {'mean error':>10}")
means = []
for n in (50, 200, 800):
    widths, errors = [], []
    for data_seed in (0, 1, 2):
        model, _ = train_kernel_regression(
            "gaussian",
            seed=0,
            n_train=n,
            data_seed=data_seed,
        )
        widths.append(model.width.item())
        errors.append(evaluate(model, test))
    means.append(sum(widths) / 3)
    each = " ".join(f"{w:.3f}" for w in widths)
    print(f"{n:>5} {each:>20} {means[-1]:>6.3f} {sum(errors) / 3:>10.3f}")
assert means[0] > means[1] > means[2]
print(f"width ratio, 50 to 800 pairs: {means[0] / means[2]:.2f}")
print(f"theory, (800 / 50) ** (1 / 5): {(800 / 50) ** 0.2:.2f}")
