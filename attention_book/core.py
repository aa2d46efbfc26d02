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
* a fast path through PyTorch's fused kernel, ``torch.nn.functional.scaled_dot_product_attention``,
  when the weights are not needed.

Shapes are batch-first: query ``(..., L, E)``, key ``(..., S, E)``, value ``(..., S, Ev)``,
weights ``(..., L, S)``, output ``(..., L, Ev)``. ``...`` is any number of batch dimensions, typically
``(B,)`` or ``(B, H)``.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from ._checks import as_keep_mask, check_broadcasts, check_qkv, check_tensor

__all__ = ["masked_softmax", "scaled_dot_product_attention"]

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
    out_dtype = scores.dtype
    if out_dtype in _HALF_DTYPES:
        scores = scores.float()
    if mask is not None:
        keep = as_keep_mask("mask", mask)
        check_broadcasts("mask", keep, scores.shape)
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
    scale: float | None = None,
    dropout_p: float = 0.0,
    need_weights: bool = True,
) -> tuple[Tensor, Tensor | None]:
    r"""Scaled dot-product attention with a keep-mask, an additive bias and a causal option.

    .. math::

        \mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{E}} + B + M\right) V

    where ``B`` is ``bias`` and ``M`` is ``0`` where the keep-mask (and, if ``is_causal``, the causal
    mask) allows attention and ``-inf`` elsewhere.

    Args:
        query: ``(..., L, E)``.
        key: ``(..., S, E)``.
        value: ``(..., S, Ev)``.
        mask: keep-mask broadcasting to ``(..., L, S)``: ``True`` / nonzero = query may attend to key.
        bias: float tensor broadcasting to ``(..., L, S)``, added to the scaled scores (ALiBi, T5).
        is_causal: query ``i`` may attend to keys ``j <= i`` only. Aligned top-left exactly like PyTorch's
            ``is_causal`` (``torch.ones(L, S).tril()``); for a KV cache, where the queries are the *last*
            ``L`` positions, pass ``masks.causal_mask(L, S, offset=S - L)`` as ``mask`` instead.
        scale: multiplier of ``Q K^T``; default ``1 / sqrt(E)``.
        dropout_p: probability of zeroing an attention weight (applied whenever > 0, as in PyTorch;
            modules pass ``0.0`` in eval mode).
        need_weights: if ``False``, the output is computed by PyTorch's fused kernel and the weights are
            not materialised; ``None`` is returned in their place.

    Returns:
        ``(output, weights)``: output ``(..., L, Ev)``; weights ``(..., L, S)`` or ``None``.
        A query whose keys are all masked gets zero weights and a zero output.
    """
    query, key, value = check_qkv(query, key, value)
    L, S = query.shape[-2], key.shape[-2]
    batch = torch.broadcast_shapes(query.shape[:-2], key.shape[:-2], value.shape[:-2])
    weights_shape = (*batch, L, S)

    keep = _combined_keep_mask(mask, is_causal, L, S, weights_shape, query.device)
    if bias is not None:
        bias = check_tensor("bias", bias)
        check_broadcasts("bias", bias, weights_shape)
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"dropout_p: expected a probability in [0, 1), got {dropout_p!r}")

    if need_weights:
        return _explicit_attention(query, key, value, keep, bias, scale, dropout_p)
    return _fused_attention(query, key, value, keep, bias, scale, dropout_p), None


def _explicit_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    keep: Tensor | None,
    bias: Tensor | None,
    scale: float,
    dropout_p: float,
) -> tuple[Tensor, Tensor]:
    """The textbook path: materialise the scores, softmax them, average the values."""
    dtype = query.dtype
    if dtype in _HALF_DTYPES:  # half precision: compute in float32, as fused kernels do internally
        query, key, value = query.float(), key.float(), value.float()
        bias = None if bias is None else bias.float()
    scores = query @ key.transpose(-2, -1) * scale  # (..., L, S)
    if bias is not None:
        scores = scores + bias
    weights = masked_softmax(scores, keep)  # (..., L, S); rows sum to 1, or 0 if fully masked
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    output = weights @ value  # (..., L, Ev)
    return output.to(dtype), weights.to(dtype)


def _fused_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    keep: Tensor | None,
    bias: Tensor | None,
    scale: float,
    dropout_p: float,
) -> Tensor:
    """The fast path: PyTorch's fused kernel, with fully-masked rows set to zero afterwards.

    PyTorch's kernel returns ``NaN`` for a query whose keys are all masked. We never hand it such a row:
    those rows get a dummy "keep everything" mask, and their outputs are zeroed after the call.
    """
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
        query, key, value, attn_mask=attn_mask, dropout_p=dropout_p, scale=scale
    )  # (..., L, Ev)
    if empty_rows is not None:
        output = output.masked_fill(empty_rows, 0.0)
    return output


def _combined_keep_mask(
    mask: Tensor | None,
    is_causal: bool,
    L: int,
    S: int,
    weights_shape: tuple[int, ...],
    device: torch.device,
) -> Tensor | None:
    """The keep-mask and the causal mask ANDed together, as one bool tensor (or None if neither)."""
    keep: Tensor | None = None
    if mask is not None:
        keep = as_keep_mask("mask", mask)
        check_broadcasts("mask", keep, weights_shape)
        keep = keep.to(device)
    if is_causal:
        causal = torch.ones(L, S, dtype=torch.bool, device=device).tril()  # (L, S), top-left aligned
        keep = causal if keep is None else keep & causal
    return keep
