"""Scaled dot-product attention, written out step by step.

Attention, as defined in Vaswani et al. (2017), "Attention Is All You Need", arXiv:1706.03762::

    Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V

Each of the ``L`` queries is compared with each of the ``S`` keys by a dot product; the scores of one
query are turned into weights that sum to one by a softmax; the output for that query is the weighted
average of the values.

This module adds the details that a real implementation needs:

* a keep-mask (``True`` = may attend) and a causal option, applied as ``-inf`` logits;
* an additive ``bias`` (ALiBi, relative positions) added to the logits before the softmax;
* a softmax that is stable for huge logits (the row maximum is subtracted first) and that gives a row
  whose keys are all masked zero weights instead of ``NaN`` (``0 / 0``);
* grouped-query attention (``enable_gqa``): several query heads share one key/value head;
* a fast path through PyTorch's fused kernel, ``torch.nn.functional.scaled_dot_product_attention``,
  when the weights are not needed. Causal attention without other masks reaches that kernel as
  ``is_causal`` (or PyTorch's bottom-right causal bias), never as an ``L x S`` mask built here.

Shapes are batch-first: query ``(..., L, E)``, key ``(..., S, E)``, value ``(..., S, Ev)``,
weights ``(..., L, S)``, output ``(..., L, Ev)``. ``...`` is any number of batch dimensions, typically
``(B,)`` or ``(B, H)``.

Arguments are checked once, by the public functions (:func:`scaled_dot_product_attention`,
:func:`masked_softmax`). :func:`attend` is the same computation without the checks, for callers such as
:class:`~attention_book.multihead.MultiHeadAttention` that have checked their own arguments already.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from ._checks import broadcast_shapes, check_broadcasts, check_keep_mask, check_qkv, check_tensor

__all__ = ["attend", "masked_softmax", "scaled_dot_product_attention"]

_HALF_DTYPES = (torch.float16, torch.bfloat16)


def masked_softmax(scores: Tensor, mask: Tensor | None = None, dim: int = -1) -> Tensor:
    r"""Softmax over ``dim`` that ignores masked entries and is safe for fully-masked rows.

    .. math::

        w_{ij} = \frac{m_{ij} \exp(s_{ij} - \max_k s_{ik})}{\sum_k m_{ik} \exp(s_{ik} - \max_k s_{ik})}

    where ``m`` is the keep-mask (1 = may attend). Subtracting the row maximum changes nothing
    mathematically but keeps ``exp`` from overflowing (logits of ``1e4`` are fine). A row in which every
    entry is masked (or ``-inf``) has a zero denominator; it gets all-zero weights instead of ``NaN``.

    Args:
        scores: logits, any shape, e.g. ``(B, H, L, S)``. May already contain ``-inf``.
        mask: keep-mask that broadcasts to ``scores``; bool, or float/int where nonzero = keep.
        dim: the dimension to normalise over (the key dimension).

    Returns:
        Weights with the shape and dtype of ``scores``. float16 and bfloat16 are computed in float32.
    """
    scores = check_tensor("scores", scores)
    keep = None if mask is None else check_keep_mask("mask", mask, scores.shape)
    return _masked_softmax(scores, keep, dim)


def _masked_softmax(scores: Tensor, keep: Tensor | None, dim: int = -1) -> Tensor:
    """:func:`masked_softmax` for a checked bool ``keep`` (or ``None``)."""
    out_dtype = scores.dtype
    if out_dtype in _HALF_DTYPES:
        scores = scores.float()
    if keep is not None:
        scores = scores.masked_fill(~keep, float("-inf"))
    row_max = scores.amax(dim=dim, keepdim=True)
    # A fully-masked row has max -inf; -inf - (-inf) would be NaN, so subtract 0 there instead.
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    exp = torch.exp(scores - row_max)  # masked entries: exp(-inf) = 0
    total = exp.sum(dim=dim, keepdim=True)
    # Fully-masked rows: total is 0 and every exp is 0; dividing by 1 leaves zeros (and no NaN gradients).
    total = total.masked_fill(total == 0, 1.0)
    return (exp / total).to(out_dtype)


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    mask: Tensor | None = None,
    *,
    bias: Tensor | None = None,
    is_causal: bool = False,
    causal_offset: int = 0,
    scale: float | None = None,
    dropout_p: float = 0.0,
    need_weights: bool = True,
    enable_gqa: bool = False,
) -> tuple[Tensor, Tensor | None]:
    r"""Scaled dot-product attention with a keep-mask, an additive bias and a causal option.

    .. math::

        \mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{E}} + B + M\right) V

    where ``B`` is ``bias`` and ``M`` is ``0`` where the keep-mask (and, if ``is_causal``, the causal
    mask) allows attention and ``-inf`` elsewhere.

    Args:
        query: ``(..., L, E)``; with ``enable_gqa``, ``(..., H, L, E)``.
        key: ``(..., S, E)``; with ``enable_gqa``, ``(..., Hkv, S, E)``.
        value: ``(..., S, Ev)``; with ``enable_gqa``, ``(..., Hkv, S, Ev)``.
        mask: keep-mask broadcasting to ``(..., L, S)``: ``True`` / nonzero = query may attend to key.
        bias: float tensor broadcasting to ``(..., L, S)``, added to the scaled scores (ALiBi, T5).
        is_causal: query ``i`` may attend to keys ``j <= i + causal_offset`` only.
        causal_offset: ``0`` (the default) aligns the causal mask top-left, exactly like PyTorch's
            ``is_causal`` (``torch.ones(L, S).tril()``). With a KV cache the queries are the *last* ``L``
            of ``S`` positions: pass ``causal_offset=S - L`` (bottom-right alignment, PyTorch's
            ``torch.nn.attention.bias.causal_lower_right``), the same as
            ``mask=masks.causal_mask(L, S, offset=S - L)`` but without building the mask.
        scale: multiplier of ``Q K^T``; default ``1 / sqrt(E)``.
        dropout_p: probability of zeroing an attention weight (applied whenever > 0, as in PyTorch;
            modules pass ``0.0`` in eval mode).
        need_weights: if ``False``, the output is computed by PyTorch's fused kernel and the weights are
            not materialised; ``None`` is returned in their place.
        enable_gqa: grouped-query attention (Ainslie et al., 2023, arXiv:2305.13245), as PyTorch's
            ``enable_gqa``: query head ``h`` reads key/value head ``h // (H / Hkv)``.

    Returns:
        ``(output, weights)``: output ``(..., L, Ev)``; weights ``(..., L, S)`` or ``None``.
        A query whose keys are all masked gets zero weights and a zero output.
    """
    query, key, value = check_qkv(query, key, value, enable_gqa=enable_gqa)
    weights_shape = _weights_shape(query, key, value, enable_gqa)
    keep = None if mask is None else check_keep_mask("mask", mask, weights_shape).to(query.device)
    if bias is not None:
        check_broadcasts("bias", check_tensor("bias", bias), weights_shape)
    if isinstance(causal_offset, bool) or not isinstance(causal_offset, int):
        raise ValueError(f"causal_offset: expected an integer, got {causal_offset!r}")
    if causal_offset != 0 and not is_causal:
        raise ValueError(f"causal_offset: expected 0 unless is_causal=True, got {causal_offset}")
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"dropout_p: expected a probability in [0, 1), got {dropout_p!r}")
    return attend(
        query,
        key,
        value,
        keep,
        bias=bias,
        causal_offset=causal_offset if is_causal else None,
        scale=scale,
        dropout_p=dropout_p,
        need_weights=need_weights,
        enable_gqa=enable_gqa,
    )


def attend(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    keep: Tensor | None = None,
    *,
    bias: Tensor | None = None,
    causal_offset: int | None = None,
    scale: float | None = None,
    dropout_p: float = 0.0,
    need_weights: bool = True,
    enable_gqa: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """:func:`scaled_dot_product_attention` for arguments that the caller has checked already.

    Nothing is checked here: ``keep`` is a bool keep-mask on the query's device that broadcasts to the
    weights ``(..., L, S)``, ``bias`` broadcasts to them, ``dropout_p`` is in ``[0, 1)``.
    ``causal_offset`` is ``None`` for no causal mask, else query ``i`` sees keys ``j <= i + causal_offset``.
    """
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    if need_weights:
        return _explicit_attention(query, key, value, keep, bias, causal_offset, scale, dropout_p, enable_gqa)
    output = _fused_attention(query, key, value, keep, bias, causal_offset, scale, dropout_p, enable_gqa)
    return output, None


def _explicit_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    keep: Tensor | None,
    bias: Tensor | None,
    causal_offset: int | None,
    scale: float,
    dropout_p: float,
    enable_gqa: bool,
) -> tuple[Tensor, Tensor]:
    """The textbook path: materialise the scores, softmax them, average the values."""
    dtype = query.dtype
    if dtype in _HALF_DTYPES:  # half precision: compute in float32, as fused kernels do internally
        query, key, value = query.float(), key.float(), value.float()
        bias = None if bias is None else bias.float()
    groups = query.shape[-3] // key.shape[-3] if enable_gqa else 1
    L, S = query.shape[-2], key.shape[-2]
    keep = _and(keep, _causal_keep(L, S, causal_offset, query.device))
    scores = _grouped_matmul(query * scale, key.transpose(-2, -1), groups)  # (..., L, S) = Q K^T * scale
    if bias is not None:
        scores = scores + bias
    if keep is None and bias is None:  # nothing masked, no row empty: PyTorch's softmax, one pass
        weights = torch.softmax(scores, dim=-1)
    else:
        weights = _masked_softmax(scores, keep)  # (..., L, S); rows sum to 1, or 0 if fully masked
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    output = _grouped_matmul(weights, value, groups)  # (..., L, Ev)
    return output.to(dtype), weights.to(dtype)


def _fused_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    keep: Tensor | None,
    bias: Tensor | None,
    causal_offset: int | None,
    scale: float,
    dropout_p: float,
    enable_gqa: bool,
) -> Tensor:
    """The fast path: PyTorch's fused kernel, with fully-masked rows set to zero afterwards.

    Without a keep-mask and a bias, the causal mask is handed to the kernel in PyTorch's own terms
    (:func:`_fused_unmasked`), so that it can skip the blocks above the diagonal; no row can be empty
    then. Otherwise the masks are combined here, and PyTorch's kernel, which returns ``NaN`` for a query
    whose keys are all masked, never sees such a row: those rows get a dummy "keep everything" mask, and
    their outputs are zeroed after the call.
    """
    if keep is None and bias is None:
        output = _fused_unmasked(query, key, value, causal_offset, scale, dropout_p, enable_gqa)
        if output is not None:
            return output
    L, S = query.shape[-2], key.shape[-2]
    keep = _and(keep, _causal_keep(L, S, causal_offset, query.device))
    attn_mask: Tensor | None = None
    empty_rows: Tensor | None = None  # (..., L, 1), True where a query may attend to nothing
    if bias is None:
        if keep is not None:
            empty_rows = ~keep.any(dim=-1, keepdim=True)
            attn_mask = keep | empty_rows  # bool keep-mask, the same convention as ours
    else:
        additive = bias.to(query.dtype)
        if keep is not None:
            additive = additive.masked_fill(~keep, float("-inf"))  # (..., L, S)
        empty_rows = torch.isneginf(additive).all(dim=-1, keepdim=True)
        attn_mask = additive.masked_fill(empty_rows, 0.0)
    output = F.scaled_dot_product_attention(
        query, key, value, attn_mask=attn_mask, dropout_p=dropout_p, scale=scale, enable_gqa=enable_gqa
    )  # (..., L, Ev)
    if empty_rows is not None:
        output = output.masked_fill(empty_rows, 0.0)
    return output


def _fused_unmasked(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    causal_offset: int | None,
    scale: float,
    dropout_p: float,
    enable_gqa: bool,
) -> Tensor | None:
    """No keep-mask and no bias: the causal mask in PyTorch's own terms, or ``None`` if it has none.

    * Nothing to mask (not causal, or each query sees every key, as one new token with a KV cache does):
      plain attention.
    * ``causal_offset = 0``, top-left: PyTorch's ``is_causal=True``.
    * ``causal_offset = S - L``, bottom-right (the queries are the last ``L`` of ``S`` positions, as with
      a KV cache): PyTorch's ``causal_lower_right(L, S)``. On the CPU it builds the ``(L, S)`` mask; on a
      GPU it selects a kernel that needs none.

    Anything else, such as a bottom-right mask with more queries than keys (its first queries see no key,
    and PyTorch's kernel warns that they come out NaN), returns ``None``: the caller's general way zeroes
    such rows.
    """
    L, S = query.shape[-2], key.shape[-2]
    sdpa = functools.partial(F.scaled_dot_product_attention, dropout_p=dropout_p, scale=scale)
    if causal_offset is None or causal_offset >= S - 1:
        return _grouped_sdpa(query, key, value, sdpa) if enable_gqa else sdpa(query, key, value)
    if causal_offset == 0:
        return sdpa(query, key, value, is_causal=True, enable_gqa=enable_gqa)
    if causal_offset == S - L and S >= L:  # L > S: the first queries see no key (the general way)
        # Imported here: torch.nn.attention.bias pulls in torch._dynamo, seconds of start-up for every
        # program that imports attention_book, and only a chunk of queries over a cache needs it.
        from torch.nn.attention.bias import causal_lower_right

        return sdpa(query, key, value, attn_mask=causal_lower_right(L, S), enable_gqa=enable_gqa)
    return None


def _grouped_sdpa(query: Tensor, key: Tensor, value: Tensor, sdpa: Callable[..., Tensor]) -> Tensor:
    """Grouped-query attention with nothing masked, computed as plain attention over ``Hkv`` heads.

    With no mask, the ``G = H / Hkv`` query heads that share a key/value head are just ``G * L`` queries
    against the same keys and values. Stacked, ``(..., H, L, E) -> (..., Hkv, G * L, E)``, they make
    ordinary attention, in which PyTorch's kernel reads each key and value once; with ``enable_gqa`` its
    CPU kernel reads them once per query head. Decoding one token with a KV cache, which is bound by
    reading the cache, is this case.
    """
    groups = query.shape[-3] // key.shape[-3]
    *batch, heads, L, E = query.shape
    stacked = query.reshape(*batch, heads // groups, groups * L, E)  # rows of heads g*G ... g*G + G - 1
    out = sdpa(stacked, key, value)  # (..., Hkv, G * L, Ev)
    return out.reshape(*out.shape[:-3], heads, L, out.shape[-1])  # (..., H, L, Ev); a copy only if needed


def _causal_keep(L: int, S: int, offset: int | None, device: torch.device) -> Tensor | None:
    """The causal keep-mask ``(L, S)``: key ``j`` is kept for query ``i`` when ``j <= i + offset``."""
    if offset is None or offset >= S - 1:  # nothing would be masked
        return None
    return torch.ones(L, S, dtype=torch.bool, device=device).tril(diagonal=offset)


def _and(keep: Tensor | None, other: Tensor | None) -> Tensor | None:
    """Logical AND of two checked keep-masks, either of which may be ``None`` (= keep everything)."""
    if keep is None:
        return other
    return keep if other is None else keep & other


def _grouped_matmul(a: Tensor, b: Tensor, groups: int) -> Tensor:
    """``a (..., H, L, X) @ b (..., H / groups, X, Y) -> (..., H, L, Y)``: head ``h`` reads ``h // groups``.

    Grouped-query attention without copying the keys and values: the ``groups`` query heads that share
    key/value head ``g`` are stacked into one ``(groups * L, X)`` matrix and multiplied by that head
    once. (``b.repeat_interleave(groups, dim=-3)`` gives the same result, but copies every key and
    value ``groups`` times.)
    """
    if groups == 1:
        return a @ b
    *batch, heads, L, X = a.shape
    stacked = a.reshape(
        *batch, heads // groups, groups * L, X
    )  # rows of heads g*groups ... g*groups+groups-1
    out = stacked @ b  # (..., H / groups, groups * L, Y)
    return out.reshape(*out.shape[:-3], heads, L, out.shape[-1])


def _weights_shape(query: Tensor, key: Tensor, value: Tensor, enable_gqa: bool) -> tuple[int, ...]:
    """The shape of the weights ``(..., L, S)``: the batch dimensions broadcast, then ``L`` and ``S``.

    With ``enable_gqa`` the heads are the query's, and the dimensions before them broadcast.
    :func:`check_qkv` has already checked that they do.
    """
    batch_end = -3 if enable_gqa else -2  # the batch dimensions come before this one
    heads = query.shape[-3:-2] if enable_gqa else ()
    batch = broadcast_shapes(query.shape[:batch_end], key.shape[:batch_end], value.shape[:batch_end])
    assert batch is not None, "check_qkv lets only broadcastable batch dimensions through"
    return (*batch, *heads, query.shape[-2], key.shape[-2])
