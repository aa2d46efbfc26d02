"""Sinusoidal, learned, T5 relative, rotary and ALiBi positions."""

from __future__ import annotations

import math

import pytest
import torch

from attention_book import (
    LearnedPositionalEmbedding,
    MultiHeadAttention,
    RelativePositionBias,
    RotaryEmbedding,
    alibi_bias,
    alibi_slopes,
    relative_position_bucket,
    sinusoidal_encoding,
)

# ----- sinusoidal ------------------------------------------------------------------------------------------


def test_sinusoidal_matches_an_explicit_loop():
    length, d_model = 12, 10
    expected = torch.zeros(length, d_model)
    for pos in range(length):
        for i in range(d_model // 2):
            expected[pos, 2 * i] = math.sin(pos / 10000 ** (2 * i / d_model))
            expected[pos, 2 * i + 1] = math.cos(pos / 10000 ** (2 * i / d_model))
    torch.testing.assert_close(sinusoidal_encoding(length, d_model), expected)


def test_sinusoidal_values_and_shape():
    pe = sinusoidal_encoding(50, 16)
    assert pe.shape == (50, 16)
    assert pe.abs().max() <= 1.0
    torch.testing.assert_close(pe[0, 0::2], torch.zeros(8))  # sin(0)
    torch.testing.assert_close(pe[0, 1::2], torch.ones(8))  # cos(0)


def test_sinusoidal_dot_product_depends_only_on_offset():
    pe = sinusoidal_encoding(64, 32).double()
    for k in (1, 5, 17):
        dots = (pe[:-k] * pe[k:]).sum(-1)  # PE[pos] . PE[pos + k] for every pos
        torch.testing.assert_close(dots, dots[0].expand_as(dots), atol=1e-4, rtol=0)


def test_sinusoidal_rejects_odd_width():
    with pytest.raises(ValueError, match="d_model"):
        sinusoidal_encoding(4, 7)


# ----- learned ---------------------------------------------------------------------------------------------


def test_learned_embedding_adds_the_right_rows():
    torch.manual_seed(0)
    emb = LearnedPositionalEmbedding(max_len=10, d_model=4)
    x = torch.zeros(2, 3, 4)
    torch.testing.assert_close(emb(x)[1], emb.embedding.weight[:3])
    torch.testing.assert_close(emb(x, offset=5)[0], emb.embedding.weight[5:8])
    with pytest.raises(ValueError, match="offset"):
        emb(x, offset=8)


# ----- T5 relative position buckets ------------------------------------------------------------------------


@pytest.mark.parametrize("bidirectional", [True, False])
def test_t5_buckets_are_monotonic_in_distance(bidirectional: bool):
    num_buckets, max_distance = 32, 128
    past = relative_position_bucket(
        -torch.arange(300), bidirectional=bidirectional, num_buckets=num_buckets, max_distance=max_distance
    )
    assert torch.all(past[1:] >= past[:-1])  # farther back never gets a smaller bucket
    assert past.min() >= 0 and past.max() < num_buckets
    per_direction = num_buckets // 2 if bidirectional else num_buckets
    exact = per_direction // 2
    assert past[:exact].tolist() == list(range(exact))  # small distances have their own bucket
    assert torch.all(past[max_distance:] == per_direction - 1)  # far distances share the last bucket


def test_t5_bidirectional_puts_the_future_in_the_upper_half():
    future = relative_position_bucket(torch.arange(1, 300), bidirectional=True, num_buckets=32)
    past = relative_position_bucket(-torch.arange(1, 300), bidirectional=True, num_buckets=32)
    assert torch.all(future >= 16) and torch.all(past < 16)
    assert torch.equal(future - 16, past)  # the same ladder in each direction


def test_t5_unidirectional_maps_the_future_to_bucket_zero():
    future = relative_position_bucket(torch.arange(0, 50), bidirectional=False)
    assert torch.all(future == 0)


def test_relative_position_bias_shape_and_toeplitz():
    torch.manual_seed(0)
    rpb = RelativePositionBias(num_heads=4, num_buckets=8, max_distance=16)
    bias = rpb(6)
    assert bias.shape == (4, 6, 6)
    torch.testing.assert_close(bias[:, 1:, 1:], bias[:, :-1, :-1])  # depends only on j - i
    torch.testing.assert_close(rpb(1, 6)[:, 0], bias[:, -1])  # a cached query is the last position
    attn = MultiHeadAttention(8, 4)
    out, _ = attn(torch.randn(2, 6, 8), bias=bias)
    assert out.shape == (2, 6, 8)


# ----- RoPE ------------------------------------------------------------------------------------------------


def test_rope_score_depends_only_on_offset():
    torch.manual_seed(0)
    rope = RotaryEmbedding(head_dim=16)
    q, k = torch.randn(1, 16), torch.randn(1, 16)  # one position each

    def score(m: int, n: int) -> torch.Tensor:
        q_m = rope.rotate(q, offset=m)[0]  # q at position m
        k_n = rope.rotate(k, offset=n)[0]  # k at position n
        return q_m @ k_n

    for m, n, t in [(3, 1, 5), (0, 7, 11), (20, 20, 3)]:
        torch.testing.assert_close(score(m, n), score(m + t, n + t), atol=1e-4, rtol=1e-4)


def test_rope_preserves_norm_and_is_identity_at_position_zero():
    torch.manual_seed(0)
    rope = RotaryEmbedding(head_dim=8)
    x = torch.randn(2, 3, 10, 8)
    rotated = rope.rotate(x)
    torch.testing.assert_close(rotated.norm(dim=-1), x.norm(dim=-1))
    torch.testing.assert_close(rotated[..., 0, :], x[..., 0, :])


def test_rope_offset_equals_slice_of_longer_sequence():
    rope = RotaryEmbedding(head_dim=8)
    x = torch.randn(1, 2, 6, 8)
    q_all, k_all = rope(x, x)
    q_last, k_last = rope(x[..., 4:, :], x[..., 4:, :], offset=4)
    torch.testing.assert_close(q_last, q_all[..., 4:, :])
    torch.testing.assert_close(k_last, k_all[..., 4:, :])


def test_rope_pairs_rotate_by_position_times_frequency():
    rope = RotaryEmbedding(head_dim=4, base=100.0)
    x = torch.tensor([[1.0, 0.0, 1.0, 0.0]])  # one position, both pairs pointing along the first axis
    out = rope.rotate(x, offset=3)[0]
    theta = [3 * 100 ** (-0 / 4), 3 * 100 ** (-2 / 4)]
    expected = torch.tensor([math.cos(theta[0]), math.sin(theta[0]), math.cos(theta[1]), math.sin(theta[1])])
    torch.testing.assert_close(out, expected)


# ----- ALiBi -----------------------------------------------------------------------------------------------


def test_alibi_slopes_for_eight_heads():
    n = 8
    expected = torch.tensor([2 ** (-8 * i / n) for i in range(1, n + 1)])
    torch.testing.assert_close(alibi_slopes(8), expected)
    torch.testing.assert_close(alibi_slopes(8), torch.tensor([1 / 2**i for i in range(1, 9)]))


def test_alibi_slopes_for_non_power_of_two_heads():
    # The paper's rule: the 4-head slopes, then every other 8-head slope for the remaining heads.
    four = [2 ** (-8 * i / 4) for i in range(1, 5)]
    eight = [2 ** (-8 * i / 8) for i in range(1, 9)]
    torch.testing.assert_close(alibi_slopes(6), torch.tensor(four + eight[0::2][:2]))


def test_alibi_bias_is_slope_times_distance():
    bias = alibi_bias(4, 5)
    slopes = alibi_slopes(4)
    assert bias.shape == (4, 5, 5)
    for h in range(4):
        for i in range(5):
            for j in range(i + 1):
                assert math.isclose(float(bias[h, i, j]), -float(slopes[h]) * (i - j), abs_tol=1e-6)
    torch.testing.assert_close(alibi_bias(4, 1, 5)[:, 0], bias[:, -1])  # cached decoding: last row
