# Two shape errors a ViT meets: a patch size that does not divide the
# image, and an image of another size than the position table was made
# for.
import torch

from attention_book.tasks.vision import VisionTransformer, patchify

torch.manual_seed(0)
try:
    patchify(torch.zeros(1, 1, 24, 24), patch_size=5)
except ValueError as error:
    print("ValueError:", error)

model = VisionTransformer(image_size=24, patch_size=4)  # 36 patches + 1
try:
    model(torch.zeros(1, 1, 32, 32))  # 64 patches
except ValueError as error:
    print("ValueError:", error)
