"""Multi-head attention against nn.MultiheadAttention, GQA against enable_gqa, and the KV cache."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from attention_book import KVCache, MultiHeadAttention, causal_mask, padding_mask

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
