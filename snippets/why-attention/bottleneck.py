# Copy strings of 1 to 20 random digits with a GRU encoder-decoder whose
# states are 32 numbers wide: once through one vector, once with attention.
import torch

from attention_book.tasks.seq2seq import (
    accuracy_by_length,
    alignment_accuracy,
    train_seq2seq,
)

torch.manual_seed(0)
lengths = [2, 4, 6, 8, 12, 16, 20]
models, results, sizes = {}, {}, {}
for name, attention in (("no attention", None), ("attention", "additive")):
    model, history = train_seq2seq(attention)  # trained once, then cached
    models[name] = model
    sizes[name] = sum(p.numel() for p in model.parameters())
    print(f"parameters, {name}: {sizes[name]}")
    results[name] = accuracy_by_length(model, lengths)  # held-out digits
added = sizes["attention"] - sizes["no attention"]
print(f"added by attention: {added} ({added / sizes['attention']:.0%})")

print("\ndigits right (greedy decoding, 500 new strings per length)")
print(f"{'length':>6} {'no attention':>13} {'attention':>10}")
for n in lengths:
    without, with_ = results["no attention"][n], results["attention"][n]
    print(f"{n:>6} {without:>13.2f} {with_:>10.2f}")
print()
for name in results:
    print(f"{name}, length 20: {results[name][20]:.2f}")
print(f"chance: {1 / 10:.2f}")
# The attention model's weights peak on the digit it is copying (diagonal).
on_diagonal = alignment_accuracy(models["attention"], 20)
print(f"largest weight on the copied digit: {on_diagonal:.2f}")
assert results["attention"][20] > results["no attention"][20] + 0.5
