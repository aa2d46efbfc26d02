"""attention_book: attention mechanisms from Bahdanau to FlashAttention, small, typed and tested.

The library behind the attention book. Every from-scratch implementation is tested equal to PyTorch's own
where PyTorch has one. Conventions: batch-first shapes, keep-masks (``True`` = may attend), additive
biases through a separate ``bias`` argument, and zero weights for a query whose keys are all masked.
"""

from .core import masked_softmax, scaled_dot_product_attention
from .kv_cache import KVCache, RollingKVCache
from .masks import causal_mask, combine_masks, padding_mask, padding_mask_from_ids, sliding_window_mask
from .multihead import MultiHeadAttention
from .positional import (
    LearnedPositionalEmbedding,
    RelativePositionBias,
    RotaryEmbedding,
    alibi_bias,
    alibi_slopes,
    relative_position_bucket,
    sinusoidal_encoding,
)
from .scoring import AdditiveAttention, DotProductAttention, MultiplicativeAttention
from .transformer import DecoderBlock, EncoderBlock, FeedForward, Transformer

# isort: split
from . import efficient, tasks, viz
from .efficient import (
    block_sparse_attention,
    block_sparse_mask,
    linear_attention,
    local_attention,
    tiled_attention,
)
from .tasks import (
    train_adding,
    train_deep_stack,
    train_efficient_recall,
    train_extrapolation,
    train_kernel_regression,
    train_language_model,
    train_recall,
    train_reverse,
    train_seq2seq,
    train_tiny_transformer,
    train_translation,
)
from .viz import plot_attention, plot_heads, plot_lines, plot_mask, plot_positional_encoding

__version__ = "0.1.0"

__all__ = [
    # core
    "masked_softmax",
    "scaled_dot_product_attention",
    # masks
    "causal_mask",
    "combine_masks",
    "padding_mask",
    "padding_mask_from_ids",
    "sliding_window_mask",
    # multihead
    "KVCache",
    "MultiHeadAttention",
    "RollingKVCache",
    # positional
    "LearnedPositionalEmbedding",
    "RelativePositionBias",
    "RotaryEmbedding",
    "alibi_bias",
    "alibi_slopes",
    "relative_position_bucket",
    "sinusoidal_encoding",
    # scoring
    "AdditiveAttention",
    "DotProductAttention",
    "MultiplicativeAttention",
    # transformer
    "DecoderBlock",
    "EncoderBlock",
    "FeedForward",
    "Transformer",
    # efficient attention
    "block_sparse_attention",
    "block_sparse_mask",
    "linear_attention",
    "local_attention",
    "tiled_attention",
    # figures
    "plot_attention",
    "plot_heads",
    "plot_lines",
    "plot_mask",
    "plot_positional_encoding",
    # toy tasks
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
    # submodules
    "efficient",
    "tasks",
    "viz",
]
