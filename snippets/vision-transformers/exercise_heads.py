# Which heads look at the shape? For every layer and head, the share of
# the class token's patch weights that falls on patches holding the shape.
import torch

from attention_book.tasks.vision import (
    cls_attention,
    held_out_images,
    train_vit,
)

torch.manual_seed(0)
model, _ = train_vit()
images, _ = held_out_images(500)
clean, _ = held_out_images(500, clean=True)
on_shape = clean.unfold(2, 4, 4).unfold(3, 4, 4).amax((-1, -2)) > 0
maps = cls_attention(model, images)  # (layers, B, heads, 6, 6)
maps = maps / maps.sum((-1, -2), keepdim=True)  # share of the patches
share = (maps * on_shape[None, :, :, :, :]).sum((-1, -2)).mean(1)
print(f"uniform attention would give: {on_shape.float().mean():.2f}")
for layer, row in enumerate(share):
    print(
        f"layer {layer}:",
        "  ".join(f"head {h} {s:.2f}" for h, s in enumerate(row.tolist())),
    )
best = int(share[-1].argmax())
print(f"most shape-bound head of the last layer: head {best}")
