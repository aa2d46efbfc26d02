# Where does each cross-attention head look while the decoder writes each
# word? The source word with the largest weight, per layer and head.
from attention_book.tasks import translation

model, _ = translation.train_translation(seed=0)
sentence = "the big black cat chases a small white mouse"
source = sentence.split()
target, weights = translation.cross_attention(model, sentence)
print("weights (layers, heads, target words, source words):",
      tuple(weights.shape))  # fmt: skip

layers, heads = weights.shape[:2]
names = [f"L{a + 1}H{h + 1}" for a in range(layers) for h in range(heads)]
print(f"{'writing':<9}" + "".join(f"{n:>8}" for n in names))
for i, word in enumerate(target):
    peaks = weights[:, :, i].argmax(-1).flatten()  # one per layer and head
    print(f"{word:<9}" + "".join(f"{source[j]:>8}" for j in peaks))

une, mouse = target.index("une"), source.index("mouse")
on_mouse = weights[:, :, une, mouse].flatten()  # one per layer and head
best = int(on_mouse.argmax())
print("head that reads 'mouse' while writing 'une':", names[best])
print(f"its weight on 'mouse': {on_mouse[best]:.2f}")
for layer in (0, 1):
    share = translation.alignment_accuracy(model, layer=layer)
    print(f"alignment accuracy, layer {layer + 1}: {share:.1%}")
