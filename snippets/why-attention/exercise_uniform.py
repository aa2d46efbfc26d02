# Ablation: keep the trained attention model, but replace its attention by a
# plain average of the encoder states. Does it still copy?
import torch
from torch import Tensor, nn

from attention_book.tasks.seq2seq import accuracy_by_length, train_seq2seq

torch.manual_seed(0)


class Uniform(nn.Module):
    """Same interface as attention_book.scoring: (context, weights)."""

    def forward(self, query: Tensor, keys: Tensor, values: Tensor):
        S = keys.shape[1]
        weights = torch.full((*query.shape[:-1], S), 1 / S)  # (B, T, S)
        return weights @ values, weights  # (B, T, H), (B, T, S)


model, _ = train_seq2seq("additive")  # the model of bottleneck.py (cached)
lengths = [1, 2, 4, 8, 20]
trained = accuracy_by_length(model, lengths)
model.attention = Uniform()
uniform = accuracy_by_length(model, lengths)
print(f"{'length':>6} {'learned weights':>16} {'uniform weights':>16}")
for n in lengths:
    print(f"{n:>6} {trained[n]:>16.2f} {uniform[n]:>16.2f}")
