# Learn the queries and keys themselves: q = f_Q(x), k = f_K(x_j), two small
# MLPs, scored by q.k / sqrt(d). The values stay the training targets.
import torch

from attention_book.tasks.kernel_regression import (
    evaluate,
    make_data,
    train_kernel_regression,
)

torch.manual_seed(0)
data = make_data(n_train=50, seed=0)

gaussian, history = train_kernel_regression("gaussian", seed=0)
print(f"{'model':<22} {'leave-one-out loss':>19} {'test error':>11}")
loss, error = history.losses[-1], evaluate(gaussian, data)
print(f"{'gaussian, 1 weight':<22} {loss:>19.3f} {error:>11.3f}")

errors = []
for seed in (0, 1, 2):
    model, history = train_kernel_regression("projected", seed=seed)
    errors.append(evaluate(model, data))
    name = f"projected, seed {seed}"
    print(f"{name:<22} {history.losses[-1]:>19.3f} {errors[-1]:>11.3f}")

size = sum(p.numel() for p in model.parameters())
print("learned weights in the projections:", size)
mean_error = sum(errors) / len(errors)
print(f"mean test error, projected: {mean_error:.3f}")
ratio = mean_error / evaluate(gaussian, data)
print(f"test error, projected / gaussian: {ratio:.1f}")
