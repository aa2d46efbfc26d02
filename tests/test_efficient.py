"""Efficient attention equals its reference: dense attention, or linear attention's quadratic form."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from attention_book.efficient import (
    block_sparse_attention,
    block_sparse_mask,
    elu_feature_map,
    linear_attention,
    local_attention,
    tiled_attention,
)
from attention_book.masks import sliding_window_mask

ATOL = 1e-5


def qkv(
    L: int,
    S: int,
    E: int = 8,
    Ev: int = 5,
    batch: tuple[int, ...] = (2, 3),
    dtype: torch.dtype = torch.float32,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(L * 1000 + S)
    return (
        torch.randn(*batch, L, E, generator=g, dtype=dtype),
        torch.randn(*batch, S, E, generator=g, dtype=dtype),
        torch.randn(*batch, S, Ev, generator=g, dtype=dtype),
    )


# --- tiled attention -------------------------------------------------------------------------------------


@pytest.mark.parametrize("block_size", [1, 3, 4, 16, 64])
@pytest.mark.parametrize("is_causal", [False, True])
@pytest.mark.parametrize(("L", "S"), [(16, 16), (13, 13), (7, 19), (19, 7)])
def test_tiled_equals_sdpa(block_size: int, is_causal: bool, L: int, S: int) -> None:
    q, k, v = qkv(L, S)
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=is_causal)
    got = tiled_attention(q, k, v, block_size=block_size, is_causal=is_causal)
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize("is_causal", [False, True])
def test_tiled_float64_and_scale(is_causal: bool) -> None:
    q, k, v = qkv(21, 21, dtype=torch.float64)
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=is_causal, scale=0.3)
    got = tiled_attention(q, k, v, block_size=5, is_causal=is_causal, scale=0.3)
    assert got.dtype == torch.float64
    torch.testing.assert_close(got, expected, atol=1e-12, rtol=0)


def test_tiled_is_stable_for_huge_logits() -> None:
    q, k, v = qkv(9, 9)
    got = tiled_attention(q * 300, k * 300, v, block_size=2)
    expected = F.scaled_dot_product_attention(q.double() * 300, k.double() * 300, v.double()).float()
    assert torch.isfinite(got).all()
    torch.testing.assert_close(got, expected, atol=1e-4, rtol=0)


def test_tiled_never_builds_the_full_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every score tile is at most block_size x block_size."""
    seen: list[tuple[int, ...]] = []
    original = torch.exp

    def spy(x: torch.Tensor) -> torch.Tensor:
        seen.append(tuple(x.shape))
        return original(x)

    monkeypatch.setattr(torch, "exp", spy)
    q, k, v = qkv(32, 40, batch=(1,))
    tiled_attention(q, k, v, block_size=8)
    assert seen and max(shape[-1] for shape in seen) <= 8 and max(shape[-2] for shape in seen) <= 8


def test_tiled_causal_skips_blocks_above_the_diagonal(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    original = torch.exp

    def count(x: torch.Tensor) -> torch.Tensor:
        calls["n"] += 1
        return original(x)

    monkeypatch.setattr(torch, "exp", count)
    q, k, v = qkv(32, 32, batch=(1,))
    tiled_attention(q, k, v, block_size=8, is_causal=True)
    causal_calls = calls["n"]
    calls["n"] = 0
    tiled_attention(q, k, v, block_size=8, is_causal=False)
    assert causal_calls == 2 * (4 * 5 // 2)  # 10 tiles on or below the diagonal, 2 exps per tile
    assert calls["n"] == 2 * 16


# --- linear attention ------------------------------------------------------------------------------------


def quadratic_linear_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool, eps: float = 1e-6
) -> torch.Tensor:
    """w_ij = phi(q_i).phi(k_j) / (sum_j phi(q_i).phi(k_j) + eps), out = w V: the O(n^2) form."""
    sim = elu_feature_map(q) @ elu_feature_map(k).transpose(-2, -1)  # (..., L, S)
    if causal:
        sim = sim * torch.ones(sim.shape[-2:], dtype=torch.bool).tril()
    weights = sim / (sim.sum(dim=-1, keepdim=True) + eps)
    return weights @ v


@pytest.mark.parametrize("causal", [False, True])
def test_linear_equals_quadratic_form(causal: bool) -> None:
    q, k, v = qkv(17, 17)
    got = linear_attention(q, k, v, causal=causal)
    torch.testing.assert_close(got, quadratic_linear_attention(q, k, v, causal), atol=ATOL, rtol=1e-5)


def test_linear_cross_attention_non_causal() -> None:
    q, k, v = qkv(6, 11)
    torch.testing.assert_close(
        linear_attention(q, k, v), quadratic_linear_attention(q, k, v, False), atol=ATOL, rtol=1e-5
    )


def test_linear_causal_needs_equal_lengths() -> None:
    q, k, v = qkv(6, 11)
    with pytest.raises(ValueError, match="key"):
        linear_attention(q, k, v, causal=True)


# --- local and block-sparse attention --------------------------------------------------------------------


@pytest.mark.parametrize("window", [1, 2, 3, 5, 40])
@pytest.mark.parametrize("causal", [True, False])
@pytest.mark.parametrize("n", [1, 11, 16])
def test_local_equals_dense_with_sliding_window_mask(window: int, causal: bool, n: int) -> None:
    q, k, v = qkv(n, n)
    mask = sliding_window_mask(n, window, causal=causal)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(
        local_attention(q, k, v, window=window, causal=causal), expected, atol=ATOL, rtol=0
    )


def test_block_sparse_mask_small_example() -> None:
    mask = block_sparse_mask(6, block_size=2, num_global=1, window_blocks=0)
    expected = torch.tensor(
        [
            [1, 1, 1, 1, 1, 1],
            [1, 1, 0, 0, 0, 0],
            [1, 0, 1, 1, 0, 0],
            [1, 0, 1, 1, 0, 0],
            [1, 0, 0, 0, 1, 1],
            [1, 0, 0, 0, 1, 1],
        ],
        dtype=torch.bool,
    )
    assert torch.equal(mask, expected)


@pytest.mark.parametrize(
    ("n", "block_size", "num_global", "window_blocks"),
    [(16, 4, 0, 1), (16, 4, 2, 1), (13, 3, 5, 1), (13, 5, 1, 0), (10, 2, 10, 2), (9, 4, 3, 3)],
)
def test_block_sparse_equals_dense_with_its_mask(
    n: int, block_size: int, num_global: int, window_blocks: int
) -> None:
    q, k, v = qkv(n, n)
    mask = block_sparse_mask(n, block_size=block_size, num_global=num_global, window_blocks=window_blocks)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    got = block_sparse_attention(
        q, k, v, block_size=block_size, num_global=num_global, window_blocks=window_blocks
    )
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)


# --- properties over random shapes -----------------------------------------------------------------------

shapes = st.tuples(
    st.integers(1, 3),  # batch
    st.integers(1, 24),  # L
    st.integers(1, 24),  # S
    st.integers(1, 9),  # E
    st.integers(1, 6),  # Ev
)


def random_qkv(
    shape: tuple[int, int, int, int, int], seed: int, same_length: bool = False
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    b, L, S, E, Ev = shape
    S = L if same_length else S
    g = torch.Generator().manual_seed(seed)
    return (
        torch.randn(b, L, E, generator=g),
        torch.randn(b, S, E, generator=g),
        torch.randn(b, S, Ev, generator=g),
    )


@settings(max_examples=40, deadline=None)
@given(shape=shapes, block_size=st.integers(1, 30), is_causal=st.booleans(), seed=st.integers(0, 2**16))
def test_tiled_property(
    shape: tuple[int, int, int, int, int], block_size: int, is_causal: bool, seed: int
) -> None:
    q, k, v = random_qkv(shape, seed)
    expected = F.scaled_dot_product_attention(q, k, v, is_causal=is_causal)
    got = tiled_attention(q, k, v, block_size=block_size, is_causal=is_causal)
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, causal=st.booleans(), seed=st.integers(0, 2**16))
def test_linear_property(shape: tuple[int, int, int, int, int], causal: bool, seed: int) -> None:
    q, k, v = random_qkv(shape, seed, same_length=causal)
    got = linear_attention(q, k, v, causal=causal)
    torch.testing.assert_close(got, quadratic_linear_attention(q, k, v, causal), atol=ATOL, rtol=1e-5)


@settings(max_examples=30, deadline=None)
@given(shape=shapes, window=st.integers(1, 30), causal=st.booleans(), seed=st.integers(0, 2**16))
def test_local_property(shape: tuple[int, int, int, int, int], window: int, causal: bool, seed: int) -> None:
    q, k, v = random_qkv(shape, seed, same_length=True)
    mask = sliding_window_mask(q.shape[-2], window, causal=causal)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(
        local_attention(q, k, v, window=window, causal=causal), expected, atol=ATOL, rtol=0
    )


@settings(max_examples=30, deadline=None)
@given(
    shape=shapes,
    block_size=st.integers(1, 8),
    global_fraction=st.floats(0, 1),
    window_blocks=st.integers(0, 3),
    seed=st.integers(0, 2**16),
)
def test_block_sparse_property(
    shape: tuple[int, int, int, int, int],
    block_size: int,
    global_fraction: float,
    window_blocks: int,
    seed: int,
) -> None:
    q, k, v = random_qkv(shape, seed, same_length=True)
    n = q.shape[-2]
    num_global = int(global_fraction * n)
    mask = block_sparse_mask(n, block_size=block_size, num_global=num_global, window_blocks=window_blocks)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    got = block_sparse_attention(
        q, k, v, block_size=block_size, num_global=num_global, window_blocks=window_blocks
    )
    torch.testing.assert_close(got, expected, atol=ATOL, rtol=0)


# --- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("block_size", [0, -2, 1.5, True])
def test_tiled_rejects_bad_block_size(block_size: object) -> None:
    q, k, v = qkv(4, 4)
    with pytest.raises(ValueError, match="block_size"):
        tiled_attention(q, k, v, block_size=block_size)  # type: ignore[arg-type]


def test_rejects_non_tensor() -> None:
    _, k, v = qkv(4, 4)
    with pytest.raises(ValueError, match="query"):
        tiled_attention([[1.0]], k, v, block_size=2)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="query"):
        linear_attention("q", k, v)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("shapes_", "argument"),
    [
        (((2, 4, 8), (2, 4, 7), (2, 4, 5)), "key"),  # E differs
        (((2, 4, 8), (2, 4, 8), (2, 5, 5)), "value"),  # S differs
        (((2, 4, 8), (3, 4, 8), (3, 4, 5)), "key"),  # batch differs
        (((8,), (4, 8), (4, 5)), "query"),  # 1-D query
    ],
)
def test_rejects_mismatched_shapes(shapes_: tuple[tuple[int, ...], ...], argument: str) -> None:
    q, k, v = (torch.randn(*s) for s in shapes_)
    for call in (
        lambda: tiled_attention(q, k, v, block_size=2),
        lambda: linear_attention(q, k, v),
        lambda: local_attention(q, k, v, window=2),
        lambda: block_sparse_attention(q, k, v, block_size=2),
    ):
        with pytest.raises(ValueError, match=argument):
            call()


def test_rejects_bad_window_and_sparse_arguments() -> None:
    q, k, v = qkv(8, 8)
    with pytest.raises(ValueError, match="window"):
        local_attention(q, k, v, window=0)
    with pytest.raises(ValueError, match="key"):
        local_attention(*qkv(8, 9), window=2)
    with pytest.raises(ValueError, match="num_global"):
        block_sparse_attention(q, k, v, block_size=2, num_global=9)
    with pytest.raises(ValueError, match="window_blocks"):
        block_sparse_attention(q, k, v, block_size=2, window_blocks=-1)
    with pytest.raises(ValueError, match="block_size"):
        block_sparse_mask(8, block_size=0)
