# What a plot of the head-averaged weights hides.
import torch

from attention_book.tasks import tiny_transformer as tt

torch.manual_seed(0)
model, _ = tt.train_tiny_transformer(seed=0)
sequence, _ = tt.held_out_batch(num_sequences=200)
with torch.no_grad():
    _, weights = model.forward_with_weights(sequence)  # (layers, B, H, T, T)

heads = weights[0]  # layer 0: (B, H, T, T)
average = heads.mean(dim=1)  # (B, T, T), like average_attn_weights=True
results = {}
for name, w in (("each head", heads), ("average", average)):
    bits = tt.head_entropy(w).mean(0).reshape(-1)  # (H,) or (1,)
    previous = tt.pattern_scores(w)["previous"].mean(0).reshape(-1)
    print(f"{name}, entropy in bits:", [round(b, 2) for b in bits.tolist()])
    print(f"{name}, previous token:", [round(p, 2) for p in previous.tolist()])
    results[name] = bits, previous
(bits, previous), (bits_avg, previous_avg) = results.values()
assert bits_avg >= bits.mean() and previous_avg < previous.max()
