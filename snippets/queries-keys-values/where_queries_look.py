# Where does each query look? The weighted mean of the key positions,
# sum_j alpha_j x_j, for the learned width and for the learned q and k.
import torch

from attention_book.tasks.kernel_regression import (
    make_data,
    target_function,
    train_kernel_regression,
)

torch.manual_seed(0)
data = make_data(n_train=50, seed=0)
queries = torch.tensor([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0])  # (L,)

looks = {}
for kind in ("gaussian", "projected"):
    model, _ = train_kernel_regression(kind, seed=0)
    with torch.no_grad():
        _, weights = model.attend(queries)  # (L, S)
    looks[kind] = weights @ data.x_train  # (L,): mean key position

# f is the noiseless curve 2 sin x + x^0.8
print("     where it looks:    the curve there:")
print(f"{'x':>5} {'gaussian':>9} {'q and k':>8} {'f(x)':>6} {'f(q and k)':>11}")
for i, x in enumerate(queries.tolist()):
    gaussian, projected = looks["gaussian"][i], looks["projected"][i]
    here, there = target_function(queries[i]), target_function(projected)
    row = f"{x:>5} {gaussian:>9.2f} {projected:>8.2f}"
    print(f"{row} {here:>6.2f} {there:>11.2f}")
