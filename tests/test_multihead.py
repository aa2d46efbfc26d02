"""Multi-head attention against nn.MultiheadAttention, GQA against enable_gqa, and the KV caches."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import attention_book.core
import attention_book.multihead
from attention_book import (
    KVCache,
    MultiHeadAttention,
    RollingKVCache,
    causal_mask,
    padding_mask,
    sliding_window_mask,
)

B, L, S, E, H = 2, 5, 7, 16, 4
TOL = {"atol": 1e-5, "rtol": 1e-5}


def randn(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def torch_pair(batch_first: bool = True, bias: bool = True):
    torch.manual_seed(0)
    theirs = nn.MultiheadAttention(E, H, batch_first=batch_first, bias=bias).eval()
    return theirs, MultiHeadAttention.from_torch(theirs).eval()


def test_the_book_examples_run():
    x = randn(2, 10, 512)
    attn = MultiHeadAttention(d_model=512, num_heads=8)
    out, w = attn(query=x, key=x, value=x)
    assert out.shape == (2, 10, 512) and w is not None and w.shape == (2, 8, 10, 10)
    out, w = attn(query=x, key=x, value=x, mask=torch.tril(torch.ones(10, 10)))
    assert w is not None and torch.all(w[..., 0, 1:] == 0)
    memory = randn(2, 13, 512, seed=1)
    out, w = attn(query=x, key=memory, value=memory)
    assert out.shape == (2, 10, 512) and w is not None and w.shape == (2, 8, 10, 13)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("batch_first", [True, False])
def test_self_attention_matches_torch(batch_first: bool, bias: bool):
    theirs, ours = torch_pair(batch_first, bias)
    x = randn(B, L, E)
    x_theirs = x if batch_first else x.transpose(0, 1)
    expected, expected_weights = theirs(x_theirs, x_theirs, x_theirs)
    if not batch_first:
        expected = expected.transpose(0, 1)
    out, weights = ours(x)
    assert weights is not None
    torch.testing.assert_close(out, expected, **TOL)
    torch.testing.assert_close(weights.mean(1), expected_weights, **TOL)


def test_cross_attention_with_masks_matches_torch():
    theirs, ours = torch_pair()
    x, memory = randn(B, L, E), randn(B, S, E, seed=1)
    keep = randn(L, S, seed=2) > 0
    keep[:, 0] = True
    lengths = torch.tensor([S, 4])
    # nn.MultiheadAttention's bool masks mean True = masked: the opposite of ours.
    expected, expected_weights = theirs(
        x, memory, memory, attn_mask=~keep, key_padding_mask=~padding_mask(lengths, S)[:, 0]
    )
    our_mask = keep & padding_mask(lengths, S)  # (B, L, S)
    for need_weights in (True, False):
        out, weights = ours(x, memory, memory, our_mask, need_weights=need_weights)
        torch.testing.assert_close(out, expected, **TOL)
        if need_weights:
            assert weights is not None
            torch.testing.assert_close(weights.mean(1), expected_weights, **TOL)


def test_float_attn_mask_of_torch_is_our_bias():
    theirs, ours = torch_pair()
    x = randn(B, L, E)
    additive = randn(L, L, seed=3)
    expected, _ = theirs(x, x, x, attn_mask=additive)
    out, _ = ours(x, bias=additive)
    torch.testing.assert_close(out, expected, **TOL)


def test_causal_matches_torch_and_float_keep_mask():
    theirs, ours = torch_pair()
    x = randn(B, L, E)
    expected, _ = theirs(x, x, x, attn_mask=~causal_mask(L))
    torch.testing.assert_close(ours(x, is_causal=True)[0], expected, **TOL)
    torch.testing.assert_close(ours(x, mask=torch.tril(torch.ones(L, L)))[0], expected, **TOL)


def test_per_head_mask_and_fully_masked_query():
    _, ours = torch_pair()
    x = randn(B, L, E)
    keep = torch.ones(B, H, L, L, dtype=torch.bool)
    keep[0, 1, 2] = False  # head 1 of sequence 0: query 2 sees nothing
    _, weights = ours(x, mask=keep)
    assert weights is not None and not weights.isnan().any()
    assert torch.all(weights[0, 1, 2] == 0)
    torch.testing.assert_close(weights[0, 0, 2].sum(), torch.tensor(1.0))


@pytest.mark.parametrize("num_kv_heads", [1, 2, 4])
def test_grouped_query_attention_matches_enable_gqa(num_kv_heads: int):
    torch.manual_seed(0)
    attn = MultiHeadAttention(E, H, num_kv_heads=num_kv_heads).eval()
    x, memory = randn(B, L, E), randn(B, S, E, seed=1)
    D = E // H
    q = attn.q_proj(x).view(B, L, H, D).transpose(1, 2)
    k = attn.k_proj(memory).view(B, S, num_kv_heads, D).transpose(1, 2)
    v = attn.v_proj(memory).view(B, S, num_kv_heads, D).transpose(1, 2)
    heads = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    expected = attn.out_proj(heads.transpose(1, 2).reshape(B, L, E))
    for need_weights in (True, False):
        out, _ = attn(x, memory, need_weights=need_weights)
        torch.testing.assert_close(out, expected, **TOL)


@pytest.mark.parametrize("num_kv_heads", [1, 2, 4])
def test_kv_cache_decoding_equals_full_causal_forward(num_kv_heads: int):
    torch.manual_seed(0)
    attn = MultiHeadAttention(E, H, num_kv_heads=num_kv_heads).eval()
    x = randn(B, 9, E)
    full, _ = attn(x, is_causal=True)

    cache = KVCache()
    prefill, _ = attn(x[:, :3], is_causal=True, cache=cache)  # a prompt of 3 tokens at once
    steps = [prefill]
    for t in range(3, 9):  # then one token at a time
        out, weights = attn(x[:, t : t + 1], is_causal=True, cache=cache)
        assert weights is not None and weights.shape == (B, H, 1, t + 1)
        steps.append(out)
    assert len(cache) == 9
    torch.testing.assert_close(torch.cat(steps, dim=1), full, **TOL)


def test_kv_cache_nbytes_shrinks_by_head_ratio():
    x = randn(B, 6, E)
    sizes = {}
    for num_kv_heads in (4, 1):
        torch.manual_seed(0)
        attn = MultiHeadAttention(E, H, num_kv_heads=num_kv_heads)
        cache = KVCache()
        attn(x, cache=cache, is_causal=True)
        sizes[num_kv_heads] = cache.nbytes
    assert sizes[4] == 2 * B * H * 6 * (E // H) * 4  # keys and values, float32
    assert sizes[4] / sizes[1] == H / 1


def test_kv_cache_reset_and_update():
    cache = KVCache()
    assert len(cache) == 0 and cache.nbytes == 0
    keys, values = cache.update(randn(1, 2, 3, 4), randn(1, 2, 3, 4))
    keys, values = cache.update(randn(1, 2, 1, 4), randn(1, 2, 1, 4))
    assert keys.shape == values.shape == (1, 2, 4, 4) and len(cache) == 4
    cache.reset()
    assert len(cache) == 0 and cache.keys is None


def test_dropout_only_in_training():
    torch.manual_seed(0)
    attn = MultiHeadAttention(E, H, dropout=0.5)
    x = randn(B, L, E)
    attn.eval()
    torch.testing.assert_close(attn(x)[0], attn(x)[0])
    attn.train()
    _, weights = attn(x)
    assert weights is not None and (weights == 0).any()


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("num_kv_heads", [1, 2, 4])
def test_kv_cache_chunks_of_any_length_equal_the_full_forward(num_kv_heads: int, need_weights: bool):
    """A prompt, then chunks of several tokens (bottom-right causal), then single tokens."""
    torch.manual_seed(0)
    attn = MultiHeadAttention(E, H, num_kv_heads=num_kv_heads).eval()
    x = randn(B, 12, E)
    full, _ = attn(x, is_causal=True)
    cache = KVCache()
    steps, start = [], 0
    for length in (3, 4, 1, 2, 1, 1):
        out, _ = attn(x[:, start : start + length], is_causal=True, cache=cache, need_weights=need_weights)
        steps.append(out)
        start += length
    torch.testing.assert_close(torch.cat(steps, dim=1), full, **TOL)


def test_kv_cache_with_a_padding_mask_equals_the_full_forward():
    torch.manual_seed(0)
    attn = MultiHeadAttention(E, H).eval()
    x = randn(B, 6, E)
    keep = padding_mask(torch.tensor([6, 4]), 6)  # (B, 1, S): sequence 1 has two padding tokens
    full, _ = attn(x, mask=keep, is_causal=True)
    cache = KVCache()
    first, _ = attn(x[:, :4], mask=keep[..., :4], is_causal=True, cache=cache)
    second, _ = attn(x[:, 4:], mask=keep, is_causal=True, cache=cache)
    torch.testing.assert_close(torch.cat([first, second], dim=1), full, **TOL)


def test_kv_cache_grows_geometrically_and_copies_only_when_full():
    cache = KVCache()
    reallocations, pointer = 0, None
    for t in range(1, 1001):
        cache.append(randn(1, 2, 1, 4, seed=t), randn(1, 2, 1, 4, seed=-t))
        assert cache.keys is not None and len(cache) == t <= cache.capacity < 2 * t
        if cache.keys.data_ptr() != pointer:
            reallocations, pointer = reallocations + 1, cache.keys.data_ptr()
    assert reallocations == 11  # capacities 1, 2, 4, ..., 1024: 11 allocations for 1000 appends
    assert cache.keys is not None and cache.values is not None
    torch.testing.assert_close(cache.keys[:, :, 499], randn(1, 2, 1, 4, seed=500)[:, :, 0])
    torch.testing.assert_close(cache.values[:, :, 999], randn(1, 2, 1, 4, seed=-1000)[:, :, 0])
    assert cache.nbytes == 2 * 1 * 2 * 1000 * 4 * 4


def test_kv_cache_with_a_capacity_never_reallocates():
    cache = KVCache(capacity=16)
    cache.append(randn(1, 2, 3, 4), randn(1, 2, 3, 4))
    assert cache.keys is not None
    pointer = cache.keys.data_ptr()
    for _ in range(13):
        cache.append(randn(1, 2, 1, 4), randn(1, 2, 1, 4))
    assert cache.keys.data_ptr() == pointer and len(cache) == cache.capacity == 16


def window_and_sinks_mask(T: int, window: int, sinks: int) -> torch.Tensor:
    """(T, T) keep-mask: causal, and within the last ``window`` positions or among the first ``sinks``."""
    sink_columns = causal_mask(T) & (torch.arange(T) < sinks)[None, :]
    return sliding_window_mask(T, window) | sink_columns


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("num_kv_heads", [1, 2])
@pytest.mark.parametrize("window, sinks", [(1, 0), (3, 0), (4, 2), (2, 1), (20, 3)])
def test_rolling_cache_decoding_equals_sliding_window_forward(
    window: int, sinks: int, num_kv_heads: int, need_weights: bool
):
    torch.manual_seed(0)
    attn = MultiHeadAttention(E, H, num_kv_heads=num_kv_heads).eval()
    T = 14
    x = randn(B, T, E)
    full, full_weights = attn(x, mask=window_and_sinks_mask(T, window, sinks))
    assert full_weights is not None
    cache = RollingKVCache(window, sinks=sinks)
    for t in range(T):  # one token at a time
        out, weights = attn(x[:, t : t + 1], is_causal=True, cache=cache, need_weights=need_weights)
        torch.testing.assert_close(out, full[:, t : t + 1], **TOL)
        assert len(cache) == min(t + 1, window + sinks)
        if need_weights:  # the weights follow the cache's slot order; cache.positions says which key is which
            assert weights is not None
            torch.testing.assert_close(weights[:, :, 0], full_weights[:, :, t, cache.positions], **TOL)
    assert cache.nbytes == 2 * B * num_kv_heads * min(T, window + sinks) * (E // H) * 4


@pytest.mark.parametrize("window, sinks", [(3, 0), (4, 2), (2, 1)])
def test_rolling_cache_prompts_longer_than_the_window(window: int, sinks: int):
    """A prompt, a chunk, then single tokens: every chunk sees the keys of its own windows."""
    torch.manual_seed(0)
    attn = MultiHeadAttention(E, H, num_kv_heads=2).eval()
    T = 16
    x = randn(B, T, E)
    full, _ = attn(x, mask=window_and_sinks_mask(T, window, sinks))
    cache = RollingKVCache(window, sinks=sinks)
    steps, start = [], 0
    for length in (7, 1, 5, 1, 2):
        out, _ = attn(x[:, start : start + length], is_causal=True, cache=cache, need_weights=start % 2 == 0)
        steps.append(out)
        start += length
        assert len(cache) == min(start, window + sinks) and cache.seen == start
    torch.testing.assert_close(torch.cat(steps, dim=1), full, **TOL)


def test_rolling_cache_reset():
    cache = RollingKVCache(2, sinks=1)
    keys, _ = cache.update(randn(1, 2, 5, 4), randn(1, 2, 5, 4))
    assert keys.shape == (1, 2, 5, 4) and len(cache) == 3 and cache.positions.tolist() == [0, 1, 2, 3, 4]
    keys, _ = cache.update(randn(1, 2, 1, 4), randn(1, 2, 1, 4))
    assert keys.shape == (1, 2, 3, 4) and sorted(cache.positions.tolist()) == [0, 4, 5]
    cache.reset()
    assert len(cache) == 0 and cache.nbytes == 0 and cache.keys is None and cache.seen == 0


def test_a_mask_is_checked_once_at_the_door(monkeypatch: pytest.MonkeyPatch):
    """MultiHeadAttention converts and checks the mask; the attention below takes it as it is."""
    conversions = []
    original = attention_book.multihead.as_keep_mask

    def counting(name, mask):
        conversions.append(name)
        return original(name, mask)

    def forbidden(*args, **kwargs):
        raise AssertionError("the mask was checked again below the door")

    monkeypatch.setattr(attention_book.multihead, "as_keep_mask", counting)
    monkeypatch.setattr(attention_book.core, "check_keep_mask", forbidden)
    _, ours = torch_pair()
    x = randn(B, L, E)
    for need_weights in (True, False):
        ours(x, mask=torch.tril(torch.ones(L, L)), is_causal=True, need_weights=need_weights)
        ours(x[:, :2], mask=torch.ones(B, 2, 2), is_causal=True, cache=KVCache(), need_weights=need_weights)
    assert conversions == ["mask"] * 4
