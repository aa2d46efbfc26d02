# Reading one head of the trained model, row by row, on one held-out sequence.
import torch

from attention_book.tasks import tiny_transformer as tt

torch.manual_seed(0)
model, _ = tt.train_tiny_transformer(seed=0)  # as in the multi-head chapter
sequence, _ = tt.held_out_batch(num_sequences=1)  # (1, T)
with torch.no_grad():
    _, weights = model.forward_with_weights(sequence)  # (layers, 1, H, T, T)

letters = "abcdefghijklmnopqrstuvwxyzABCDEF"  # token id -> a letter
tokens = ["^"] + [letters[i] for i in sequence[0, 1:].tolist()]  # ^ = BOS
print("sequence:", " ".join(tokens))

layer, head = 1, 1
w = weights[layer, 0, head]  # (T, T): row t = where query t looks
assert torch.allclose(w.sum(-1), torch.ones(len(tokens)))
start = int(tt.predictable(sequence)[0].nonzero()[0])  # the repeat begins
print(f"layer {layer}, head {head}, queries {start - 1} to {len(tokens) - 1}:")
for t in range(start - 1, len(tokens)):
    k = int(w[t].argmax())  # the key this query looks at most
    key = f"key {k:>2} '{tokens[k]}' (after '{tokens[k - 1]}')"
    print(f"  query {t:>2} '{tokens[t]}' -> {key}, weight {w[t, k]:.2f}")
