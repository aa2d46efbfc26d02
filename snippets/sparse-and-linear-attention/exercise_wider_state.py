# Linear attention with a wider model: its state grows from 16*16 + 16
# to 32*32 + 32 numbers. Does recall improve?
import torch

from attention_book.tasks.sparse_linear import evaluate, train_efficient_recall

torch.manual_seed(0)
for d_model in [16, 32]:
    model, _ = train_efficient_recall("linear", d_model=d_model)
    accuracy = " / ".join(f"{evaluate(model, n):.3f}" for n in (16, 32, 64))
    state = d_model**2 + d_model
    print(f"d_model={d_model}, state of {state:>4} numbers: {accuracy}")
