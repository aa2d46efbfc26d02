# One forward pass of the page's ViT, shape by shape.
import torch

from attention_book.tasks.vision import VisionTransformer, make_images

torch.manual_seed(0)
model = VisionTransformer(
    image_size=24, patch_size=4, d_model=32, num_heads=4, num_layers=2
).eval()
images, _ = make_images(torch.Generator().manual_seed(0), batch_size=8)
print("images:          ", tuple(images.shape))  # (B, C, H, W)

patches = model.patch_embed(images)  # (B, N, d)
print("patch tokens:    ", tuple(patches.shape))
print("class token:     ", tuple(model.cls_token.shape))  # (1, 1, d)
assert model.positions is not None
print("position table:  ", tuple(model.positions.shape))  # (1, N + 1, d)

z = model.embed(images)  # class token in front, positions added
print("encoder input z0:", tuple(z.shape))  # (B, N + 1, d)
for block in model.blocks:
    z = block(z)  # a pre-norm EncoderBlock: (B, N + 1, d) -> same
print("encoder output:  ", tuple(z.shape))
logits = model.head(model.norm(z[:, 0]))  # read the class token only
print("logits:          ", tuple(logits.shape))  # (B, classes)

same, weights = model.forward_with_weights(images)
assert torch.allclose(same, logits, atol=1e-6)
print("weights:         ", tuple(weights.shape))  # (layers, B, H, T, T)
parameters = sum(p.numel() for p in model.parameters())
print(f"parameters: {parameters:,}")
