"""Attention weights of the four-token example in the chapter, as a heatmap."""

import torch
from matplotlib.figure import Figure
from torch import nn

from attention_book import scaled_dot_product_attention
from attention_book.viz import plot_attention

TOKENS = ["the", "river", "bank", "flooded"]


def draw() -> Figure:
    torch.manual_seed(0)
    d_model, d_k = 8, 4
    x = torch.randn(len(TOKENS), d_model)  # the same embeddings and projections as project_qkv.py
    to_query, to_key, to_value = (nn.Linear(d_model, d_k, bias=False) for _ in range(3))
    with torch.no_grad():
        _, weights = scaled_dot_product_attention(to_query(x), to_key(x), to_value(x))
    return plot_attention(weights, row_labels=TOKENS, col_labels=TOKENS, title="softmax(q kᵀ / √d_k)")
