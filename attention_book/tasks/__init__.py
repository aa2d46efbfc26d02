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
* :mod:`.deep_stack`: deep post-norm and pre-norm stacks: gradients at initialisation, and warm-up;
* :mod:`.grammar_lm`: a tiny causal language model of nested brackets, generating with the KV cache;
* :mod:`.mt_extras`: batched greedy decoding for the toy translation, and what a missing mask does to it;
* :mod:`.multimodal`: questions about a toy picture: the words cross-attend to its cells; grounding measured;
* :mod:`.reversal`: reversal with Bahdanau's bidirectional encoder, whose alignment is the anti-diagonal;
* :mod:`.signals`: a tone burst in noise, found by attention pooling over spectrogram frames; a forecast;
* :mod:`.vision`: a tiny Vision Transformer on shapes drawn by code: patches, class token, positions, rollout.

Each has ``train_<task>(seed=0, steps=...) -> (model, history)`` and ``evaluate(model) -> accuracy`` on
held-out data drawn with another seed. Training is seeded and deterministic.
"""

from . import (
    adding,
    deep_stack,
    extrapolation,
    grammar_lm,
    kernel_regression,
    language_model,
    mt_extras,
    multimodal,
    recall,
    reversal,
    reverse,
    seq2seq,
    signals,
    sparse_linear,
    tiny_transformer,
    translation,
    vision,
)
from ._training import History
from .adding import train_adding
from .deep_stack import train_deep_stack
from .extrapolation import train_extrapolation
from .grammar_lm import train_grammar_lm
from .kernel_regression import train_kernel_regression
from .language_model import train_language_model
from .mt_extras import train_without_causal_mask
from .multimodal import train_scene_qa
from .recall import train_recall
from .reversal import train_reversal
from .reverse import train_reverse
from .seq2seq import train_seq2seq
from .signals import train_burst, train_forecaster
from .sparse_linear import train_efficient_recall
from .tiny_transformer import train_tiny_transformer
from .translation import train_translation
from .vision import train_cnn, train_vit

__all__ = [
    "History",
    "adding",
    "deep_stack",
    "extrapolation",
    "grammar_lm",
    "kernel_regression",
    "language_model",
    "mt_extras",
    "multimodal",
    "recall",
    "reversal",
    "reverse",
    "seq2seq",
    "signals",
    "sparse_linear",
    "tiny_transformer",
    "translation",
    "vision",
    "train_adding",
    "train_burst",
    "train_cnn",
    "train_deep_stack",
    "train_efficient_recall",
    "train_extrapolation",
    "train_forecaster",
    "train_grammar_lm",
    "train_kernel_regression",
    "train_language_model",
    "train_recall",
    "train_reversal",
    "train_reverse",
    "train_scene_qa",
    "train_seq2seq",
    "train_tiny_transformer",
    "train_translation",
    "train_vit",
    "train_without_causal_mask",
]
