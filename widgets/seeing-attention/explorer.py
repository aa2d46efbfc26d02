"""The attention explorer on the tiny transformer, before and after training, on one held-out sequence.

The same models and sequence as figures/seeing-attention/before_after.py, the static figure on the page
(FIGURE), which shows two of these heads; the explorer starts on the clearest induction head.
"""

from typing import Any

import torch

from attention_book import widgets
from attention_book.tasks import tiny_transformer as tt

FIGURE = "seeing-attention/before_after"
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEF"  # token id -> a letter, as in reading.py; BOS is ^


def data() -> dict[str, Any]:
    trained, _ = tt.train_tiny_transformer(seed=0)  # the model of trained_patterns.py
    untrained = tt.initial_model(seed=0)  # the same weights before the first step
    induction = int(tt.measure_heads(trained)["induction"][1].argmax())
    sequence, _ = tt.held_out_batch(num_sequences=1)  # (1, T)
    weights = {}
    for name, model in (("after training", trained), ("before training", untrained)):
        with torch.no_grad():
            _, w = model.eval().forward_with_weights(sequence)  # (layers, 1, H, T, T)
        weights[name] = w[:, 0]
    tokens = ["^"] + [LETTERS[i] for i in sequence[0, 1:].tolist()]
    return widgets.explorer_data(weights, tokens, layer=1, head=induction)
