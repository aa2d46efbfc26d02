# Switch heads off, one at a time and in groups: which ones does the model need?
import torch

from attention_book.tasks import tiny_transformer as tt

torch.manual_seed(0)
model, _ = tt.train_tiny_transformer(seed=0)
print(f"all heads: accuracy {tt.evaluate(model):.3f}")
heads = [(layer, head) for layer in range(2) for head in range(4)]
alone = {}
for layer, head in heads:  # remove one head: its output becomes zero
    alone[layer, head] = tt.evaluate(tt.ablate_heads(model, [(layer, head)]))
    print(f"without L{layer} H{head}: {alone[layer, head]:.3f}")

(layer, head), lowest = min(alone.items(), key=lambda item: item[1])
print(f"the head that matters most: L{layer} H{head}, {lowest:.3f} without it")
others = [(layer, h) for h in range(4) if h != head]  # its layer's other heads
groups = {
    "without layer 0": [(0, h) for h in range(4)],
    "without layer 1": [(1, h) for h in range(4)],
    f"layer {layer} with H{head} only": others,
}
for name, group in groups.items():
    groups[name] = tt.evaluate(tt.ablate_heads(model, group))
    print(f"{name}: {groups[name]:.3f}")

# The claims the page makes: most heads can go alone, no layer can go.
assert sum(acc > 0.98 for acc in alone.values()) >= 5
assert max(groups["without layer 0"], groups["without layer 1"]) < 0.2
