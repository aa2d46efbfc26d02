# Exercise: any positive kernel K gives attention weights softmax(log K).
# The Laplace kernel exp(-|u| / w) has scores -|x - x_j| / w.
import torch

from attention_book.tasks.kernel_regression import make_data

torch.manual_seed(0)
data = make_data(n_train=50, seed=0)
x, xj, yj = data.x_test, data.x_train, data.y_train  # (L,), (S,), (S,)
distance = x[:, None] - xj[None, :]  # (L, S)


def test_error(scores: torch.Tensor) -> float:
    prediction = torch.softmax(scores, dim=1) @ yj  # (L,)
    return (prediction - data.y_test).pow(2).mean().item()


print(f"{'width':>5} {'Gaussian':>9} {'Laplace':>8}")
errors: dict[str, list[float]] = {"Gaussian": [], "Laplace": []}
widths = (0.05, 0.1, 0.2, 0.3, 0.5, 1.0)
for w in widths:
    errors["Gaussian"].append(test_error(-(distance**2) / (2 * w**2)))
    errors["Laplace"].append(test_error(-distance.abs() / w))
    gaussian, laplace = errors["Gaussian"][-1], errors["Laplace"][-1]
    print(f"{w:>5} {gaussian:>9.3f} {laplace:>8.3f}")
for name, values in errors.items():
    best = min(range(len(widths)), key=values.__getitem__)
    print(f"best {name}: {values[best]:.3f} at width {widths[best]}")
