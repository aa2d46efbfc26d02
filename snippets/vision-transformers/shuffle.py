# Shuffle the 4 x 4 tiles of every test image. A ViT without position
# embeddings cannot even notice; one with them loses accuracy, because
# it had learned to use where each patch was.
import torch

from attention_book.tasks.vision import (
    evaluate,
    held_out_images,
    shuffle_patches,
    train_vit,
)

torch.manual_seed(0)
with_positions, _ = train_vit()
without_positions, _ = train_vit(positions=False)

images, _ = held_out_images(200)
shuffled = shuffle_patches(images, 4, torch.Generator().manual_seed(1))
with torch.no_grad():
    gap = (without_positions(images) - without_positions(shuffled)).abs()
assert gap.max() < 1e-4  # the same logits, up to rounding
print(
    "no positions, logits of shuffled images equal (to 1e-4):",
    bool(gap.max() < 1e-4),
)

test_images, labels = held_out_images(1000)  # what evaluate() tests on
dots = labels >= 4  # the two classes that differ only in arrangement
for name, model in (("with", with_positions), ("without", without_positions)):
    print(f"{name} positions, accuracy: {evaluate(model):.3f}")
    shuffled_accuracy = evaluate(model, shuffle=True)
    print(f"{name} positions, accuracy on shuffled: {shuffled_accuracy:.3f}")
    with torch.no_grad():
        right = model(test_images).argmax(-1) == labels
    print(
        f"{name} positions, on the dot pairs: {right[dots].float().mean():.3f}"
    )
