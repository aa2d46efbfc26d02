# Train the page's ViT on fresh synthetic images (cached after the first
# run), then test it on 1000 images it has never seen.
import torch

from attention_book.tasks.vision import CLASSES, evaluate, train_vit

torch.manual_seed(0)
model, history = train_vit()  # seed 0: 350 steps of 128 images, Adam
print("classes:", ", ".join(CLASSES))
print(
    f"loss: {history.losses[0]:.2f} at step 1, "
    f"{history.losses[-1]:.2f} at step {history.steps}"
)
print(f"chance accuracy: {1 / len(CLASSES):.3f}")
print(f"held-out accuracy: {evaluate(model, num_images=1000):.3f}")
