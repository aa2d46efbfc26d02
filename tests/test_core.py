"""Scaled dot-product attention and the masked softmax, checked against PyTorch's fused kernel."""

from __future__ import annotations

import math
import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn.attention.bias import causal_lower_right

from attention_book import masked_softmax, scaled_dot_product_attention

B, H, L, S, E, EV = 2, 3, 5, 7, 8, 6


def reference_keep(mask: torch.Tensor | None, is_causal: bool, L: int, S: int) -> torch.Tensor:
    """Our keep-mask and the causal mask, ANDed, written out independently of the library."""
    keep = torch.ones(L, S, dtype=torch.bool)
    if mask is not None:
        keep = keep & (mask != 0)
    if is_causal:
        keep = keep & torch.ones(L, S, dtype=torch.bool).tril()
    return keep


def reference_attention(q, k, v, mask=None, bias=None, is_causal=False, scale=None):
    """PyTorch's fused attention. It forbids attn_mask together with is_causal, so combine them here."""
    if mask is None and bias is None:
        return F.scaled_dot_product_attention(q, k, v, is_causal=is_causal, scale=scale)
    keep = reference_keep(mask, is_causal, q.shape[-2], k.shape[-2])
    attn_mask = keep if bias is None else bias.masked_fill(~keep, float("-inf"))
    return F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, scale=scale)


def reference_weights(q, k, mask=None, bias=None, is_causal=False, scale=None):
    """softmax(q k^T * scale + bias) with -inf where masked, computed with torch.softmax."""
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = q @ k.transpose(-2, -1) * scale
    if bias is not None:
        scores = scores + bias
    keep = reference_keep(mask, is_causal, q.shape[-2], k.shape[-2])
    return torch.softmax(scores.masked_fill(~keep, float("-inf")), dim=-1)


def make_qkv(dtype: torch.dtype = torch.float32, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(B, H, L, E, generator=g, dtype=dtype)
    k = torch.randn(B, H, S, E, generator=g, dtype=dtype)
    v = torch.randn(B, H, S, EV, generator=g, dtype=dtype)
    return q, k, v


def make_mask(kind: str, seed: int = 1) -> torch.Tensor | None:
    """A random keep-mask (L, S) in which key 0 is always kept, so no row is fully masked."""
    if kind == "none":
        return None
    keep = torch.rand(L, S, generator=torch.Generator().manual_seed(seed)) > 0.4
    keep[:, 0] = True
    return keep if kind == "bool" else keep.float()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("scale", [None, 0.3])
@pytest.mark.parametrize("is_causal", [False, True])
@pytest.mark.parametrize("with_bias", [False, True])
@pytest.mark.parametrize("mask_kind", ["none", "bool", "float"])
def test_matches_torch(mask_kind: str, with_bias: bool, is_causal: bool, scale: float | None, dtype):
    q, k, v = make_qkv(dtype)
    mask = make_mask(mask_kind)
    bias = (
        torch.randn(H, L, S, generator=torch.Generator().manual_seed(2), dtype=dtype) if with_bias else None
    )
    tol = 1e-5 if dtype == torch.float32 else 1e-10

    out, weights = scaled_dot_product_attention(q, k, v, mask, bias=bias, is_causal=is_causal, scale=scale)
    fused, none = scaled_dot_product_attention(
        q, k, v, mask, bias=bias, is_causal=is_causal, scale=scale, need_weights=False
    )
    expected = reference_attention(q, k, v, mask, bias, is_causal, scale)

    assert none is None
    assert weights is not None and weights.shape == (B, H, L, S)
    assert out.shape == (B, H, L, EV) and out.dtype == dtype
    torch.testing.assert_close(out, expected, atol=tol, rtol=tol)
    torch.testing.assert_close(fused, expected, atol=tol, rtol=tol)
    torch.testing.assert_close(
        weights, reference_weights(q, k, mask, bias, is_causal, scale), atol=tol, rtol=tol
    )


def test_is_causal_is_top_left_like_torch_when_lengths_differ():
    q, k, v = make_qkv()  # L = 5 < S = 7
    out, weights = scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(
        out, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=1e-5, rtol=1e-5
    )
    assert weights is not None
    assert torch.all(weights[..., torch.ones(L, S, dtype=torch.bool).tril().logical_not()] == 0)


def test_three_dimensional_inputs():
    q, k, v = (x[:, 0] for x in make_qkv())  # (B, L, E), (B, S, E), (B, S, Ev)
    mask = make_mask("bool")
    out, weights = scaled_dot_product_attention(q, k, v, mask)
    assert out.shape == (B, L, EV) and weights is not None and weights.shape == (B, L, S)
    torch.testing.assert_close(out, reference_attention(q, k, v, mask), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("with_bias", [False, True])
def test_fully_masked_rows_give_zeros_not_nan(need_weights: bool, with_bias: bool):
    q, k, v = make_qkv()
    mask = make_mask("bool")
    assert mask is not None
    mask[2] = False  # query 2 may attend to nothing
    bias = torch.randn(L, S) if with_bias else None
    out, weights = scaled_dot_product_attention(q, k, v, mask, bias=bias, need_weights=need_weights)
    assert not out.isnan().any()
    assert torch.all(out[..., 2, :] == 0)
    expected = reference_attention(q, k, v, mask, bias)
    rows = [0, 1, 3, 4]
    torch.testing.assert_close(out[..., rows, :], expected[..., rows, :], atol=1e-5, rtol=1e-5)
    if need_weights:
        assert weights is not None and not weights.isnan().any()
        assert torch.all(weights[..., 2, :] == 0)


def test_minus_inf_bias_row_counts_as_fully_masked():
    q, k, v = make_qkv()
    bias = torch.zeros(L, S)
    bias[1] = float("-inf")
    out, weights = scaled_dot_product_attention(q, k, v, bias=bias)
    fused, _ = scaled_dot_product_attention(q, k, v, bias=bias, need_weights=False)
    assert weights is not None and torch.all(weights[..., 1, :] == 0)
    assert torch.all(out[..., 1, :] == 0) and torch.all(fused[..., 1, :] == 0)
    torch.testing.assert_close(out, fused, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("need_weights", [True, False])
def test_fully_masked_rows_have_finite_gradients(need_weights: bool):
    q, k, v = (x.requires_grad_() for x in make_qkv())
    mask = torch.ones(L, S, dtype=torch.bool)
    mask[0] = False
    out, _ = scaled_dot_product_attention(q, k, v, mask, need_weights=need_weights)
    out.sum().backward()
    for x in (q, k, v):
        assert x.grad is not None and torch.isfinite(x.grad).all()


@pytest.mark.parametrize("need_weights", [True, False])
def test_huge_logits_stay_finite(need_weights: bool):
    q = torch.full((1, 3, 1), 100.0)
    k = torch.tensor([[[100.0], [99.0], [-100.0]]])  # logits 1e4, 9.9e3, -1e4
    v = torch.randn(1, 3, 2)
    out, weights = scaled_dot_product_attention(q, k, v, scale=1.0, need_weights=need_weights)
    assert torch.isfinite(out).all()
    torch.testing.assert_close(out[0, 0], v[0, 0], atol=1e-5, rtol=1e-5)  # the 1e4 key wins outright
    if need_weights:
        assert weights is not None and torch.isfinite(weights).all()


@pytest.mark.parametrize("dtype, tol", [(torch.float16, 5e-3), (torch.bfloat16, 3e-2)])
@pytest.mark.parametrize("need_weights", [True, False])
def test_half_precision_close_to_float32(dtype: torch.dtype, tol: float, need_weights: bool):
    q, k, v = make_qkv()
    mask = make_mask("bool")
    bias = torch.randn(L, S)
    expected = reference_attention(q, k, v, mask, bias, True)
    half = [x.to(dtype) for x in (q, k, v)]
    out, weights = scaled_dot_product_attention(
        *half, mask, bias=bias.to(dtype), is_causal=True, need_weights=need_weights
    )
    assert out.dtype == dtype
    torch.testing.assert_close(out.float(), expected, atol=tol, rtol=tol)
    if need_weights:
        assert weights is not None and weights.dtype == dtype


def test_masked_softmax_is_softmax_without_mask():
    scores = torch.randn(4, 6)
    torch.testing.assert_close(masked_softmax(scores), torch.softmax(scores, dim=-1))


def test_masked_softmax_float_mask_means_keep():
    scores = torch.randn(3, 4)
    mask = torch.tensor([[1.0, 0.0, 1.0, 0.0]] * 3)
    weights = masked_softmax(scores, mask)
    assert torch.all(weights[:, [1, 3]] == 0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3))


def test_dropout_zeroes_and_rescales_weights():
    q, k, v = make_qkv()
    _, plain = scaled_dot_product_attention(q, k, v)
    torch.manual_seed(0)
    _, dropped = scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert plain is not None and dropped is not None
    kept = dropped != 0
    assert 0 < kept.float().mean() < 1
    torch.testing.assert_close(dropped[kept], 2 * plain[kept])


# ----- property tests -----------------------------------------------------------------------------------


@st.composite
def attention_inputs(draw):
    """Random shapes, a random keep-mask (fully-masked rows included), a random dtype."""
    batch = draw(st.lists(st.integers(1, 3), min_size=0, max_size=2))
    n_q, n_k, dim, dim_v = (draw(st.integers(1, 6)) for _ in range(4))
    dtype = draw(st.sampled_from([torch.float32, torch.float64]))
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**31)))
    q = torch.randn(*batch, n_q, dim, generator=g, dtype=dtype)
    k = torch.randn(*batch, n_k, dim, generator=g, dtype=dtype)
    v = torch.randn(*batch, n_k, dim_v, generator=g, dtype=dtype)
    keep_rate = draw(st.floats(0.0, 1.0))
    mask = torch.rand(*batch, n_q, n_k, generator=g) < keep_rate
    return q, k, v, mask, draw(st.booleans())


@settings(max_examples=40, deadline=None)
@given(attention_inputs())
def test_property_weights_are_distributions(inputs):
    q, k, v, mask, is_causal = inputs
    _, weights = scaled_dot_product_attention(q, k, v, mask, is_causal=is_causal)
    assert weights is not None
    keep = reference_keep(mask, is_causal, q.shape[-2], k.shape[-2])
    has_key = keep.any(-1)
    assert torch.all(weights[~keep] == 0)
    assert torch.all(weights >= 0)
    expected_sums = has_key.to(weights.dtype)
    torch.testing.assert_close(weights.sum(-1), expected_sums, atol=1e-5, rtol=0)


@settings(max_examples=40, deadline=None)
@given(attention_inputs())
def test_property_matches_torch(inputs):
    q, k, v, mask, is_causal = inputs
    keep = reference_keep(mask, is_causal, q.shape[-2], k.shape[-2])
    has_key = keep.any(-1)
    expected = reference_attention(q, k, v, mask, None, is_causal)
    expected = torch.where(has_key[..., None], expected, torch.zeros_like(expected))  # torch gives NaN there
    for need_weights in (True, False):
        out, _ = scaled_dot_product_attention(q, k, v, mask, is_causal=is_causal, need_weights=need_weights)
        torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)


# ----- causal fast path, causal offsets, grouped-query attention ---------------------------------------


def spy_on_sdpa(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Record the keyword arguments of every call of F.scaled_dot_product_attention."""
    calls: list[dict] = []
    original = F.scaled_dot_product_attention

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(F, "scaled_dot_product_attention", spy)
    return calls


def test_causal_reaches_torch_as_is_causal_not_as_a_mask(monkeypatch: pytest.MonkeyPatch):
    q, k, v = make_qkv()
    calls = spy_on_sdpa(monkeypatch)
    out, _ = scaled_dot_product_attention(q, k, v, is_causal=True, need_weights=False)
    assert calls[0]["is_causal"] is True and calls[0].get("attn_mask") is None
    monkeypatch.undo()
    torch.testing.assert_close(
        out, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=1e-5, rtol=1e-5
    )


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("L_, S_", [(1, 7), (3, 7), (5, 5), (6, 9)])
def test_bottom_right_causal_matches_causal_lower_right(L_: int, S_: int, need_weights: bool):
    """causal_offset = S - L: the queries are the last L of S positions, as with a KV cache."""
    g = torch.Generator().manual_seed(3)
    q, k, v = (
        torch.randn(B, H, L_, E, generator=g),
        torch.randn(B, H, S_, E, generator=g),
        torch.randn(B, H, S_, EV, generator=g),
    )
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=causal_lower_right(L_, S_))
    out, weights = scaled_dot_product_attention(
        q, k, v, is_causal=True, causal_offset=S_ - L_, need_weights=need_weights
    )
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
    if need_weights:
        assert weights is not None
        assert torch.all(weights[..., ~torch.ones(L_, S_, dtype=torch.bool).tril(S_ - L_)] == 0)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("with_bias", [False, True])
@pytest.mark.parametrize("offset", [-2, 1, 2, 10])
def test_causal_offset_equals_the_explicit_mask(offset: int, with_bias: bool, need_weights: bool):
    q, k, v = make_qkv()  # L = 5, S = 7
    mask = make_mask("bool")
    bias = torch.randn(H, L, S, generator=torch.Generator().manual_seed(2)) if with_bias else None
    causal = torch.ones(L, S, dtype=torch.bool).tril(offset)
    expected, _ = scaled_dot_product_attention(q, k, v, causal & mask, bias=bias)
    out, _ = scaled_dot_product_attention(
        q, k, v, mask, bias=bias, is_causal=True, causal_offset=offset, need_weights=need_weights
    )
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
    if offset < 0:  # the first -offset queries see nothing: zeros, not NaN
        assert torch.all(out[..., :-offset, :] == 0)


def test_bottom_right_with_more_queries_than_keys_gives_zeros_without_warning():
    """Queries 7 over keys 5, aligned bottom-right: the first two see no key. The fast path must not hand
    this to PyTorch's lower-right kernel, which warns that such rows come out NaN."""
    g = torch.Generator().manual_seed(6)
    q, k, v = (
        torch.randn(2, 3, 7, E, generator=g),
        torch.randn(2, 3, 5, E, generator=g),
        torch.randn(2, 3, 5, EV),
    )
    expected, _ = scaled_dot_product_attention(q, k, v, torch.ones(7, 5, dtype=torch.bool).tril(-2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, _ = scaled_dot_product_attention(q, k, v, is_causal=True, causal_offset=-2, need_weights=False)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
    assert torch.all(out[..., :2, :] == 0)


@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("is_causal, offset", [(False, 0), (True, 0), (True, S - L)])
@pytest.mark.parametrize("with_mask", [False, True])
@pytest.mark.parametrize("kv_heads", [1, 3])
def test_grouped_query_attention_matches_enable_gqa(
    kv_heads: int, with_mask: bool, is_causal: bool, offset: int, need_weights: bool
):
    heads = 6
    g = torch.Generator().manual_seed(4)
    q = torch.randn(B, heads, L, E, generator=g)
    k, v = torch.randn(B, kv_heads, S, E, generator=g), torch.randn(B, kv_heads, S, EV, generator=g)
    mask = make_mask("bool") if with_mask else None
    keep = reference_keep(mask, False, L, S) & torch.ones(L, S, dtype=torch.bool).tril(
        offset if is_causal else S
    )
    if offset == 0 and is_causal and not with_mask:
        expected = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
    else:
        expected = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, enable_gqa=True)
    out, weights = scaled_dot_product_attention(
        q, k, v, mask, is_causal=is_causal, causal_offset=offset, need_weights=need_weights, enable_gqa=True
    )
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
    if need_weights:
        assert weights is not None and weights.shape == (B, heads, L, S)
        repeated = k.repeat_interleave(heads // kv_heads, dim=1)
        torch.testing.assert_close(weights, reference_weights(q, repeated, keep), atol=1e-5, rtol=1e-5)


def test_grouped_query_attention_with_bias_and_broadcast_batch():
    g = torch.Generator().manual_seed(5)
    q = torch.randn(2, 4, L, E, generator=g)  # (B, H, L, E)
    k, v = torch.randn(1, 2, S, E, generator=g), torch.randn(1, 2, S, EV, generator=g)  # (1, Hkv, S, E)
    bias = torch.randn(4, L, S, generator=g)
    expected = F.scaled_dot_product_attention(
        q, k.expand(2, -1, -1, -1), v.expand(2, -1, -1, -1), attn_mask=bias, enable_gqa=True
    )
    for need_weights in (True, False):
        out, _ = scaled_dot_product_attention(q, k, v, bias=bias, need_weights=need_weights, enable_gqa=True)
        torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)


@st.composite
def grouped_inputs(draw):
    """Grouped-query shapes, a random keep-mask (empty rows included) and a random causal offset."""
    kv_heads, groups = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    n_q, n_k, dim = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 5))
    g = torch.Generator().manual_seed(draw(st.integers(0, 2**31)))
    q = torch.randn(2, kv_heads * groups, n_q, dim, generator=g)
    k, v = (torch.randn(2, kv_heads, n_k, dim, generator=g) for _ in range(2))
    mask = (
        torch.rand(2, 1, n_q, n_k, generator=g) < draw(st.floats(0.3, 1.0)) if draw(st.booleans()) else None
    )
    offset = draw(st.none() | st.integers(-2, 6))
    return q, k, v, mask, offset


@settings(max_examples=60, deadline=None)
@given(grouped_inputs())
def test_property_grouped_causal_offset_matches_torch(inputs):
    q, k, v, mask, offset = inputs
    L_, S_ = q.shape[-2], k.shape[-2]
    keep = torch.ones(L_, S_, dtype=torch.bool) if mask is None else mask
    if offset is not None:
        keep = keep & torch.ones(L_, S_, dtype=torch.bool).tril(offset)
    has_key = keep.expand(2, q.shape[1], L_, S_).any(-1, keepdim=True)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=keep, enable_gqa=True)
    expected = torch.where(has_key, expected, torch.zeros_like(expected))  # torch gives NaN there
    for need_weights in (True, False):
        out, _ = scaled_dot_product_attention(
            q,
            k,
            v,
            mask,
            is_causal=offset is not None,
            causal_offset=offset or 0,
            need_weights=need_weights,
            enable_gqa=True,
        )
        torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
