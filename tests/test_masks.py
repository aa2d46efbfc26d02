"""Causal, padding and sliding-window keep-masks."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from attention_book import (
    causal_mask,
    combine_masks,
    padding_mask,
    padding_mask_from_ids,
    sliding_window_mask,
)


def test_causal_mask_is_tril():
    assert torch.equal(causal_mask(4), torch.tril(torch.ones(4, 4)).bool())
    assert causal_mask(4).dtype == torch.bool


@pytest.mark.parametrize("L, S", [(3, 5), (5, 3), (4, 4)])
def test_causal_mask_default_matches_torch_is_causal(L: int, S: int):
    g = torch.Generator().manual_seed(0)
    q, k, v = (
        torch.randn(1, L, 4, generator=g),
        torch.randn(1, S, 4, generator=g),
        torch.randn(1, S, 4, generator=g),
    )
    with_mask = F.scaled_dot_product_attention(q, k, v, attn_mask=causal_mask(L, S))
    with_flag = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    torch.testing.assert_close(with_mask, with_flag)


def test_causal_mask_offset_aligns_bottom_right():
    mask = causal_mask(2, 5, offset=3)
    assert mask[-1].all()  # the last query sees every key
    assert mask[0].tolist() == [True, True, True, True, False]
    assert torch.equal(causal_mask(5)[-2:], mask)  # the last two rows of the full mask


def test_padding_mask_shape_and_values():
    mask = padding_mask(torch.tensor([2, 4, 0]), 4)
    assert mask.shape == (3, 1, 4) and mask.dtype == torch.bool
    assert mask.sum(-1).flatten().tolist() == [2, 4, 0]
    assert mask[0, 0].tolist() == [True, True, False, False]


def test_padding_mask_broadcasts_against_scores():
    mask = padding_mask(torch.tensor([1, 3]), 3)
    assert torch.broadcast_shapes(mask.shape, (2, 5, 3)) == (2, 5, 3)
    assert torch.broadcast_shapes(mask[:, None].shape, (2, 4, 5, 3)) == (2, 4, 5, 3)


def test_padding_mask_from_ids_matches_lengths():
    ids = torch.tensor([[5, 6, 0, 0], [7, 8, 9, 1]])
    assert torch.equal(padding_mask_from_ids(ids, pad_id=0), padding_mask(torch.tensor([2, 4]), 4))


@pytest.mark.parametrize("window", [1, 2, 3, 8])
def test_sliding_window_causal(window: int):
    L = 6
    mask = sliding_window_mask(L, window)
    assert mask.shape == (L, L)
    assert torch.all(mask <= causal_mask(L))  # never sees the future
    assert mask.sum(-1).tolist() == [min(i + 1, window) for i in range(L)]
    for i in range(L):
        for j in range(L):
            assert bool(mask[i, j]) == (i - window < j <= i)


def test_sliding_window_wide_equals_causal():
    assert torch.equal(sliding_window_mask(5, 5), causal_mask(5))


def test_sliding_window_bidirectional_is_symmetric_band():
    mask = sliding_window_mask(6, 2, causal=False)
    assert torch.equal(mask, mask.T)
    assert mask.sum(-1).tolist() == [2, 3, 3, 3, 3, 2]


def test_combine_masks_is_logical_and_with_broadcasting():
    causal = causal_mask(3)
    pad = padding_mask(torch.tensor([3, 2]), 3)
    combined = combine_masks(causal, None, pad)
    assert combined is not None and combined.shape == (2, 3, 3)
    assert torch.equal(combined[0], causal)
    assert torch.equal(combined[1], causal & torch.tensor([True, True, False]))


def test_combine_masks_reads_float_masks_and_ignores_none():
    assert combine_masks(None, None) is None
    float_mask = torch.tril(torch.ones(3, 3))
    combined = combine_masks(float_mask)
    assert combined is not None and combined.dtype == torch.bool
    assert torch.equal(combined, causal_mask(3))
