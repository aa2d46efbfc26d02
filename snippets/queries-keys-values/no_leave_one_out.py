# What goes wrong: train the width with each training input allowed to
# attend to its own pair. The width shrinks toward 0 and the model memorises.
import torch

from attention_book.tasks.kernel_regression import (
    evaluate,
    make_data,
    train_kernel_regression,
)

torch.manual_seed(0)
data = make_data(n_train=50, seed=0)

print(f"{'steps':>5} {'width':>6} {'training loss':>13} {'test error':>10}")
for steps in (200, 1000):
    model, history = train_kernel_regression(
        "gaussian",
        seed=0,
        steps=steps,
        leave_one_out=False,
    )
    width, loss = model.width.item(), history.losses[-1]
    error = evaluate(model, data)
    print(f"{steps:>5} {width:>6.3f} {loss:>13.3f} {error:>10.3f}")

print(f"width after 1000 steps: {width:.3f}")
print(f"test error after 1000 steps: {evaluate(model, data):.3f}")
