# Where does each word look? The cross-attention of the first block,
# averaged over its two heads, for one held-out scene.
import torch

from attention_book.tasks import multimodal as mm

torch.manual_seed(0)
model, _ = mm.train_scene_qa()  # the model trained above (cached)
sample = mm.held_out_samples(20)[2]
print(sample.scene.text())
logits, weights = mm.cross_attention(model, [sample.scene], [sample.question])
print("Q:", " ".join(sample.question), " A:", mm.ANSWERS[logits.argmax()])
maps = weights[0, 0].mean(0)  # (T, N): first block, scene 0, mean of heads
for word, row in zip(sample.question, maps, strict=True):
    cell = int(row.argmax())
    thing = sample.scene.at(cell) or ("empty", "cell")
    print(f"  {word:>8} -> cell {cell:2d} ({' '.join(thing)}) {row.max():.2f}")

# Over held-out scenes: how often does the "?" word, whose state gives the
# answer, attend most to the object the question is about?
for layer in (0, 1):
    hits = mm.grounding_accuracy(model, layer=layer)
    print(f"grounding accuracy, block {layer + 1}: {hits:.1%}")

# The same count for every word of the question, by kind of word (block 1).
samples = [s for s in mm.held_out_samples(500) if s.target >= 0]
_, weights = mm.cross_attention(
    model, [s.scene for s in samples], [s.question for s in samples]
)
peaks = weights[0].mean(1).argmax(-1)  # (B, T): the top cell of each word
kinds = {"colour names": mm.COLOURS, "shape names": mm.SHAPES, "?": ["?"]}
for kind, names in kinds.items():
    hits = [
        int(peaks[b, t]) == s.target
        for b, s in enumerate(samples)
        for t, word in enumerate(s.question)
        if word in names
    ]
    print(f"  peak on the object, {kind}: {sum(hits) / len(hits):.1%}")
