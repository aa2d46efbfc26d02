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
  not change, so they are kept and only the new token's are computed.

Shapes: input ``(B, L, d_model)``; per-head tensors ``(B, H, L, D)``; weights ``(B, H, L, S)``.
"""

from __future__ import annotations

from typing import Self

import torch
from torch import Tensor, nn

from ._checks import as_keep_mask, check_broadcasts, check_ndim, check_positive_int, check_tensor, fmt_shape
from .core import scaled_dot_product_attention
from .masks import causal_mask, combine_masks

__all__ = ["KVCache", "MultiHeadAttention"]


class KVCache:
    """The keys and values of one attention layer, grown one step at a time during decoding.

    Keys and values are stored per head, after projection: ``(B, Hkv, T, D)``, where ``T`` is the number
    of positions seen so far. A model with ``N`` layers keeps ``N`` caches, one per layer.

    Example::

        cache = KVCache()
        for t in range(n):
            out, _ = attn(x[:, t : t + 1], cache=cache, is_causal=True)   # len(cache) == t + 1 after
    """

    def __init__(self) -> None:
        self.keys: Tensor | None = None  # (B, Hkv, T, D)
        self.values: Tensor | None = None  # (B, Hkv, T, D)

    def append(self, keys: Tensor, values: Tensor) -> None:
        """Append new keys and values ``(B, Hkv, T_new, D)`` along the time dimension."""
        keys = check_tensor("keys", keys)
        values = check_tensor("values", values)
        check_ndim("keys", keys, (4,), "(B, Hkv, T, D)")
        check_ndim("values", values, (4,), "(B, Hkv, T, D)")
        if values.shape[:3] != keys.shape[:3]:
            raise ValueError(
                f"values: expected shape ({', '.join(map(str, keys.shape[:3]))}, Dv) like the keys, "
                f"got {fmt_shape(values.shape)}"
            )
        if self.keys is None or self.values is None:
            self.keys, self.values = keys, values
            return
        for name, new, old in (("keys", keys, self.keys), ("values", values, self.values)):
            if new.shape[:2] != old.shape[:2] or new.shape[3] != old.shape[3]:
                raise ValueError(
                    f"{name}: expected shape ({old.shape[0]}, {old.shape[1]}, T, {old.shape[3]}) "
                    f"to match the cache, got {fmt_shape(new.shape)}"
                )
        self.keys = torch.cat([self.keys, keys], dim=2)  # (B, Hkv, T + T_new, D)
        self.values = torch.cat([self.values, values], dim=2)

    def update(self, keys: Tensor, values: Tensor) -> tuple[Tensor, Tensor]:
        """Append new keys and values, then return all of them: ``(B, Hkv, T, D)`` each."""
        self.append(keys, values)
        assert self.keys is not None and self.values is not None
        return self.keys, self.values

    def reset(self) -> None:
        """Forget everything, e.g. before generating a new sequence."""
        self.keys = None
        self.values = None

    def __len__(self) -> int:
        """Number of cached positions ``T``."""
        return 0 if self.keys is None else self.keys.shape[2]

    @property
    def nbytes(self) -> int:
        """Memory held by the cached keys and values, in bytes."""
        if self.keys is None or self.values is None:
            return 0
        return self.keys.numel() * self.keys.element_size() + self.values.numel() * self.values.element_size()


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
        cache: KVCache | None = None,
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
                so query ``i`` attends to keys ``j <= len(cache) + i``.
            cache: a :class:`KVCache`; the new keys and values are appended to it and the query attends
                to all of them (``S`` = cached + new).
            need_weights: return the weights; if ``False`` use the fused kernel and return ``None``.

        Returns:
            ``(output (B, L, d_model), weights (B, H, L, S) or None)``.
        """
        query, key, value = self._check_inputs(query, key, value)
        B, L, _ = query.shape

        q = self._split_heads(self.q_proj(query), self.num_heads)  # (B, H, L, D)
        k = self._split_heads(self.k_proj(key), self.num_kv_heads)  # (B, Hkv, S, D)
        v = self._split_heads(self.v_proj(value), self.num_kv_heads)  # (B, Hkv, S, D)

        past = 0
        if cache is not None:
            past = len(cache)
            k, v = cache.update(k, v)  # (B, Hkv, past + S, D)
        S = k.shape[2]

        group = self.num_heads // self.num_kv_heads
        k = k.repeat_interleave(group, dim=1)  # (B, H, S, D): kv head g serves query heads g*group ...
        v = v.repeat_interleave(group, dim=1)  # (B, H, S, D)

        keep = self._heads_mask(mask, B, L, S)  # broadcasts to (B, H, L, S)
        if is_causal and cache is not None:
            keep = combine_masks(keep, causal_mask(L, S, offset=past, device=query.device))
            is_causal = False

        out, weights = scaled_dot_product_attention(
            q,
            k,
            v,
            keep,
            bias=bias,
            is_causal=is_causal,
            dropout_p=self.dropout if self.training else 0.0,
            need_weights=need_weights,
        )  # out (B, H, L, D), weights (B, H, L, S)
        out = out.transpose(1, 2).reshape(B, L, self.d_model)  # (B, L, H * D)
        return self.out_proj(out), weights

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
        if not isinstance(module, nn.MultiheadAttention):
            raise ValueError(f"module: expected an nn.MultiheadAttention, got {type(module).__name__}")
        if not module._qkv_same_embed_dim:
            raise ValueError(
                f"module: expected kdim == vdim == embed_dim ({module.embed_dim}), "
                f"got kdim={module.kdim}, vdim={module.vdim}"
            )
        if module.bias_k is not None or module.add_zero_attn:
            raise ValueError("module: expected add_bias_kv=False and add_zero_attn=False, got True")
        has_bias = module.in_proj_bias is not None
        copy = cls(module.embed_dim, module.num_heads, dropout=module.dropout, bias=has_bias)
        copy.to(module.in_proj_weight)  # same device and dtype
        with torch.no_grad():
            w_q, w_k, w_v = module.in_proj_weight.chunk(3)  # (E, E) each
            copy.q_proj.weight.copy_(w_q)
            copy.k_proj.weight.copy_(w_k)
            copy.v_proj.weight.copy_(w_v)
            copy.out_proj.weight.copy_(module.out_proj.weight)
            if has_bias:
                b_q, b_k, b_v = module.in_proj_bias.chunk(3)  # (E,) each
                copy.q_proj.bias.copy_(b_q)
                copy.k_proj.bias.copy_(b_k)
                copy.v_proj.bias.copy_(b_v)
                copy.out_proj.bias.copy_(module.out_proj.bias)
        return copy

    def _split_heads(self, x: Tensor, num_heads: int) -> Tensor:
        """(B, T, num_heads * D) -> (B, num_heads, T, D)."""
        B, T, _ = x.shape
        return x.view(B, T, num_heads, self.head_dim).transpose(1, 2)

    def _heads_mask(self, mask: Tensor | None, B: int, L: int, S: int) -> Tensor | None:
        """Bring a keep-mask to a shape that broadcasts to (B, H, L, S); a 3-D mask is (B, L, S)."""
        if mask is None:
            return None
        keep = as_keep_mask("mask", mask)
        check_ndim("mask", keep, (2, 3, 4), "(L, S), (B, L, S) or (B, H, L, S)")
        if keep.dim() == 4:
            check_broadcasts("mask", keep, (B, self.num_heads, L, S))
            return keep
        check_broadcasts("mask", keep, (B, L, S)[-keep.dim() :])
        if keep.dim() == 3:
            keep = keep.unsqueeze(1)  # (B, 1, L, S): the same mask for every head
        return keep

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
