# Test what a head's weights suggest: hide the key it attends most, or another.
import torch

from attention_book.tasks import tiny_transformer as tt

torch.manual_seed(0)
model, _ = tt.train_tiny_transformer(seed=0)
sequence, targets = tt.held_out_batch(num_sequences=1000)
with torch.no_grad():
    _, weights = model.forward_with_weights(sequence)  # (layers, B, H, T, T)
T = sequence.shape[1]
visible = torch.ones(T, T).tril()  # the keys a causal query may see
print(f"no key hidden: accuracy {tt.accuracy(model, sequence, targets):.3f}")


def hide(keys):  # keys (B, H, T): one key per query and head -> keep-mask
    keep = torch.ones(weights.shape[1:], dtype=torch.bool)  # (B, H, T, T)
    keep.scatter_(-1, keys[..., None], False)
    keep[..., 0, 0] = True  # query 0 has only key 0: leave it alone
    return keep


rng = torch.Generator().manual_seed(0)
results = {}  # (layer, which key) -> accuracy
for layer in range(model.num_layers):
    w = weights[layer]  # (B, H, T, T)
    ranked = w.topk(2, dim=-1).indices  # (B, H, T, 2): the two most attended
    chance = torch.rand(w.shape, generator=rng) * visible
    other = chance.scatter(-1, ranked[..., :1], 0.0).argmax(-1)  # not the top
    choices = {"top key": ranked[..., 0], "second key": ranked[..., 1]}
    choices["random key"] = other
    for name, keys in choices.items():
        acc = tt.accuracy(model, sequence, targets, {layer: hide(keys)})
        results[layer, name] = acc
        share = w.gather(-1, keys[..., None]).mean()  # its weight, on average
        print(f"layer {layer}, hide {name:<10} (weight {share:.2f}): {acc:.3f}")

top = max(acc for (_, name), acc in results.items() if name == "top key")
rest = min(acc for (_, name), acc in results.items() if name != "top key")
print(f"best accuracy without the top key: {top:.3f}")
print(f"worst accuracy without another key: {rest:.3f}")

first = torch.ones(T, T, dtype=torch.bool)
first[1:, 0] = False  # every query but query 0 loses key 0
for layer in range(model.num_layers):
    acc = tt.accuracy(model, sequence, targets, {layer: first})
    print(f"layer {layer}, hide the first token: accuracy {acc:.3f}")
    results[layer, "first token"] = acc

# The claims the page makes:
assert top < 0.1 and rest > 0.99
assert min(results[layer, "first token"] for layer in (0, 1)) > 0.99
