"""Encoder and decoder blocks against nn.TransformerEncoderLayer / nn.TransformerDecoderLayer."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from attention_book import (
    DecoderBlock,
    EncoderBlock,
    FeedForward,
    Transformer,
    causal_mask,
    padding_mask,
    padding_mask_from_ids,
)

B, T, S, E, H, FF = 2, 5, 7, 16, 4, 32
TOL = {"atol": 1e-5, "rtol": 1e-5}


def randn(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def to_layout(x: torch.Tensor, batch_first: bool) -> torch.Tensor:
    return x if batch_first else x.transpose(0, 1)


@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_block_matches_torch(norm_first: bool, batch_first: bool, activation: str):
    torch.manual_seed(0)
    theirs = nn.TransformerEncoderLayer(
        E, H, FF, dropout=0.1, activation=activation, batch_first=batch_first, norm_first=norm_first
    ).eval()
    ours = EncoderBlock.from_torch(theirs).eval()
    x = randn(B, T, E)
    lengths = torch.tensor([T, 3])
    expected = theirs(
        to_layout(x, batch_first),
        src_mask=~causal_mask(T),  # PyTorch: True = masked
        src_key_padding_mask=~padding_mask(lengths, T)[:, 0],
    )
    out = ours(x, causal_mask(T) & padding_mask(lengths, T))
    torch.testing.assert_close(out, to_layout(expected, batch_first), **TOL)


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_block_matches_torch(norm_first: bool, batch_first: bool):
    torch.manual_seed(0)
    theirs = nn.TransformerDecoderLayer(E, H, FF, dropout=0.1, batch_first=batch_first, norm_first=norm_first)
    theirs.eval()
    ours = DecoderBlock.from_torch(theirs).eval()
    x, memory = randn(B, T, E), randn(B, S, E, seed=1)
    src_lengths = torch.tensor([S, 4])
    expected = theirs(
        to_layout(x, batch_first),
        to_layout(memory, batch_first),
        tgt_mask=nn.Transformer.generate_square_subsequent_mask(T),  # float: 0 / -inf
        memory_key_padding_mask=~padding_mask(src_lengths, S)[:, 0],
        tgt_is_causal=True,
    )
    out = ours(x, memory, memory_mask=padding_mask(src_lengths, S), tgt_is_causal=True)
    torch.testing.assert_close(out, to_layout(expected, batch_first), **TOL)


def test_encoder_block_matches_torch_fast_path_under_no_grad():
    torch.manual_seed(0)
    theirs = nn.TransformerEncoderLayer(E, H, FF, batch_first=True).eval()
    ours = EncoderBlock.from_torch(theirs).eval()
    x = randn(B, T, E)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), theirs(x), **TOL)


def test_feed_forward_is_position_wise():
    torch.manual_seed(0)
    ff = FeedForward(E, FF)
    x = randn(B, T, E)
    out = ff(x)
    assert out.shape == (B, T, E)
    torch.testing.assert_close(out[:, 2], ff(x[:, 2:3])[:, 0])


def test_pre_norm_residual_path_is_identity_when_sublayers_are_zero():
    block = EncoderBlock(E, H, FF, norm_first=True)
    for layer in (block.self_attn.out_proj, block.ff.linear2):
        nn.init.zeros_(layer.weight)
        nn.init.zeros_(layer.bias)
    x = randn(B, T, E)
    torch.testing.assert_close(block(x), x)  # pre-norm: x + 0 + 0; post-norm would normalise x


def tiny_model(norm_first: bool = False) -> Transformer:
    torch.manual_seed(0)
    return Transformer(
        vocab_size=11, d_model=E, num_heads=H, d_ff=FF, num_layers=2, norm_first=norm_first
    ).eval()


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_logits_shape_and_gradients(norm_first: bool):
    model = tiny_model(norm_first)
    src, tgt = torch.randint(1, 11, (B, S)), torch.randint(1, 11, (B, T))
    logits = model(src, tgt, src_mask=padding_mask_from_ids(src, pad_id=0))
    assert logits.shape == (B, T, 11)
    logits.sum().backward()
    assert model.src_embed.weight.grad is not None


def test_transformer_decoder_is_causal():
    model = tiny_model()
    src, tgt = torch.randint(1, 11, (B, S)), torch.randint(1, 11, (B, T))
    changed = tgt.clone()
    changed[:, 3] = (tgt[:, 3] % 10) + 1  # a different token at position 3
    before, after = model(src, tgt), model(src, changed)
    torch.testing.assert_close(before[:, :3], after[:, :3])  # earlier positions cannot see it
    assert not torch.allclose(before[:, 3:], after[:, 3:])


def test_transformer_ignores_source_padding():
    model = tiny_model()
    src, tgt = torch.randint(1, 11, (B, S)), torch.randint(1, 11, (B, T))
    src[:, -2:] = 0
    noisy = src.clone()
    noisy[:, -2:] = 7  # change what sits under the padding mask
    mask = padding_mask(torch.tensor([S - 2, S - 2]), S)
    torch.testing.assert_close(model(src, tgt, src_mask=mask), model(noisy, tgt, src_mask=mask))
