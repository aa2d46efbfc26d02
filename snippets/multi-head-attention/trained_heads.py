# What the heads of a small trained transformer attend to, head by head.
import torch

from attention_book.tasks import tiny_transformer as tt

torch.manual_seed(0)
# 2 layers x 4 heads, d_model = 32, trained to continue repeated stretches.
model, history = tt.train_tiny_transformer(seed=0)
print(f"loss: {history.losses[0]:.2f} -> {history.losses[-1]:.3f}")
print(f"held-out accuracy: {tt.evaluate(model):.3f}")

scores = tt.measure_heads(model)  # name -> (layers, heads), mean of 200
T = tt.SEQ_LEN
uniform = torch.log2(torch.arange(1.0, T + 1)).mean()  # row t: t + 1 keys
print(f"entropy of uniform causal attention: {uniform:.2f} bits")
print("layer head  entropy  on previous token  on induction target")
for layer in range(model.num_layers):
    for head in range(model.num_heads):
        entropy = scores["entropy"][layer, head]
        previous = scores["previous"][layer, head]
        induction = scores["induction"][layer, head]
        print(f"{layer:>5} {head:>4} {entropy:>8.2f}", end=" ")
        print(f"{previous:>18.2f} {induction:>20.2f}")


def name(index):  # flat index over (layer, head) -> words
    layer, head = divmod(int(index), model.num_heads)
    return f"layer {layer}, head {head}"


bits, prev = scores["entropy"].flatten(), scores["previous"].flatten()
print(f"broadest head: {name(bits.argmax())} ({bits.max():.2f} bits)")
print(f"sharpest head: {name(bits.argmin())} ({bits.min():.2f} bits)")
print(f"most previous-token: {name(prev.argmax())} ({prev.max():.2f})")

# The claims the page makes about these heads:
assert scores["previous"][0].max() > 0.6 > scores["previous"][1].max()
assert scores["entropy"].max() < uniform
assert scores["induction"][1].min() > 0.8 > 0.2 > scores["induction"][0].max()
