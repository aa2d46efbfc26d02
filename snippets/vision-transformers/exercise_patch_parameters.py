# The patch embedding of ViT-Base (d = 768) on RGB images, for p = 16
# and p = 8: its weights, and the tokens it makes from 224 x 224 pixels.
import torch

from attention_book.tasks.vision import PatchEmbedding

torch.manual_seed(0)
for p in (16, 8):
    embed = PatchEmbedding(patch_size=p, channels=3, d_model=768)
    count = sum(w.numel() for w in embed.parameters())
    assert count == 3 * p * p * 768 + 768  # weight (3 p p x 768) + bias
    conv = embed.as_conv()
    assert count == sum(w.numel() for w in conv.parameters())
    tokens = embed(torch.zeros(1, 3, 224, 224)).shape[1] + 1
    print(f"p = {p:2d}: {count:,} parameters, {tokens} tokens")
