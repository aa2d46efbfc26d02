# A new score: weight on earlier copies of the query's own token.
import torch

from attention_book.tasks import tiny_transformer as tt

torch.manual_seed(0)
model, _ = tt.train_tiny_transformer(seed=0)
sequence, _ = tt.held_out_batch(num_sequences=200)
with torch.no_grad():
    _, weights = model.forward_with_weights(sequence)  # (layers, B, H, T, T)

T = sequence.shape[1]
earlier = torch.ones(T, T, dtype=torch.bool).tril(diagonal=-1)  # key j < t
same = (sequence[:, :, None] == sequence[:, None, :]) & earlier  # (B, T, T)
has_copy = same.any(-1)  # (B, T): queries whose token occurred before
mass = (weights * same[:, None]).sum(-1)  # (layers, B, H, T)
score = (mass * has_copy[:, None]).sum(-1) / has_copy[:, None].sum(-1)
for layer, row in enumerate(score.mean(1).tolist()):  # mean over sequences
    print(f"layer {layer}: duplicate-token share", [round(s, 2) for s in row])
assert score.mean(1).max() < 0.2  # no head of this model is one
