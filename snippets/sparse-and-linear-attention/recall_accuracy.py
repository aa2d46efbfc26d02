# Associative recall with three kinds of attention, same model and
# same training otherwise: softmax, linear (elu + 1), and a window of 4.
import torch

from attention_book.tasks.sparse_linear import (
    NUM_VALUES,
    evaluate,
    train_efficient_recall,
)

torch.manual_seed(0)
pairs = [4, 8, 16, 32, 64]  # trained on 4 to 32 pairs
accuracy = {}
print(f"{'pairs':<9}" + "".join(f"{n:>7}" for n in pairs))
for kind in ["softmax", "linear", "local"]:
    model, _ = train_efficient_recall(kind)  # d_model = 16, window = 4
    accuracy[kind] = [evaluate(model, n) for n in pairs]
    print(f"{kind:<9}" + "".join(f"{a:7.3f}" for a in accuracy[kind]))

d = model.readout.in_features
print(f"chance: {1 / NUM_VALUES:.3f}")
print("numbers in the state of linear attention:", d * d + d)
print(f"linear attention at 64 pairs: {accuracy['linear'][-1]:.3f}")
