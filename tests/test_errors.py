"""Bad input raises ValueError naming the argument, what was expected, and what was given."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import pytest
import torch
from torch import nn

from attention_book import (
    AdditiveAttention,
    EncoderBlock,
    KVCache,
    LearnedPositionalEmbedding,
    MultiHeadAttention,
    MultiplicativeAttention,
    RollingKVCache,
    RotaryEmbedding,
    causal_mask,
    combine_masks,
    padding_mask,
    scaled_dot_product_attention,
    sinusoidal_encoding,
)
from attention_book._checks import broadcast_shapes

q = torch.randn(2, 4, 5, 8)  # (B, H, L, E)
k = torch.randn(2, 4, 7, 8)  # (B, H, S, E)
v = torch.randn(2, 4, 7, 6)  # (B, H, S, Ev)
x = torch.randn(2, 5, 16)  # (B, L, d_model)


def mha() -> MultiHeadAttention:
    return MultiHeadAttention(16, 4)


def _grow_with(new_keys: torch.Tensor) -> None:
    """Append (1, 2, 3, 4) keys and values to a fresh cache, then ``new_keys`` (and values alike)."""
    cache = KVCache()
    cache.append(torch.randn(1, 2, 3, 4), torch.randn(1, 2, 3, 4))
    cache.append(new_keys, torch.randn_like(new_keys))


CASES: dict[str, tuple[Callable[[], object], str]] = {
    # scaled_dot_product_attention
    "query-not-a-tensor": (
        lambda: scaled_dot_product_attention([[1.0]], k, v),
        "query: expected a torch.Tensor, got list",
    ),
    "key-last-dim": (
        lambda: scaled_dot_product_attention(q, k[..., :3], v),
        r"key: expected last dimension 8",
    ),
    "value-length": (lambda: scaled_dot_product_attention(q, k, v[..., :3, :]), r"value: expected length 7"),
    "batch-broadcast": (
        lambda: scaled_dot_product_attention(q, torch.randn(3, 4, 7, 8), torch.randn(3, 4, 7, 6)),
        re.escape(
            "key: expected batch dimensions that broadcast with the query's (2, 4), got key (3, 4, 7, 8)"
        ),
    ),
    "mask-broadcast": (
        lambda: scaled_dot_product_attention(q, k, v, torch.ones(3, 5, dtype=torch.bool)),
        re.escape("mask: expected a shape that broadcasts to (2, 4, 5, 7), got (3, 5)"),
    ),
    "bias-broadcast": (
        lambda: scaled_dot_product_attention(q, k, v, bias=torch.zeros(5, 6)),
        r"bias: .*\(5, 6\)",
    ),
    "dtype-mismatch": (lambda: scaled_dot_product_attention(q, k.double(), v), r"key: .*dtype"),
    "dropout-p": (lambda: scaled_dot_product_attention(q, k, v, dropout_p=1.5), r"dropout_p: .*1\.5"),
    "causal-offset-without-causal": (
        lambda: scaled_dot_product_attention(q, k, v, causal_offset=2),
        r"causal_offset: expected 0 unless is_causal=True, got 2",
    ),
    "gqa-heads": (
        lambda: scaled_dot_product_attention(q, k[:, :3], v[:, :3], enable_gqa=True),
        re.escape(
            "key: expected a number of heads (dimension -3) that divides the query's 4, got shape (2, 3"
        ),
    ),
    "gqa-value-heads": (
        lambda: scaled_dot_product_attention(q, k[:, :2], v, enable_gqa=True),
        r"value: expected 2 heads",
    ),
    "gqa-2d": (
        lambda: scaled_dot_product_attention(q[0, 0], k[0, 0], v[0, 0], enable_gqa=True),
        r"query: expected a tensor of shape \(\.\.\., heads, length, dim\)",
    ),
    # MultiHeadAttention
    "d_model-not-divisible": (
        lambda: MultiHeadAttention(10, 4),
        r"num_heads: expected a divisor of d_model=10",
    ),
    "kv-heads-not-divisor": (lambda: MultiHeadAttention(16, 4, num_kv_heads=3), r"num_kv_heads: .*got 3"),
    "mha-query-width": (lambda: mha()(torch.randn(2, 5, 12)), r"query: expected last dimension d_model=16"),
    "mha-key-width": (lambda: mha()(x, torch.randn(2, 7, 8)), r"key: expected last dimension d_model=16"),
    "mha-batch": (lambda: mha()(x, torch.randn(3, 7, 16)), r"key: expected batch size 2"),
    "mha-kv-length": (
        lambda: mha()(x, torch.randn(2, 7, 16), torch.randn(2, 6, 16)),
        r"value: expected length 7",
    ),
    "mha-mask": (
        lambda: mha()(x, mask=torch.ones(4, 4)),
        re.escape("mask: expected a shape that broadcasts to (5, 5)"),
    ),
    "mha-not-a-tensor": (lambda: mha()("hello"), r"query: expected a torch.Tensor, got str"),
    "mha-2d-input": (lambda: mha()(torch.randn(5, 16)), r"query: expected a tensor of shape \(B, length"),
    "mha-from-torch-kdim": (
        lambda: MultiHeadAttention.from_torch(nn.MultiheadAttention(16, 4, kdim=8)),
        "module:",
    ),
    "mha-bias": (
        lambda: mha()(x, bias=torch.zeros(3, 5, 5)),
        re.escape("bias: expected a shape that broadcasts to (2, 4, 5, 5), got (3, 5, 5)"),
    ),
    "mha-cache-type": (
        lambda: mha()(x, cache=[]),
        r"cache: expected a KVCache or a RollingKVCache, got list",
    ),
    "mha-rolling-not-causal": (
        lambda: mha()(x, cache=RollingKVCache(4)),
        r"is_causal: expected True with a RollingKVCache",
    ),
    "mha-rolling-mask": (
        lambda: mha()(x, mask=torch.ones(5, 5), cache=RollingKVCache(4), is_causal=True),
        r"mask: expected None with a RollingKVCache",
    ),
    "rolling-window": (lambda: RollingKVCache(0), r"window: expected a positive integer, got 0"),
    "rolling-sinks": (lambda: RollingKVCache(4, sinks=-1), r"sinks: expected a non-negative integer, got -1"),
    "kv-cache-capacity": (lambda: KVCache(capacity=-3), r"capacity: expected a positive integer, got -3"),
    "kv-cache-mismatch": (
        lambda: _grow_with(torch.randn(1, 3, 1, 4)),
        re.escape("keys: expected shape (1, 2, T, 4) to match the cache, got (1, 3, 1, 4)"),
    ),
    "kv-cache-dtype": (
        lambda: _grow_with(torch.randn(1, 2, 1, 4, dtype=torch.float64)),
        r"keys: expected dtype torch.float32 on cpu to match the cache, got torch.float64 on cpu",
    ),
    "kv-cache-shape": (
        lambda: KVCache().update(torch.randn(1, 2, 3, 4), torch.randn(1, 3, 3, 4)),
        r"values: expected shape \(1, 2, 3, Dv\)",
    ),
    # masks
    "causal-length": (lambda: causal_mask(0), r"L: expected a positive integer, got 0"),
    "padding-lengths": (
        lambda: padding_mask(torch.tensor([2, 9]), 4),
        r"lengths: expected values in \[0, 4\]",
    ),
    "combine-broadcast": (
        lambda: combine_masks(torch.ones(3, 3), torch.ones(4, 4)),
        r"masks\[1\]: .*\(4, 4\)",
    ),
    # scoring
    "luong-dot-dims": (
        lambda: MultiplicativeAttention(4, 6, "dot"),
        r"key_dim: expected key_dim == query_dim",
    ),
    "luong-score-name": (lambda: MultiplicativeAttention(4, 6, "cosine"), r"score: .*'cosine'"),
    "bahdanau-query-width": (
        lambda: AdditiveAttention(4, 6, 8)(torch.randn(2, 5), torch.randn(2, 3, 6), torch.randn(2, 3, 6)),
        r"query: expected last dimension 4",
    ),
    "bahdanau-mask": (
        lambda: AdditiveAttention(4, 6, 8)(
            torch.randn(2, 4), torch.randn(2, 3, 6), torch.randn(2, 3, 6), torch.ones(2, 5)
        ),
        re.escape("mask: expected a shape that broadcasts to (2, 3), got (2, 5)"),
    ),
    # positional
    "sinusoidal-odd": (lambda: sinusoidal_encoding(4, 7), r"d_model: expected an even number"),
    "rope-odd": (lambda: RotaryEmbedding(7), r"head_dim: expected an even number"),
    "rope-width": (
        lambda: RotaryEmbedding(8).rotate(torch.randn(3, 6)),
        r"x: expected a shape \(\.\.\., T, 8\)",
    ),
    "learned-too-long": (
        lambda: LearnedPositionalEmbedding(4, 16)(x),
        r"offset: expected offset \+ T <= max_len=4",
    ),
    # transformer
    "from-torch-type": (
        lambda: EncoderBlock.from_torch(nn.Linear(2, 2)),
        r"layer: expected an nn.TransformerEncoderLayer",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_raises_value_error_naming_the_argument(case: str):
    call, message = CASES[case]
    with pytest.raises(ValueError, match=message):
        call()


def test_broadcast_shapes_agrees_with_torch():
    """The plain-Python broadcast rule the checks use gives torch's shape, or None where torch refuses."""
    rng = random.Random(0)
    for _ in range(1000):
        shapes = [
            tuple(rng.choice((0, 1, 1, 2, 3)) for _ in range(rng.randint(0, 3)))
            for _ in range(rng.randint(1, 3))
        ]
        try:
            expected: tuple[int, ...] | None = tuple(torch.broadcast_shapes(*shapes))
        except RuntimeError:
            expected = None
        assert broadcast_shapes(*shapes) == expected, shapes
