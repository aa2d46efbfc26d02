"""The data of the book's interactive figures, computed by the library when the book is built.

Three widgets run in the reader's browser (``docs/javascripts/widgets.js``); each reads a JSON file that
the build writes from a ``widgets/<chapter>/<name>.py`` script, whose ``data()`` calls one of the
``*_data`` functions below:

* the **softmax playground** (:func:`playground_data`): a few scores, the ``1 / sqrt(d_k)`` scale and a
  temperature; the browser shows the weights :func:`playground_weights` computes, with the largest weight
  and the entropy (:func:`entropy_bits`);
* the **mask builder** (:func:`mask_builder_data`): causal, padding and sliding-window masks switched on
  and off over a fixed matrix of scores; the browser shows :func:`mask_builder_mask` and
  :func:`mask_builder_weights`;
* the **attention explorer** (:func:`explorer_data`): the weights of every layer and head of a model on
  one input, drawn as a "head view" (queries and keys in two columns joined by lines) and as a matrix.

What the JavaScript computes (the playground's softmax, the mask builder's masks and weights) is the same
arithmetic as the functions here; the browser tests drive the widgets and compare what they show with
these functions. Every result is JSON-able: lists, numbers, strings, booleans.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import Tensor

from ._checks import check_positive_int, check_tensor, fmt_shape
from .core import masked_softmax
from .masks import causal_mask, combine_masks, padding_mask, sliding_window_mask

__all__ = [
    "entropy_bits",
    "explorer_data",
    "explorer_row",
    "mask_builder_data",
    "mask_builder_mask",
    "mask_builder_weights",
    "playground_data",
    "playground_weights",
]

#: The ``d_k`` a reader can pick in the playground: powers of two from 1 to 1024.
D_K_CHOICES: tuple[int, ...] = tuple(2**i for i in range(11))


def _check_positive_float(name: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name}: expected a positive finite number, got {value!r}")
    return float(value)


def _as_float64(name: str, values: Sequence[Any] | Tensor, ndim: int, meaning: str) -> Tensor:
    tensor = values if isinstance(values, Tensor) else torch.tensor(values, dtype=torch.float64)
    tensor = check_tensor(name, tensor).to(torch.float64)
    if tensor.dim() != ndim or tensor.numel() == 0:
        raise ValueError(
            f"{name}: expected a non-empty tensor of shape {meaning}, got {fmt_shape(tensor.shape)}"
        )
    if not torch.isfinite(tensor).all():
        raise ValueError(f"{name}: expected finite values, got {tensor.tolist()}")
    return tensor


# ---------------------------------------------------------------------------------------------------------
# The softmax playground
# ---------------------------------------------------------------------------------------------------------


def playground_weights(
    scores: Sequence[float] | Tensor, *, d_k: int, scaled: bool = True, temperature: float = 1.0
) -> Tensor:
    r"""The weights the playground shows: a softmax of the scores, scaled and tempered.

    .. math::

        w_i = \operatorname{softmax}_i\!\left(\frac{c\, s_i}{T}\right), \qquad
        c = \begin{cases} 1/\sqrt{d_k} & \text{scaled} \\ 1 & \text{otherwise} \end{cases}

    Args:
        scores: the raw dot products ``q . k_i``, shape ``(S,)``.
        d_k: the key width, a positive integer (only used when ``scaled``).
        scaled: divide the scores by ``sqrt(d_k)`` first, as scaled dot-product attention does.
        temperature: ``T > 0``; above 1 the weights flatten, below 1 they sharpen.

    Returns:
        float64 weights ``(S,)`` that sum to one (computed by :func:`attention_book.core.masked_softmax`).

    Examples:
        >>> playground_weights([2.0, 0.0], d_k=4).tolist()  # softmax([1, 0])
        [0.7310585786300049, 0.2689414213699951]
    """
    values = _as_float64("scores", scores, 1, "(S,)")
    d_k = check_positive_int("d_k", d_k)
    temperature = _check_positive_float("temperature", temperature)
    factor = 1.0 / math.sqrt(d_k) if scaled else 1.0
    return masked_softmax(values * factor / temperature)


def entropy_bits(weights: Sequence[float] | Tensor) -> float:
    r"""Entropy in bits of one row of weights, :math:`-\sum_i w_i \log_2 w_i` (zero weights add nothing).

    0 bits when all the weight is on one key; :math:`\log_2 S` when it is spread evenly over ``S`` keys.

    Examples:
        >>> entropy_bits([0.25, 0.25, 0.25, 0.25])
        2.0
    """
    w = _as_float64("weights", weights, 1, "(S,)")
    terms = torch.where(w > 0, w * w.clamp_min(1e-300).log2(), torch.zeros_like(w))
    return float(-terms.sum()) + 0.0  # + 0.0 turns -0.0 into 0.0


def playground_data(
    scores: Sequence[float],
    *,
    d_k: int,
    labels: Sequence[str] | None = None,
    scaled: bool = True,
    temperature: float = 1.0,
    score_range: tuple[float, float] = (-40.0, 40.0),
    temperature_range: tuple[float, float] = (0.1, 5.0),
) -> dict[str, Any]:
    """The playground's JSON: the starting scores and settings, the ranges of its controls.

    The initial weights and entropy are included (``weights``, ``entropy``), as computed by
    :func:`playground_weights` and :func:`entropy_bits`; the browser recomputes them on every change.
    """
    values = _as_float64("scores", list(scores), 1, "(S,)").tolist()
    if labels is not None and len(labels) != len(values):
        raise ValueError(f"labels: expected {len(values)} labels (one per score), got {len(labels)}")
    low, high = (float(x) for x in score_range)
    if not low < high or not all(low <= s <= high for s in values):
        raise ValueError(f"score_range: expected (low, high) around the scores {values}, got {score_range}")
    t_low, t_high = (float(x) for x in temperature_range)
    if not 0 < t_low <= temperature <= t_high:
        raise ValueError(
            f"temperature_range: expected 0 < low <= {temperature} <= high, got {temperature_range}"
        )
    if d_k not in D_K_CHOICES:
        raise ValueError(f"d_k: expected one of {list(D_K_CHOICES)}, got {d_k!r}")
    weights = playground_weights(values, d_k=d_k, scaled=scaled, temperature=temperature)
    return {
        "kind": "playground",
        "scores": values,
        "labels": list(labels) if labels is not None else [f"key {i}" for i in range(len(values))],
        "d_k": d_k,
        "d_k_choices": list(D_K_CHOICES),
        "scaled": scaled,
        "temperature": float(temperature),
        "score_range": [low, high],
        "temperature_range": [t_low, t_high],
        "weights": weights.tolist(),
        "entropy": entropy_bits(weights),
    }


# ---------------------------------------------------------------------------------------------------------
# The mask builder
# ---------------------------------------------------------------------------------------------------------


def mask_builder_mask(length: int, *, causal: bool = False, padding: int = 0, window: int = 0) -> Tensor:
    """The keep-mask ``(L, L)`` of the mask builder, from :mod:`attention_book.masks`.

    The AND of up to three masks (:func:`~attention_book.masks.combine_masks`):

    * ``causal``: :func:`~attention_book.masks.causal_mask`;
    * ``padding``: the last ``padding`` of the ``L`` tokens are padding,
      :func:`~attention_book.masks.padding_mask` with length ``L - padding`` (every query, padding ones
      included, may attend to the real tokens only);
    * ``window > 0``: :func:`~attention_book.masks.sliding_window_mask` of that width, causal (the ``window``
      keys ending at the query) when ``causal`` is on, two-sided (``|i - j| < window``) when it is off.

    With nothing switched on every query sees every key.

    Examples:
        >>> mask_builder_mask(3, causal=True, padding=1).int()
        tensor([[1, 0, 0],
                [1, 1, 0],
                [1, 1, 0]], dtype=torch.int32)
    """
    L = check_positive_int("length", length)
    if isinstance(padding, bool) or not isinstance(padding, int) or not 0 <= padding <= L:
        raise ValueError(f"padding: expected an integer in [0, {L}] (length), got {padding!r}")
    if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= L:
        raise ValueError(f"window: expected an integer in [0, {L}] (0 = no window), got {window!r}")
    masks = [
        causal_mask(L) if causal else None,
        padding_mask(torch.tensor([L - padding]), L)[0] if padding else None,  # (1, L): every query
        sliding_window_mask(L, window, causal=causal) if window else None,
    ]
    keep = combine_masks(*masks)
    everything = torch.ones(L, L, dtype=torch.bool)
    return everything if keep is None else keep.expand(L, L).clone()


def mask_builder_weights(scores: Sequence[Sequence[float]] | Tensor, mask: Tensor) -> Tensor:
    """The weights the mask builder shows: :func:`~attention_book.core.masked_softmax` of the scores.

    A query whose keys are all masked gets zero weights, never NaN.

    Args:
        scores: ``(L, L)`` logits.
        mask: ``(L, L)`` keep-mask, as :func:`mask_builder_mask` returns.

    Returns:
        float64 weights ``(L, L)``.
    """
    values = _as_float64("scores", scores, 2, "(L, L)")
    return masked_softmax(values, mask)


def mask_builder_data(
    *,
    max_length: int = 8,
    length: int = 6,
    causal: bool = True,
    padding: int = 2,
    window: int = 0,
    d: int = 4,
    seed: int = 0,
    decimals: int = 2,
) -> dict[str, Any]:
    """The mask builder's JSON: a ``max_length x max_length`` matrix of scores and the starting settings.

    The scores are ``q k^T / sqrt(d)`` for random queries and keys ``(max_length, d)`` drawn with ``seed``,
    rounded to ``decimals`` places (the browser and the tests use the rounded values). A sequence of
    length ``L`` uses the top-left ``L x L`` block. The starting mask and weights are included (``mask``,
    ``weights``), from :func:`mask_builder_mask` and :func:`mask_builder_weights`.
    """
    max_length = check_positive_int("max_length", max_length)
    if not 2 <= length <= max_length:
        raise ValueError(f"length: expected an integer in [2, {max_length}] (max_length), got {length!r}")
    generator = torch.Generator().manual_seed(seed)
    q = torch.randn(max_length, check_positive_int("d", d), generator=generator, dtype=torch.float64)
    k = torch.randn(max_length, d, generator=generator, dtype=torch.float64)
    scores = [[round(x, decimals) + 0.0 for x in row] for row in (q @ k.T / math.sqrt(d)).tolist()]
    mask = mask_builder_mask(length, causal=causal, padding=padding, window=window)
    block = [row[:length] for row in scores[:length]]
    return {
        "kind": "masks",
        "scores": scores,
        "max_length": max_length,
        "length": length,
        "causal": causal,
        "padding": padding,
        "window": window,
        "mask": mask.int().tolist(),
        "weights": mask_builder_weights(block, mask).tolist(),
    }


# ---------------------------------------------------------------------------------------------------------
# The attention explorer
# ---------------------------------------------------------------------------------------------------------


def explorer_data(
    weights: Mapping[str, Tensor],
    query_tokens: Sequence[str],
    key_tokens: Sequence[str] | None = None,
    *,
    layer: int = 0,
    head: int = 0,
    query: int | None = None,
    decimals: int = 3,
) -> dict[str, Any]:
    """The explorer's JSON: the weights of every layer and head of one or more models on one input.

    Args:
        weights: model name -> weights ``(layers, H, L, S)`` (one input, no batch dimension), e.g.
            ``{"after training": w}``; every model must have the same shape. The reader switches
            between models, layers and heads.
        query_tokens: the ``L`` query tokens as the reader should see them.
        key_tokens: the ``S`` key tokens (default: the query tokens, for self-attention).
        layer: the layer the explorer shows first.
        head: the head it shows first.
        query: the query it shows first (default: the last one).
        decimals: weights are kept to this many decimal places.

    Returns:
        ``{"kind": "explorer", "queries", "keys", "layers", "heads", "models": [{"name", "weights"}],
        "layer", "head", "query", "scale"}``. To keep the file small, the weights of layer ``l``, head ``h``
        and query ``i`` are one row of integers, the weights times ``scale = 10 ** decimals``, with its
        trailing zeros left out (a causal row ``i`` stops at key ``i``); read a full row of weights with
        :func:`explorer_row`.
    """
    if not weights:
        raise ValueError("weights: expected at least one model, got none")
    keys = list(query_tokens if key_tokens is None else key_tokens)
    queries = list(query_tokens)
    scale = 10 ** check_positive_int("decimals", decimals)
    models = []
    first: tuple[int, ...] | None = None
    for name, tensor in weights.items():
        tensor = check_tensor(f"weights[{name!r}]", tensor).detach().to("cpu", torch.float64)
        if (
            tensor.dim() != 4
            or tuple(tensor.shape[2:]) != (len(queries), len(keys))
            or (first and tensor.shape != first)
        ):
            expected = fmt_shape(first) if first else f"(layers, H, {len(queries)}, {len(keys)})"
            raise ValueError(f"weights[{name!r}]: expected shape {expected}, got {fmt_shape(tensor.shape)}")
        first = tuple(tensor.shape)
        rows = [  # [layer][head][query] -> the query's row, rounded, without its trailing zeros
            [
                [_trim([round(x * scale) for x in row]) for row in head_weights]
                for head_weights in layer_weights
            ]
            for layer_weights in tensor.tolist()
        ]
        models.append({"name": str(name), "weights": rows})
    assert first is not None
    layers, heads = first[0], first[1]
    if not 0 <= layer < layers or not 0 <= head < heads:
        raise ValueError(f"layer, head: expected < ({layers}, {heads}), got ({layer}, {head})")
    query = len(queries) - 1 if query is None else query
    if not 0 <= query < len(queries):
        raise ValueError(f"query: expected an index in [0, {len(queries)}), got {query}")
    return {
        "kind": "explorer",
        "queries": queries,
        "keys": keys,
        "layers": layers,
        "heads": heads,
        "models": models,
        "layer": layer,
        "head": head,
        "query": query,
        "scale": scale,
    }


def _trim(row: list[int]) -> list[int]:
    """``row`` without its trailing zeros."""
    end = len(row)
    while end and row[end - 1] == 0:
        end -= 1
    return row[:end]


def explorer_row(data: Mapping[str, Any], model: int, layer: int, head: int, query: int) -> list[float]:
    """The full row of weights (one per key) of ``query`` in the explorer's JSON ``data``.

    The stored integers are divided by ``data["scale"]`` and the trailing zeros that :func:`explorer_data`
    leaves out are put back, as the browser does.
    """
    row = data["models"][model]["weights"][layer][head][query]
    return [x / data["scale"] for x in row] + [0.0] * (len(data["keys"]) - len(row))
