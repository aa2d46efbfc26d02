"""Multi-head attention: self-attention, cross-attention, grouped-query attention and the KV cache.

Multi-head attention (Vaswani et al., 2017, "Attention Is All You Need", arXiv:1706.03762) runs ``H``
scaled dot-product attentions side by side, each on its own learned projection of width
``D = d_model / H``, and mixes their outputs with one more projection::

    head_h = Attention(x_q W_h^Q, x_kv W_h^K, x_kv W_h^V)
    MultiHead(x_q, x_kv) = concat(head_1, ..., head_H) W^O

* Self-attention: queries, keys and values all come from the same sequence (``key = value = query``).
* Cross-attention: queries come from the decoder, keys and values from the encoder output; the lengths
  ``L`` and ``S`` may differ.
* Grouped-query attention (Ainslie et al., 2023, "GQA: Training Generalized Multi-Query Transformer Models
  from Multi-Head Checkpoints", arXiv:2305.13245): only ``Hkv`` key/value heads, each shared by
  ``H / Hkv`` query heads. ``Hkv = 1`` is multi-query attention (Shazeer, 2019, "Fast Transformer
  Decoding: One Write-Head is All You Need", arXiv:1911.02150). It shrinks the KV cache by ``H / Hkv``.
* KV cache: when a decoder generates one token at a time, the keys and values of the earlier tokens do
  not change, so they are kept and only the new token's are computed. The caches live in
  :mod:`attention_book.kv_cache`: :class:`KVCache`, and :class:`RollingKVCache` for sliding-window
  attention with attention sinks.

Shapes: input ``(B, L, d_model)``; per-head tensors ``(B, H, L, D)``; weights ``(B, H, L, S)``.

Arguments are checked once, in :meth:`MultiHeadAttention.forward`: the mask becomes a bool tensor of the
right shape there, and the attention below (:func:`attention_book.core.attend`) takes it as it is.
"""

from __future__ import annotations

from typing import Self

import torch
from torch import Tensor, nn

from ._checks import as_keep_mask, check_broadcasts, check_ndim, check_positive_int, check_tensor, fmt_shape
from .core import attend
from .kv_cache import Cache, KVCache, RollingKVCache

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention(nn.Module):
    r"""Multi-head attention with optional grouped-query heads and a KV cache.

    .. math::

        \mathrm{MultiHead}(X_q, X_{kv}) = \mathrm{concat}_h\Big(
            \mathrm{softmax}\big(\tfrac{(X_q W^Q_h)(X_{kv} W^K_{g(h)})^\top}{\sqrt{D}} + B + M\big)
            X_{kv} W^V_{g(h)}\Big) W^O

    where ``g(h) = h // (H / Hkv)`` is the key/value head that query head ``h`` reads.

    Args:
        d_model: model width ``E``; must be divisible by ``num_heads``.
        num_heads: number of query heads ``H``; head width ``D = d_model / H``.
        num_kv_heads: number of key/value heads ``Hkv`` (default ``H``); must divide ``H``.
        dropout: dropout on the attention weights, in training mode only.
        bias: whether the four projections have a bias.

    Example::

        attn = MultiHeadAttention(d_model=512, num_heads=8)
        out, weights = attn(query=x, key=x, value=x, mask=torch.tril(torch.ones(n, n)))
        # out (B, n, 512), weights (B, 8, n, n)
    """

    def __init__(
        self,
        d_model: int,
        num_heads: int,
        *,
        num_kv_heads: int | None = None,
        dropout: float = 0.0,
        bias: bool = True,
    ) -> None:
        super().__init__()
        d_model = check_positive_int("d_model", d_model)
        num_heads = check_positive_int("num_heads", num_heads)
        num_kv_heads = num_heads if num_kv_heads is None else check_positive_int("num_kv_heads", num_kv_heads)
        if d_model % num_heads != 0:
            raise ValueError(f"num_heads: expected a divisor of d_model={d_model}, got {num_heads}")
        if num_heads % num_kv_heads != 0:
            raise ValueError(f"num_kv_heads: expected a divisor of num_heads={num_heads}, got {num_kv_heads}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout: expected a probability in [0, 1), got {dropout!r}")
        self.d_model = d_model
        self.num_heads = num_heads
        self.num_kv_heads = num_kv_heads
        self.head_dim = d_model // num_heads
        self.dropout = dropout
        kv_width = num_kv_heads * self.head_dim
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, kv_width, bias=bias)
        self.v_proj = nn.Linear(d_model, kv_width, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)

    def forward(
        self,
        query: Tensor,
        key: Tensor | None = None,
        value: Tensor | None = None,
        mask: Tensor | None = None,
        *,
        bias: Tensor | None = None,
        is_causal: bool = False,
        cache: Cache | None = None,
        need_weights: bool = True,
    ) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` to ``key``/``value``.

        Args:
            query: ``(B, L, d_model)``.
            key: ``(B, S, d_model)``; default ``query`` (self-attention).
            value: ``(B, S, d_model)``; default ``key``.
            mask: keep-mask (``True`` / nonzero = may attend), one of ``(L, S)``, ``(B, L, S)`` (shared by
                all heads) or ``(B, H, L, S)``, or anything that broadcasts to them.
            bias: additive float bias broadcasting to ``(B, H, L, S)``, e.g. ALiBi's ``(H, L, S)``.
            is_causal: query ``i`` attends to keys ``j <= i``. Without a cache this is PyTorch's top-left
                alignment; with a cache the new queries come after the ``len(cache)`` cached positions,
                so query ``i`` attends to keys ``j <= len(cache) + i`` (bottom-right alignment).
            cache: a :class:`KVCache`: the new keys and values are appended to it and the query attends
                to all of them (``S`` = cached + new). Or a :class:`RollingKVCache`: the query attends to
                the keys in its window and the sinks; it needs ``is_causal=True``, no ``mask``, no ``bias``.
            need_weights: return the weights; if ``False`` use the fused kernel and return ``None``.

        Returns:
            ``(output (B, L, d_model), weights (B, H, L, S) or None)``. With a :class:`RollingKVCache` the
            keys, and so the weights, are in the cache's slot order (see ``cache.positions``).
        """
        # The door: every argument is checked here, before the cache changes, and only here.
        query, key, value = self._check_inputs(query, key, value)
        _check_cache(cache, mask, bias, is_causal)
        B, L, _ = query.shape
        S = key.shape[1] + (len(cache) if isinstance(cache, KVCache) else 0)
        keep = self._check_mask(mask, B, L, S, query.device)  # bool, broadcasts to (B, H, L, S)
        if bias is not None:
            check_broadcasts("bias", check_tensor("bias", bias), (B, self.num_heads, L, S))

        q = self._split_heads(self.q_proj(query), self.num_heads)  # (B, H, L, D)
        k = self._split_heads(self.k_proj(key), self.num_kv_heads)  # (B, Hkv, S_new, D)
        v = self._split_heads(self.v_proj(value), self.num_kv_heads)  # (B, Hkv, S_new, D)
        causal_offset: int | None = 0 if is_causal else None  # query i sees keys j <= i + offset
        if isinstance(cache, KVCache):
            causal_offset = len(cache) if is_causal else None  # the new queries follow the cached keys
            k, v = cache.update(k, v)  # (B, Hkv, S, D), S = cached + new
        elif isinstance(cache, RollingKVCache):
            k, v = cache.update(k, v)  # (B, Hkv, S, D): the window, the sinks and the new keys
            keep, causal_offset = cache.keep_mask(), None  # causal window mask, (L, S) or None

        out, weights = attend(
            q,
            k,
            v,
            keep,
            bias=bias,
            causal_offset=causal_offset,
            dropout_p=self.dropout if self.training else 0.0,
            need_weights=need_weights,
            enable_gqa=self.num_kv_heads != self.num_heads,  # query head h reads kv head h // (H / Hkv)
        )  # out (B, H, L, D), weights (B, H, L, S)
        return self.out_proj(self._merge_heads(out)), weights

    @classmethod
    def from_torch(cls, module: nn.MultiheadAttention) -> Self:
        """A copy of a PyTorch ``nn.MultiheadAttention`` with the same weights.

        PyTorch stores the three input projections stacked in ``in_proj_weight`` ``(3E, E)``; they are
        split into ``q_proj``, ``k_proj`` and ``v_proj``. This module is always batch-first: if
        ``module.batch_first`` is ``False``, feed it ``(L, B, E)`` and this copy ``(B, L, E)``.
        Remember that PyTorch's boolean masks mean ``True`` = *masked*; ours mean ``True`` = *keep*.
        ``kdim``/``vdim`` different from ``embed_dim``, ``add_bias_kv`` and ``add_zero_attn`` are not
        supported.
        """
        _check_torch_module(module)
        has_bias = module.in_proj_bias is not None
        copy = cls(module.embed_dim, module.num_heads, dropout=module.dropout, bias=has_bias)
        copy.to(module.in_proj_weight)  # same device and dtype
        _copy_torch_weights(module, copy)
        return copy

    def _split_heads(self, x: Tensor, num_heads: int) -> Tensor:
        """(B, T, num_heads * D) -> (B, num_heads, T, D)."""
        B, T, _ = x.shape
        return x.view(B, T, num_heads, self.head_dim).transpose(1, 2)

    def _merge_heads(self, x: Tensor) -> Tensor:
        """(B, H, T, D) -> (B, T, H * D): the heads side by side, ready for the output projection."""
        B, _, T, _ = x.shape
        return x.transpose(1, 2).reshape(B, T, self.d_model)

    def _check_mask(self, mask: object, B: int, L: int, S: int, device: torch.device) -> Tensor | None:
        """The keep-mask as bool, shaped to broadcast to (B, H, L, S); a 3-D mask is (B, L, S)."""
        if mask is None:
            return None
        keep = as_keep_mask("mask", mask)
        check_ndim("mask", keep, (2, 3, 4), "(L, S), (B, L, S) or (B, H, L, S)")
        if keep.dim() == 4:
            check_broadcasts("mask", keep, (B, self.num_heads, L, S))
        else:
            check_broadcasts("mask", keep, (B, L, S)[-keep.dim() :])
        if keep.dim() == 3:
            keep = keep.unsqueeze(1)  # (B, 1, L, S): the same mask for every head
        return keep.to(device)

    def _check_inputs(
        self, query: object, key: object | None, value: object | None
    ) -> tuple[Tensor, Tensor, Tensor]:
        q = check_tensor("query", query)
        k = q if key is None else check_tensor("key", key)
        v = k if value is None else check_tensor("value", value)
        for name, x in (("query", q), ("key", k), ("value", v)):
            check_ndim(name, x, (3,), f"(B, length, d_model={self.d_model})")
            if x.shape[-1] != self.d_model:
                raise ValueError(
                    f"{name}: expected last dimension d_model={self.d_model}, got {fmt_shape(x.shape)}"
                )
        if k.shape[0] != q.shape[0] or v.shape[0] != q.shape[0]:
            raise ValueError(
                f"key: expected batch size {q.shape[0]} (the query's), "
                f"got key {fmt_shape(k.shape)} and value {fmt_shape(v.shape)}"
            )
        if v.shape[1] != k.shape[1]:
            raise ValueError(f"value: expected length {k.shape[1]} (the key's), got {fmt_shape(v.shape)}")
        return q, k, v


def _check_cache(cache: object, mask: object, bias: object, is_causal: bool) -> None:
    """A cache is a KVCache or a RollingKVCache; the rolling one brings its own (causal window) mask."""
    if cache is None or isinstance(cache, KVCache):
        return
    if not isinstance(cache, RollingKVCache):
        raise ValueError(f"cache: expected a KVCache or a RollingKVCache, got {type(cache).__name__}")
    if not is_causal:
        raise ValueError("is_causal: expected True with a RollingKVCache (its window is causal), got False")
    if mask is not None or bias is not None:
        name = "mask" if mask is not None else "bias"
        raise ValueError(
            f"{name}: expected None with a RollingKVCache (its keys are in slot order), got a tensor"
        )


def _check_torch_module(module: object) -> None:
    """``from_torch`` copies plain ``nn.MultiheadAttention`` modules only."""
    if not isinstance(module, nn.MultiheadAttention):
        raise ValueError(f"module: expected an nn.MultiheadAttention, got {type(module).__name__}")
    if not module._qkv_same_embed_dim:
        raise ValueError(
            f"module: expected kdim == vdim == embed_dim ({module.embed_dim}), "
            f"got kdim={module.kdim}, vdim={module.vdim}"
        )
    if module.bias_k is not None or module.add_zero_attn:
        raise ValueError("module: expected add_bias_kv=False and add_zero_attn=False, got True")


def _copy_torch_weights(module: nn.MultiheadAttention, copy: MultiHeadAttention) -> None:
    """Split PyTorch's stacked ``in_proj_weight`` ``(3E, E)`` into our three projections; copy the rest."""
    with torch.no_grad():
        w_q, w_k, w_v = module.in_proj_weight.chunk(3)  # (E, E) each
        copy.q_proj.weight.copy_(w_q)
        copy.k_proj.weight.copy_(w_k)
        copy.v_proj.weight.copy_(w_v)
        copy.out_proj.weight.copy_(module.out_proj.weight)
        if module.in_proj_bias is not None:
            b_q, b_k, b_v = module.in_proj_bias.chunk(3)  # (E,) each
            copy.q_proj.bias.copy_(b_q)
            copy.k_proj.bias.copy_(b_k)
            copy.v_proj.bias.copy_(b_v)
            copy.out_proj.bias.copy_(module.out_proj.bias)
