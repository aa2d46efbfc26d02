# What goes wrong: with a narrow kernel, exp(-d^2 / 2w^2) underflows to 0 for
# every key, and the textbook ratio K / sum K becomes 0 / 0 = NaN.
import torch

from attention_book.tasks.kernel_regression import make_data

torch.manual_seed(0)
data = make_data(n_train=50, seed=0)
x, xj, yj = data.x_test, data.x_train, data.y_train  # (L,), (S,), (S,)
w = 0.002
scores = -((x[:, None] - xj[None, :]) ** 2) / (2 * w**2)  # (L, S)

print("exp(-110) in float32:", torch.exp(torch.tensor(-110.0)).item())
kernel = torch.exp(scores)  # (L, S), many rows entirely 0
textbook = (kernel @ yj) / kernel.sum(dim=1)  # (L,)
print("queries:", len(x))
print("NaN predictions, kernel ratio:", int(textbook.isnan().sum()))

# softmax subtracts each row's largest score first, so the nearest key
# always gets exp(0) = 1: the prediction falls back to the nearest target.
weights = torch.softmax(scores, dim=1)  # (L, S)
assert not (weights @ yj).isnan().any()
print("NaN predictions, softmax:", int((weights @ yj).isnan().sum()))
nearest = (x[:, None] - xj[None, :]).abs().argmin(dim=1)  # (L,)
same = torch.equal(weights.argmax(dim=1), nearest)
assert same
print("each query's top weight is on its nearest key:", same)
