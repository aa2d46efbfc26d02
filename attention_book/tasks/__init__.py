"""Toy tasks for the worked examples: data made on the spot, models that train in seconds on a CPU.

* :mod:`.adding`: add two numbers, printing every step of attention (``Q``, ``K``, ``V``, scores, weights);
* :mod:`.reverse`: reverse or copy a sequence; the learned alignment is the anti-diagonal or the diagonal;
* :mod:`.recall`: associative recall, look up the value stored under a key.

Each has ``train_<task>(seed=0, steps=...) -> (model, history)`` and ``evaluate(model) -> accuracy`` on
held-out data drawn with another seed. Training is seeded and deterministic.
"""

from . import adding, recall, reverse
from ._training import History
from .adding import train_adding
from .recall import train_recall
from .reverse import train_reverse

__all__ = ["History", "adding", "recall", "reverse", "train_adding", "train_recall", "train_reverse"]
