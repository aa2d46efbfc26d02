# Where does the trained model's class token look? Its attention to the
# 36 patches in the last layer (mean of the 4 heads), and attention
# rollout, which follows the weights through both layers.
import torch

from attention_book.tasks.vision import (
    CLASSES,
    attention_rollout,
    held_out_images,
    train_vit,
)

torch.set_printoptions(precision=2, sci_mode=False)
torch.manual_seed(0)
model, _ = train_vit()
images, labels = held_out_images(500)  # (500, 1, 24, 24)
with torch.no_grad():
    logits, weights = model.forward_with_weights(images)  # (2, B, 4, 37, 37)
last = weights[-1].mean(1)[:, 0, 1:]  # (B, 36): class token -> patches
rollout = attention_rollout(weights)[:, 0, 1:]  # (B, 36)

print(
    f"image 0: {CLASSES[labels[0]]}, predicted: {CLASSES[logits[0].argmax()]}"
)
print("last layer, class token -> patches (6 x 6 grid):")
print(last[0].view(6, 6))
print(f"weight the class token keeps on itself: {weights[-1, 0, :, 0, 0]}")

# Which patches hold part of the shape? The same images without noise.
clean, _ = held_out_images(500, clean=True)
on_shape = clean.unfold(2, 4, 4).unfold(3, 4, 4).amax((-1, -2)) > 0
on_shape = on_shape.flatten(1)  # (B, 36): True where the patch has shape


def share(maps: torch.Tensor) -> float:
    """Mean share of the patch weights that falls on the shape's patches."""
    maps = maps / maps.sum(-1, keepdim=True)
    return (maps * on_shape).sum(-1).mean().item()


print(f"patches that hold the shape: {on_shape.float().mean():.2f}")
print(f"attention on them, last layer: {share(last):.2f}")
print(f"attention on them, rollout: {share(rollout):.2f}")
