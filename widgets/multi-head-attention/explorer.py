"""The attention explorer on the tiny transformer of the chapter: every layer and head, one sequence.

The same model and held-out sequence as figures/multi-head-attention/trained_heads.py, which is the
static figure of these weights on the page (FIGURE).
"""

from typing import Any

import torch

from attention_book import widgets
from attention_book.tasks import tiny_transformer as tt

FIGURE = "multi-head-attention/trained_heads"
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEF"  # token id -> a letter, as in the listings; BOS is ^


def data() -> dict[str, Any]:
    model, _ = tt.train_tiny_transformer(seed=0)  # the model of trained_heads.py
    sequence, _ = tt.held_out_batch(num_sequences=1)  # (1, T)
    with torch.no_grad():
        _, weights = model.eval().forward_with_weights(sequence)  # (layers, 1, H, T, T)
    tokens = ["^"] + [LETTERS[i] for i in sequence[0, 1:].tolist()]
    return widgets.explorer_data({"trained": weights[:, 0]}, tokens, layer=1, head=1)
