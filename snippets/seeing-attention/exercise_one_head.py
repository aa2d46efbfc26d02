# Hide the top key from ONE layer-1 head at a time: which head is needed?
import torch

from attention_book.tasks import tiny_transformer as tt

torch.manual_seed(0)
model, _ = tt.train_tiny_transformer(seed=0)
sequence, targets = tt.held_out_batch(num_sequences=1000)
with torch.no_grad():
    _, weights = model.forward_with_weights(sequence)  # (layers, B, H, T, T)
top = weights[1].argmax(-1)  # (B, H, T): each query's top key, per head

hidden, removed = [], []
for head in range(model.num_heads):
    keep = torch.ones(weights.shape[1:], dtype=torch.bool)  # (B, H, T, T)
    keep[:, head].scatter_(-1, top[:, head, :, None], False)
    keep[:, head, 0, 0] = True  # query 0 keeps its only key
    hidden.append(tt.accuracy(model, sequence, targets, {1: keep}))
    removed.append(tt.evaluate(tt.ablate_heads(model, [(1, head)])))
    print(f"L1 H{head}: top key hidden {hidden[-1]:.3f}, head removed", end=" ")
    print(f"{removed[-1]:.3f}")
assert min(hidden) > 0.1  # far better than hiding it from all four heads
assert hidden.index(min(hidden)) == removed.index(min(removed))
