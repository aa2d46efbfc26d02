"""Toy tasks for the worked examples: data made on the spot, models that train in seconds on a CPU.

* :mod:`.adding`: add two numbers, printing every step of attention (``Q``, ``K``, ``V``, scores, weights);
* :mod:`.reverse`: reverse or copy a sequence; the learned alignment is the anti-diagonal or the diagonal;
* :mod:`.recall`: associative recall, look up the value stored under a key;
* :mod:`.kernel_regression`: Nadaraya-Watson attention pooling on a 1-D curve, with a learned width;
* :mod:`.seq2seq`: a GRU encoder-decoder with and without attention, the bottleneck that attention removed;
* :mod:`.tiny_transformer`: a small multi-head transformer whose heads can be inspected.

Each has ``train_<task>(seed=0, steps=...) -> (model, history)`` and ``evaluate(model) -> accuracy`` on
held-out data drawn with another seed. Training is seeded and deterministic.
"""

from . import adding, kernel_regression, recall, reverse, seq2seq, tiny_transformer
from ._training import History
from .adding import train_adding
from .kernel_regression import train_kernel_regression
from .recall import train_recall
from .reverse import train_reverse
from .seq2seq import train_seq2seq
from .tiny_transformer import train_tiny_transformer

__all__ = [
    "History",
    "adding",
    "kernel_regression",
    "recall",
    "reverse",
    "seq2seq",
    "tiny_transformer",
    "train_adding",
    "train_kernel_regression",
    "train_recall",
    "train_reverse",
    "train_seq2seq",
    "train_tiny_transformer",
]
