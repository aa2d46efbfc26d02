# One cross-attention: the words ask, the cells answer. Shapes at each step.
import math

import torch

from attention_book.tasks import multimodal as mm

torch.manual_seed(0)
model = mm.initial_model(seed=0)  # untrained: only the shapes matter here
samples = mm.sample_scenes(torch.Generator().manual_seed(3), 2)
images = mm.render([s.scene for s in samples])
ids = mm.encode_questions([s.question for s in samples])

# Both modalities are projected to the same width d = 32.
cells = model.encode_image(images)  # (B, N, d): 108 pixels -> d per cell
words = model.word_embed(ids) + model.word_position[: ids.shape[1]]
print("cells  (B, N, d):", tuple(cells.shape), "<- keys and values")
print("words  (B, T, d):", tuple(words.shape), "<- queries")

attention = model.blocks[0].cross_attn  # the library's MultiHeadAttention
out, weights = attention(words, cells, cells)  # query, key, value
print("output  (B, T, d):", tuple(out.shape))
print("weights (B, H, T, N):", tuple(weights.shape))
assert torch.allclose(weights.sum(-1), torch.ones(2, 2, ids.shape[1]))
print("each word's weights sum to 1 over the", weights.shape[-1], "cells")

# The same weights by hand for head 0: softmax(Q K^T / sqrt(d_k)).
d_k = attention.head_dim
q = attention.q_proj(words)[..., :d_k]  # (B, T, d_k)
k = attention.k_proj(cells)[..., :d_k]  # (B, N, d_k)
by_hand = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(d_k), dim=-1)
assert torch.allclose(by_hand, weights[:, 0], atol=1e-6)
print("by hand (B, T, N):", tuple(by_hand.shape), "equal to head 0: True")
