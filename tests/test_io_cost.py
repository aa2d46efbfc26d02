"""The HBM-traffic model of attention_book.io_cost: hand counts, a tile-by-tile count, its growth, errors."""

from __future__ import annotations

import math

import pytest

from attention_book.io_cost import (
    attention_flops,
    block_size_for_sram,
    sram_elements_used,
    standard_attention_hbm,
    tiled_attention_hbm,
)


def count_tile_by_tile(n: int, d: int, block: int, causal: bool) -> int:
    """Walk the tiles in tiled_attention's order and add up every block read from and written to HBM."""
    total = 0
    for q_start in range(0, n, block):
        rows = min(block, n - q_start)
        total += rows * d  # read Q_i
        last_key = min(n, q_start + rows) if causal else n
        for k_start in range(0, last_key, block):
            cols = min(block, n - k_start)
            total += 2 * cols * d  # read K_j and V_j
        total += rows * d + rows  # write O_i and its log-sum-exp
    return total


def test_standard_counts_each_pass_over_the_matrix() -> None:
    n, d = 10, 3
    passes = 2 * n * d + n * n + n * n + n * n + (n * n + n * d) + n * d
    assert standard_attention_hbm(n, d) == passes


@pytest.mark.parametrize("n", [1, 7, 64, 100, 257])
@pytest.mark.parametrize("block", [1, 16, 64, 300])
@pytest.mark.parametrize("causal", [False, True])
def test_tiled_matches_a_tile_by_tile_count(n: int, block: int, causal: bool) -> None:
    assert tiled_attention_hbm(n, 8, block_size=block, causal=causal) == count_tile_by_tile(
        n, 8, block, causal
    )


def test_tiled_non_causal_closed_form() -> None:
    n, d, block = 4096, 64, 128
    assert tiled_attention_hbm(n, d, block_size=block) == 2 * n * d + 2 * n * d * math.ceil(n / block) + n


def test_growth_quadratic_for_standard_and_tiled_saves_for_big_blocks() -> None:
    d, block = 64, 128
    for n in (1024, 2048, 4096, 8192):
        ratio = standard_attention_hbm(2 * n, d) / standard_attention_hbm(n, d)
        assert 3.8 < ratio < 4.0
        assert tiled_attention_hbm(n, d, block_size=block) < standard_attention_hbm(n, d)
        # causal: query block i reads key blocks 0..i, so K and V are read (T + 1) / 2T as often (T blocks)
        once = 2 * n * d + n  # Q read, O and log-sum-exp written
        full = tiled_attention_hbm(n, d, block_size=block) - once
        causal = tiled_attention_hbm(n, d, block_size=block, causal=True) - once
        blocks = n // block
        assert causal * 2 * blocks == full * (blocks + 1)


def test_bigger_sram_means_bigger_blocks_and_less_traffic() -> None:
    d, n = 64, 8192
    small, large = block_size_for_sram(d, 48 * 1024), block_size_for_sram(d, 192 * 1024)
    assert small < large
    assert tiled_attention_hbm(n, d, block_size=large) < tiled_attention_hbm(n, d, block_size=small)


def test_block_size_for_sram_fits_and_is_largest() -> None:
    for d in (32, 64, 128, 256):
        for sram in (16 * 1024, 100 * 1024, 192 * 1024, 228 * 1024):
            block = block_size_for_sram(d, sram)
            assert sram_elements_used(block, d) * 2 <= sram < sram_elements_used(2 * block, d) * 2
    assert block_size_for_sram(64, 192 * 1024) == 128


def test_flops() -> None:
    assert attention_flops(4, 2) == 4 * 16 * 2
    assert attention_flops(4, 2, causal=True) == 4 * 10 * 2


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: standard_attention_hbm(0, 64), "n"),
        (lambda: tiled_attention_hbm(16, -1, block_size=4), "d"),
        (lambda: tiled_attention_hbm(16, 8, block_size=0), "block_size"),
        (lambda: block_size_for_sram(64, 100), "sram_bytes"),
        (lambda: attention_flops(8, 2.0), "d"),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_raise_naming_them(call, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=f"^{name}:"):
        call()
