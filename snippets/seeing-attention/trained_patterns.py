# Which pattern each head of the trained model follows, measured.
import torch

from attention_book.tasks import tiny_transformer as tt

torch.manual_seed(0)
model, history = tt.train_tiny_transformer(seed=0)  # cached: trained once
sequence, _ = tt.held_out_batch(num_sequences=200)
with torch.no_grad():
    _, weights = model.forward_with_weights(sequence)  # (layers, B, H, T, T)

columns = ["previous", "first", "diagonal", "local", "induction"]
scores = tt.pattern_scores(weights, sequence)  # name -> (layers, B, H)
labels = []
print("head   ", " ".join(f"{c:>9}" for c in columns), "  pattern")
for layer in range(model.num_layers):
    for head in range(model.num_heads):
        row = {c: scores[c][layer, :, head].mean().item() for c in columns}
        cells = " ".join(f"{value:>9.2f}" for value in row.values())
        del row["local"]  # every previous-token head is local too
        best = max(row, key=row.get)
        labels.append(best if row[best] > 0.5 else "-")
        print(f"L{layer} H{head}  {cells}   {labels[-1]}")
assert labels == ["-"] + ["previous"] * 3 + ["induction"] * 4  # as on the page

# Layer 0 again, split between the random part and the repeat at the end.
repeat = tt.predictable(sequence).cummax(dim=1).values  # (B, T)
part = {  # (where, pattern) -> (H,) mean over the sequences
    (where, name): tt.pattern_scores(weights[0], queries=q)[name].mean(0)
    for where, q in (("random part", ~repeat), ("repeat", repeat))
    for name in ("previous", "first")
}
print("layer 0", " " * 17, "".join(f"{f'H{h}':>6}" for h in range(4)))
for (where, name), values in part.items():
    cells = "".join(f"{value:>6.2f}" for value in values.tolist())
    print(f"{name + ', ' + where:<25} {cells}")
h = int(part["random part", "previous"].argmax())
share = {w: part[w, "previous"][h].item() for w in ("random part", "repeat")}
print(f"previous-token head: L0 H{h}")
print(f"its previous-token share, random part: {share['random part']:.2f}")
print(f"its previous-token share, repeat: {share['repeat']:.2f}")
s = int(part["repeat", "first"].argmax())
sink = part["repeat", "first"][s].item()
print(f"first-token head in the repeat: L0 H{s}")
print(f"its first-token share, repeat: {sink:.2f}")
assert share["random part"] > 0.8 > 0.5 > share["repeat"] and sink > 0.2

# During training: when did the loss drop, and when did the heads form?
losses = torch.tensor(history.losses)  # one per step
induction = torch.tensor(history.induction)  # one per probe, every 10 steps
print(f"first step with loss below 1: {int((losses < 1).nonzero()[0])}")
formed = history.probe_steps[int((induction > 0.5).nonzero()[0])]
print(f"first probe with an induction score above 0.5: step {formed}")
