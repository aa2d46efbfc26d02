# Cut images into patches, and check that "flatten each patch, then one
# linear layer" is exactly a convolution with kernel p and stride p.
import torch

from attention_book.tasks.vision import PatchEmbedding, make_images, patchify

torch.manual_seed(0)
images, labels = make_images(torch.Generator().manual_seed(0), batch_size=8)
print("images:", tuple(images.shape))  # (B, C, H, W)

p = 4
patches = patchify(images, p)  # (B, N, C p p), N = (24 / 4) ** 2 = 36
print("patches:", tuple(patches.shape))
# Patch 1 is the second patch of the first row: rows 0-3, columns 4-7.
assert torch.equal(patches[0, 1], images[0, 0, 0:4, 4:8].flatten())

embed = PatchEmbedding(patch_size=p, channels=1, d_model=32)
tokens = embed(images)  # (B, N, d)
print("patch tokens:", tuple(tokens.shape))

conv = embed.as_conv()  # nn.Conv2d(1, 32, kernel_size=4, stride=4)
feature_map = conv(images)  # (B, d, 6, 6): one column of d numbers per patch
print("Conv2d output:", tuple(feature_map.shape))
as_tokens = feature_map.flatten(2).transpose(1, 2)  # (B, 36, d)
gap = (tokens - as_tokens).abs().max().item()
assert gap < 1e-5
print(f"largest difference, linear vs Conv2d: {gap:.1e}")
