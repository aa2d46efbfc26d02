# The local model sees the query and the 3 pairs before it. Split its
# accuracy by how far back the answer's pair is.
import torch

from attention_book.tasks.sparse_linear import (
    accuracy_by_distance,
    train_efficient_recall,
)

torch.manual_seed(0)
model, _ = train_efficient_recall("local")  # window = 4 positions
by_distance = accuracy_by_distance(model, num_pairs=16)  # (16,)
for back, accuracy in enumerate(by_distance.tolist(), start=1):
    bar = "#" * round(40 * accuracy)
    print(f"answer {back:>2} back: {accuracy:.3f} {bar}")
inside, outside = by_distance[:3].mean(), by_distance[3:].mean()
print(f"answer inside the window: {inside:.3f}")
print(f"answer outside the window: {outside:.3f}")
