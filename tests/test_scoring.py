"""Bahdanau (additive) and Luong (multiplicative) attention."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from attention_book import (
    AdditiveAttention,
    DotProductAttention,
    MultiplicativeAttention,
    padding_mask,
    scaled_dot_product_attention,
)

B, L, S, EQ, EK, EV = 2, 3, 5, 4, 6, 7


def make_inputs(query_dim: int = EQ, key_dim: int = EK):
    g = torch.Generator().manual_seed(0)
    return (
        torch.randn(B, L, query_dim, generator=g),
        torch.randn(B, S, key_dim, generator=g),
        torch.randn(B, S, EV, generator=g),
    )


def all_modules() -> list[nn.Module]:
    torch.manual_seed(0)
    return [
        AdditiveAttention(EQ, EK, hidden_dim=10),
        MultiplicativeAttention(EQ, EK, "general"),
        MultiplicativeAttention(EQ, EK, "concat", hidden_dim=9),
        MultiplicativeAttention(EK, EK, "dot"),
        DotProductAttention(scaled=True),
        DotProductAttention(scaled=False),
    ]


def query_dim_of(module: nn.Module) -> int:
    return EK if isinstance(module, DotProductAttention) or getattr(module, "score_name", "") == "dot" else EQ


@pytest.mark.parametrize("module", all_modules(), ids=lambda m: type(m).__name__)
def test_shapes_and_weights_sum_to_one(module: nn.Module):
    q, k, v = make_inputs(query_dim_of(module))
    context, weights = module(q, k, v)
    assert context.shape == (B, L, EV) and weights.shape == (B, L, S)
    torch.testing.assert_close(weights.sum(-1), torch.ones(B, L))
    torch.testing.assert_close(context, weights @ v)


@pytest.mark.parametrize("module", all_modules(), ids=lambda m: type(m).__name__)
def test_single_query_equals_row_of_many(module: nn.Module):
    q, k, v = make_inputs(query_dim_of(module))
    mask = padding_mask(torch.tensor([3, 5]), S)  # (B, 1, S)
    context, weights = module(q, k, v, mask)
    one_context, one_weights = module(q[:, 1], k, v, mask[:, 0])  # query (B, Eq), mask (B, S)
    assert one_context.shape == (B, EV) and one_weights.shape == (B, S)
    torch.testing.assert_close(one_context, context[:, 1])
    torch.testing.assert_close(one_weights, weights[:, 1])


@pytest.mark.parametrize("module", all_modules(), ids=lambda m: type(m).__name__)
def test_masking_and_fully_masked_rows(module: nn.Module):
    q, k, v = make_inputs(query_dim_of(module))
    mask = padding_mask(torch.tensor([2, 0]), S)  # second sequence: every key is padding
    context, weights = module(q, k, v, mask)
    assert torch.all(weights[0, :, 2:] == 0)
    torch.testing.assert_close(weights[0].sum(-1), torch.ones(L))
    assert torch.all(weights[1] == 0) and torch.all(context[1] == 0)
    assert not context.isnan().any()


def test_additive_score_is_the_bahdanau_formula():
    torch.manual_seed(0)
    attn = AdditiveAttention(EQ, EK, hidden_dim=10)
    q, k, v = make_inputs()
    _, weights = attn(q, k, v)
    scores = torch.empty(B, L, S)
    for b in range(B):
        for i in range(L):
            for j in range(S):
                hidden = torch.tanh(attn.query_proj.weight @ q[b, i] + attn.key_proj.weight @ k[b, j])
                scores[b, i, j] = attn.v.weight[0] @ hidden
    torch.testing.assert_close(weights, torch.softmax(scores, -1))


def test_general_score_is_bilinear():
    torch.manual_seed(0)
    attn = MultiplicativeAttention(EQ, EK, "general")
    q, k, v = make_inputs()
    _, weights = attn(q, k, v)
    scores = torch.einsum("bld,de,bse->bls", q, attn.W.weight, k)
    torch.testing.assert_close(weights, torch.softmax(scores, -1))


def test_scaled_dot_product_module_matches_core_function():
    q, k, v = make_inputs(EK)
    context, weights = DotProductAttention(scaled=True)(q, k, v)
    expected, expected_weights = scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(context, expected)
    torch.testing.assert_close(weights, expected_weights)
    _, unscaled = DotProductAttention(scaled=False)(q, k, v)
    torch.testing.assert_close(unscaled, torch.softmax(q @ k.transpose(1, 2), -1))
    assert math.isclose(float(weights.sum()), B * L, rel_tol=1e-5)
