"""Transformer blocks: feed-forward, encoder and decoder blocks, post-norm and pre-norm, and a tiny model.

A Transformer block (Vaswani et al., 2017, "Attention Is All You Need", arXiv:1706.03762) alternates
attention, which mixes information *between* positions, with a feed-forward network applied to each
position on its own. Each sub-layer is wrapped in a residual connection and a layer normalisation.

Where the LayerNorm goes matters:

* post-norm (the original paper): ``x = LayerNorm(x + Sublayer(x))``;
* pre-norm (Xiong et al., 2020, "On Layer Normalization in the Transformer Architecture",
  arXiv:2002.04745): ``x = x + Sublayer(LayerNorm(x))``. The residual path is then an identity from
  input to output, gradients are well-behaved at initialisation, and deep models train without the
  learning-rate warm-up that post-norm needs. GPT-2 and most later models use it (with a final LayerNorm).

``EncoderBlock`` and ``DecoderBlock`` compute exactly what ``nn.TransformerEncoderLayer`` and
``nn.TransformerDecoderLayer`` compute (``from_torch`` copies their weights), with the conventions of this
library: batch-first ``(B, T, d_model)`` tensors and keep-masks (``True`` = may attend).
"""

from __future__ import annotations

import math
from typing import Literal, Self

import torch.nn.functional as F
from torch import Tensor, nn

from ._checks import check_ndim, check_positive_int, check_tensor, fmt_shape
from .multihead import MultiHeadAttention
from .positional import sinusoidal_encoding

__all__ = ["DecoderBlock", "EncoderBlock", "FeedForward", "Transformer"]

Activation = Literal["relu", "gelu"]


class FeedForward(nn.Module):
    r"""The position-wise feed-forward network: two linear layers with an activation between them.

    .. math::

        \mathrm{FFN}(x) = W_2\, \mathrm{dropout}(\mathrm{act}(W_1 x + b_1)) + b_2

    Applied to every position independently: ``(B, T, d_model) -> (B, T, d_ff) -> (B, T, d_model)``.

    Args:
        d_model: model width.
        d_ff: hidden width (4 * d_model in the paper: 2048 for 512).
        dropout: dropout after the activation.
        activation: ``"relu"`` (the paper) or ``"gelu"`` (BERT, GPT).
        bias: whether the linear layers have a bias.
    """

    def __init__(
        self,
        d_model: int,
        d_ff: int,
        dropout: float = 0.0,
        activation: Activation = "relu",
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if activation not in ("relu", "gelu"):
            raise ValueError(f"activation: expected 'relu' or 'gelu', got {activation!r}")
        self.activation = activation
        self.linear1 = nn.Linear(
            check_positive_int("d_model", d_model), check_positive_int("d_ff", d_ff), bias=bias
        )
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        hidden = self.linear1(x)  # (B, T, d_ff)
        hidden = F.relu(hidden) if self.activation == "relu" else F.gelu(hidden)
        return self.linear2(self.dropout(hidden))  # (B, T, d_model)


class EncoderBlock(nn.Module):
    """Encoder block: self-attention and a feed-forward network, each with residual and LayerNorm.

    Post-norm (``norm_first=False``, Vaswani et al., 2017)::

        x = norm1(x + dropout(self_attn(x)))
        x = norm2(x + dropout(ffn(x)))

    Pre-norm (``norm_first=True``, Xiong et al., 2020)::

        x = x + dropout(self_attn(norm1(x)))
        x = x + dropout(ffn(norm2(x)))

    Args:
        d_model: model width.
        num_heads: attention heads.
        d_ff: hidden width of the feed-forward network.
        norm_first: pre-norm if ``True``, post-norm if ``False``.
        dropout: dropout on attention weights, after each sub-layer, and inside the feed-forward network.
        activation: ``"relu"`` or ``"gelu"``.
        layer_norm_eps: epsilon of the LayerNorms.
        bias: biases in the linear layers and LayerNorms.
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        d_ff: int,
        *,
        norm_first: bool = False,
        dropout: float = 0.0,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout=dropout, bias=bias)
        self.ff = FeedForward(d_model, d_ff, dropout, activation, bias=bias)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def forward(self, x: Tensor, mask: Tensor | None = None, *, is_causal: bool = False) -> Tensor:
        """``x`` ``(B, T, d_model)`` -> ``(B, T, d_model)``.

        ``mask`` is a keep-mask as in :class:`MultiHeadAttention`: ``(T, T)``, ``(B, T, T)`` or
        ``(B, 1, T)`` from ``padding_mask``.
        """
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), mask, is_causal)
            return x + self.dropout2(self.ff(self.norm2(x)))
        x = self.norm1(x + self._self_attention(x, mask, is_causal))
        return self.norm2(x + self.dropout2(self.ff(x)))

    def _self_attention(self, x: Tensor, mask: Tensor | None, is_causal: bool) -> Tensor:
        out, _ = self.self_attn(x, mask=mask, is_causal=is_causal, need_weights=False)
        return self.dropout1(out)

    @classmethod
    def from_torch(cls, layer: nn.TransformerEncoderLayer) -> Self:
        """A copy of ``nn.TransformerEncoderLayer`` with the same weights (batch-first regardless of its
        ``batch_first``; PyTorch's boolean masks mean ``True`` = masked, ours ``True`` = keep)."""
        if not isinstance(layer, nn.TransformerEncoderLayer):
            raise ValueError(f"layer: expected an nn.TransformerEncoderLayer, got {type(layer).__name__}")
        block = cls(
            layer.self_attn.embed_dim,
            layer.self_attn.num_heads,
            layer.linear1.out_features,
            norm_first=layer.norm_first,
            dropout=layer.dropout.p,
            activation=_activation_name(layer.activation),
            layer_norm_eps=layer.norm1.eps,
            bias=layer.linear1.bias is not None,
        )
        block.self_attn = MultiHeadAttention.from_torch(layer.self_attn)
        _copy_feed_forward(block.ff, layer)
        block.norm1.load_state_dict(layer.norm1.state_dict())
        block.norm2.load_state_dict(layer.norm2.state_dict())
        return block.to(layer.linear1.weight)


class DecoderBlock(nn.Module):
    """Decoder block: masked self-attention, cross-attention to the encoder output, feed-forward network.

    Post-norm (``norm_first=False``, Vaswani et al., 2017)::

        x = norm1(x + dropout(self_attn(x)))              # causal: position i sees targets <= i
        x = norm2(x + dropout(cross_attn(x, memory)))     # every target position sees every source position
        x = norm3(x + dropout(ffn(x)))

    Pre-norm (``norm_first=True``, Xiong et al., 2020) moves each LayerNorm onto the sub-layer's input:
    ``x = x + dropout(sublayer(norm(x)))``.

    Args: as :class:`EncoderBlock`.
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        d_ff: int,
        *,
        norm_first: bool = False,
        dropout: float = 0.0,
        activation: Activation = "relu",
        layer_norm_eps: float = 1e-5,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(d_model, num_heads, dropout=dropout, bias=bias)
        self.cross_attn = MultiHeadAttention(d_model, num_heads, dropout=dropout, bias=bias)
        self.ff = FeedForward(d_model, d_ff, dropout, activation, bias=bias)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm3 = nn.LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)

    def forward(
        self,
        x: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        *,
        tgt_is_causal: bool = False,
    ) -> Tensor:
        """``x`` ``(B, T, d_model)``, ``memory`` ``(B, S, d_model)`` -> ``(B, T, d_model)``.

        ``tgt_mask``: keep-mask over target positions ``(T, T)`` / ``(B, T, T)`` / ``(B, 1, T)``, ANDed
        with the causal mask when ``tgt_is_causal``. ``memory_mask``: keep-mask over source positions,
        ``(T, S)`` / ``(B, T, S)`` / ``(B, 1, S)`` (source padding).
        """
        if self.norm_first:
            x = x + self._self_attention(self.norm1(x), tgt_mask, tgt_is_causal)
            x = x + self._cross_attention(self.norm2(x), memory, memory_mask)
            return x + self.dropout3(self.ff(self.norm3(x)))
        x = self.norm1(x + self._self_attention(x, tgt_mask, tgt_is_causal))
        x = self.norm2(x + self._cross_attention(x, memory, memory_mask))
        return self.norm3(x + self.dropout3(self.ff(x)))

    def _self_attention(self, x: Tensor, mask: Tensor | None, is_causal: bool) -> Tensor:
        out, _ = self.self_attn(x, mask=mask, is_causal=is_causal, need_weights=False)
        return self.dropout1(out)

    def _cross_attention(self, x: Tensor, memory: Tensor, mask: Tensor | None) -> Tensor:
        out, _ = self.cross_attn(x, memory, memory, mask, need_weights=False)
        return self.dropout2(out)

    @classmethod
    def from_torch(cls, layer: nn.TransformerDecoderLayer) -> Self:
        """A copy of ``nn.TransformerDecoderLayer`` with the same weights (see EncoderBlock.from_torch)."""
        if not isinstance(layer, nn.TransformerDecoderLayer):
            raise ValueError(f"layer: expected an nn.TransformerDecoderLayer, got {type(layer).__name__}")
        block = cls(
            layer.self_attn.embed_dim,
            layer.self_attn.num_heads,
            layer.linear1.out_features,
            norm_first=layer.norm_first,
            dropout=layer.dropout.p,
            activation=_activation_name(layer.activation),
            layer_norm_eps=layer.norm1.eps,
            bias=layer.linear1.bias is not None,
        )
        block.self_attn = MultiHeadAttention.from_torch(layer.self_attn)
        block.cross_attn = MultiHeadAttention.from_torch(layer.multihead_attn)
        _copy_feed_forward(block.ff, layer)
        for ours, theirs in (
            (block.norm1, layer.norm1),
            (block.norm2, layer.norm2),
            (block.norm3, layer.norm3),
        ):
            ours.load_state_dict(theirs.state_dict())
        return block.to(layer.linear1.weight)


class Transformer(nn.Module):
    """A tiny encoder-decoder Transformer for the worked examples (Vaswani et al., 2017).

    ::

        memory = encoder(dropout(embed(src) * sqrt(d_model) + PE))          # (B, S, d_model)
        hidden = decoder(dropout(embed(tgt) * sqrt(d_model) + PE), memory)  # (B, T, d_model)
        logits = generator(hidden)                                          # (B, T, tgt_vocab)

    The decoder's self-attention is always causal; ``tgt_mask`` (e.g. target padding) is ANDed with it.
    With ``norm_first=True`` a final LayerNorm closes the encoder and the decoder stacks, as pre-norm needs.

    Args:
        vocab_size: source vocabulary (and target vocabulary unless ``tgt_vocab_size`` is given).
        d_model: model width.
        num_heads: attention heads per block.
        d_ff: hidden width of the feed-forward networks.
        num_layers: encoder blocks, and as many decoder blocks.
        tgt_vocab_size: target vocabulary, default ``vocab_size``.
        max_len: longest sequence the sinusoidal table covers.
        dropout: dropout everywhere the paper puts it.
        norm_first: pre-norm blocks.
    """

    positions: Tensor

    def __init__(
        self,
        vocab_size: int,
        d_model: int,
        num_heads: int,
        d_ff: int,
        num_layers: int,
        *,
        tgt_vocab_size: int | None = None,
        max_len: int = 512,
        dropout: float = 0.0,
        norm_first: bool = False,
    ) -> None:
        super().__init__()
        tgt_vocab_size = vocab_size if tgt_vocab_size is None else tgt_vocab_size
        num_layers = check_positive_int("num_layers", num_layers)
        self.d_model = d_model
        self.max_len = check_positive_int("max_len", max_len)
        self.src_embed = nn.Embedding(check_positive_int("vocab_size", vocab_size), d_model)
        self.tgt_embed = nn.Embedding(check_positive_int("tgt_vocab_size", tgt_vocab_size), d_model)
        self.register_buffer("positions", sinusoidal_encoding(max_len, d_model), persistent=False)
        self.dropout = nn.Dropout(dropout)
        self.encoder = nn.ModuleList(
            EncoderBlock(d_model, num_heads, d_ff, norm_first=norm_first, dropout=dropout)
            for _ in range(num_layers)
        )
        self.decoder = nn.ModuleList(
            DecoderBlock(d_model, num_heads, d_ff, norm_first=norm_first, dropout=dropout)
            for _ in range(num_layers)
        )
        self.encoder_norm: nn.Module = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.decoder_norm: nn.Module = nn.LayerNorm(d_model) if norm_first else nn.Identity()
        self.generator = nn.Linear(d_model, tgt_vocab_size)

    def embed(self, ids: Tensor, table: nn.Embedding, name: str) -> Tensor:
        """Token embeddings scaled by ``sqrt(d_model)`` plus sinusoidal positions: ``(B, T) -> (B, T, d)``."""
        ids = check_tensor(name, ids)
        check_ndim(name, ids, (2,), "(B, T) of token ids")
        if ids.shape[1] > self.max_len:
            raise ValueError(
                f"{name}: expected at most max_len={self.max_len} positions, got {fmt_shape(ids.shape)}"
            )
        x = table(ids) * math.sqrt(self.d_model)  # (B, T, d_model)
        return self.dropout(x + self.positions[: ids.shape[1]])

    def encode(self, src: Tensor, src_mask: Tensor | None = None) -> Tensor:
        """Source ids ``(B, S)`` -> memory ``(B, S, d_model)``; ``src_mask``: keep-mask, e.g. (B, 1, S)."""
        x = self.embed(src, self.src_embed, "src")
        for block in self.encoder:
            x = block(x, src_mask)
        return self.encoder_norm(x)

    def decode(
        self, tgt: Tensor, memory: Tensor, src_mask: Tensor | None = None, tgt_mask: Tensor | None = None
    ) -> Tensor:
        """Target ids ``(B, T)`` and memory ``(B, S, d_model)`` -> hidden states ``(B, T, d_model)``."""
        x = self.embed(tgt, self.tgt_embed, "tgt")
        for block in self.decoder:
            x = block(x, memory, tgt_mask, src_mask, tgt_is_causal=True)
        return self.decoder_norm(x)

    def forward(
        self, src: Tensor, tgt: Tensor, src_mask: Tensor | None = None, tgt_mask: Tensor | None = None
    ) -> Tensor:
        """Logits ``(B, T, tgt_vocab)`` for the next target token at each target position."""
        memory = self.encode(src, src_mask)
        return self.generator(self.decode(tgt, memory, src_mask, tgt_mask))


def _activation_name(activation: object) -> Activation:
    """The name of a PyTorch layer's activation ('relu' or 'gelu')."""
    if activation is F.relu or isinstance(activation, nn.ReLU):
        return "relu"
    if activation is F.gelu or (isinstance(activation, nn.GELU) and activation.approximate == "none"):
        return "gelu"
    raise ValueError(f"layer: expected a relu or gelu activation, got {activation!r}")


def _copy_feed_forward(
    ff: FeedForward, layer: nn.TransformerEncoderLayer | nn.TransformerDecoderLayer
) -> None:
    ff.linear1.load_state_dict(layer.linear1.state_dict())
    ff.linear2.load_state_dict(layer.linear2.state_dict())
