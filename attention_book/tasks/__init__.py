"""Toy tasks for the worked examples: data made on the spot, models that train in seconds on a CPU.

* :mod:`.adding`: add two numbers, printing every step of attention (``Q``, ``K``, ``V``, scores, weights);
* :mod:`.reverse`: reverse or copy a sequence; the learned alignment is the anti-diagonal or the diagonal;
* :mod:`.recall`: associative recall, look up the value stored under a key;
* :mod:`.kernel_regression`: Nadaraya-Watson attention pooling on a 1-D curve, with a learned width;
* :mod:`.seq2seq`: a GRU encoder-decoder with and without attention, the bottleneck that attention removed;
* :mod:`.tiny_transformer`: a small multi-head transformer whose heads can be inspected;
* :mod:`.extrapolation`: continue a periodic sequence past the trained length, with five position schemes;
* :mod:`.sparse_linear`: associative recall with softmax, linear and local attention, side by side;
* :mod:`.language_model`: a tiny causal language model that generates with the KV cache, and streams;
* :mod:`.translation`: a toy translation with reordering and agreement, for an encoder-decoder Transformer;
* :mod:`.deep_stack`: deep post-norm and pre-norm stacks: gradients at initialisation, and warm-up.

Each has ``train_<task>(seed=0, steps=...) -> (model, history)`` and ``evaluate(model) -> accuracy`` on
held-out data drawn with another seed. Training is seeded and deterministic.
"""

from . import (
    adding,
    deep_stack,
    extrapolation,
    kernel_regression,
    language_model,
    recall,
    reverse,
    seq2seq,
    sparse_linear,
    tiny_transformer,
    translation,
)
from ._training import History
from .adding import train_adding
from .deep_stack import train_deep_stack
from .extrapolation import train_extrapolation
from .kernel_regression import train_kernel_regression
from .language_model import train_language_model
from .recall import train_recall
from .reverse import train_reverse
from .seq2seq import train_seq2seq
from .sparse_linear import train_efficient_recall
from .tiny_transformer import train_tiny_transformer
from .translation import train_translation

__all__ = [
    "History",
    "adding",
    "deep_stack",
    "extrapolation",
    "kernel_regression",
    "language_model",
    "recall",
    "reverse",
    "seq2seq",
    "sparse_linear",
    "tiny_transformer",
    "translation",
    "train_adding",
    "train_deep_stack",
    "train_efficient_recall",
    "train_extrapolation",
    "train_kernel_regression",
    "train_language_model",
    "train_recall",
    "train_reverse",
    "train_seq2seq",
    "train_tiny_transformer",
    "train_translation",
]
