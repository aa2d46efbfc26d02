# Scenes the generator never makes: the object twice, or only look-alikes.
# Where does the "?" word look (block 1, mean of the two heads)?
import torch

from attention_book.tasks import multimodal as mm

torch.manual_seed(0)
model, _ = mm.train_scene_qa()
Scene = mm.Scene
cases = {
    "twice": Scene(((0, "red", "circle"), (15, "red", "circle"),
                    (6, "blue", "square"))),
    "look-alikes": Scene(((10, "red", "circle"), (1, "red", "square"),
                          (6, "blue", "circle"), (13, "green", "triangle"))),
    "absent": Scene(((1, "red", "square"), (6, "blue", "circle"),
                     (13, "green", "triangle"))),
}  # fmt: skip
questions = {
    "twice": ("where", "is", "the", "red", "circle", "?"),
    "look-alikes": ("where", "is", "the", "red", "circle", "?"),
    "absent": ("is", "there", "a", "red", "circle", "?"),
}
for name, scene in cases.items():
    question = questions[name]
    logits, weights = mm.cross_attention(model, [scene], [question])
    row = weights[0, 0, :, -1].mean(0)  # (N,): the "?" word over the cells
    p = logits.softmax(-1)[0].max()
    answer = mm.ANSWERS[logits.argmax()]
    print(f"{name}: {' '.join(question)}  A: {answer} (p={p:.2f})")
    for cell, colour, shape in scene.objects:
        print(f"  cell {cell:2d} {colour:>6} {shape:<8} {row[cell]:.2f}")
    empty = 1 - sum(row[cell] for cell, _, _ in scene.objects)
    print(f"  {'empty cells':<24}{empty:.2f}")
