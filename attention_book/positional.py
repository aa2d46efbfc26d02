"""Position information for attention: sinusoidal, learned, relative (T5), rotary (RoPE) and ALiBi.

Attention by itself is blind to order: permuting the keys and values permutes nothing in the output.
Each method here tells the model where a token is, in a different place:

* added to the input embeddings -- sinusoidal (Vaswani et al., 2017, "Attention Is All You Need",
  arXiv:1706.03762) and learned (Gehring et al., 2017, "Convolutional Sequence to Sequence Learning",
  arXiv:1705.03122; used by BERT and GPT-2);
* added to the attention logits as a ``bias`` -- T5's bucketed relative position bias (Raffel et al.,
  2020, "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer",
  arXiv:1910.10683) and ALiBi (Press, Smith and Lewis, 2021, "Train Short, Test Long: Attention with
  Linear Biases Enables Input Length Extrapolation", arXiv:2108.12409);
* applied to queries and keys as a rotation -- RoPE (Su et al., 2021, "RoFormer: Enhanced Transformer
  with Rotary Position Embedding", arXiv:2104.09864).

The biases are ``(H, L, S)`` tensors for the ``bias`` argument of ``scaled_dot_product_attention`` and
``MultiHeadAttention``. When ``L < S`` (decoding with a KV cache) the ``L`` queries are taken to be the
*last* ``L`` of the ``S`` positions: query ``i`` sits at position ``i + S - L``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ._checks import check_ndim, check_positive_int, check_tensor, fmt_shape

__all__ = [
    "LearnedPositionalEmbedding",
    "RelativePositionBias",
    "RotaryEmbedding",
    "alibi_bias",
    "alibi_slopes",
    "relative_position_bucket",
    "sinusoidal_encoding",
]


# ----- added to the embeddings ---------------------------------------------------------------------------


def sinusoidal_encoding(
    length: int, d_model: int, *, base: float = 10000.0, device: torch.device | str | None = None
) -> Tensor:
    r"""The fixed sinusoidal position encoding of Vaswani et al. (2017).

    .. math::

        PE_{pos, 2i} = \sin(pos / base^{2i / d}), \qquad PE_{pos, 2i+1} = \cos(pos / base^{2i / d})

    Each pair of dimensions is a sine/cosine at one frequency, from one turn per ``2 pi`` positions down
    to one per ``2 pi * base``. ``PE[pos + k]`` is a fixed rotation of ``PE[pos]``, so ``PE[p] . PE[q]``
    depends only on ``p - q``.

    Args:
        length: number of positions ``T``.
        d_model: width; must be even (one sine and one cosine per frequency).
        base: the wavelength scale, 10000 in the paper.

    Returns:
        float32 tensor ``(T, d_model)``, values in ``[-1, 1]``.
    """
    length = check_positive_int("length", length)
    d_model = check_positive_int("d_model", d_model)
    if d_model % 2 != 0:
        raise ValueError(f"d_model: expected an even number (sine/cosine pairs), got {d_model}")
    position = torch.arange(length, dtype=torch.float32, device=device)[:, None]  # (T, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float32, device=device)  # (d_model / 2,)
    angle = position / base ** (two_i / d_model)  # (T, d_model / 2)
    encoding = torch.empty(length, d_model, device=device)
    encoding[:, 0::2] = torch.sin(angle)
    encoding[:, 1::2] = torch.cos(angle)
    return encoding


class LearnedPositionalEmbedding(nn.Module):
    r"""A learned vector per position, added to the token embeddings (BERT, GPT-2).

    .. math::

        y_t = x_t + P_{offset + t}, \qquad P \in \mathbb{R}^{max\_len \times d}

    Unlike the sinusoidal encoding it cannot describe positions beyond ``max_len``.

    Args:
        max_len: number of positions that have an embedding.
        d_model: width.
    """

    def __init__(self, max_len: int, d_model: int) -> None:
        super().__init__()
        self.max_len = check_positive_int("max_len", max_len)
        self.embedding = nn.Embedding(max_len, check_positive_int("d_model", d_model))

    def forward(self, x: Tensor, offset: int = 0) -> Tensor:
        """Add the embeddings of positions ``offset ... offset + T - 1`` to ``x`` ``(B, T, d_model)``."""
        x = check_tensor("x", x)
        check_ndim("x", x, (3,), f"(B, T, d_model={self.embedding.embedding_dim})")
        T = x.shape[1]
        if x.shape[-1] != self.embedding.embedding_dim:
            raise ValueError(
                f"x: expected last dimension d_model={self.embedding.embedding_dim}, got {fmt_shape(x.shape)}"
            )
        if offset < 0 or offset + T > self.max_len:
            raise ValueError(f"offset: expected offset + T <= max_len={self.max_len}, got {offset} + {T}")
        positions = torch.arange(offset, offset + T, device=x.device)  # (T,)
        return x + self.embedding(positions)  # (B, T, d_model)


# ----- added to the logits: T5 relative positions and ALiBi -----------------------------------------------


def relative_position_bucket(
    relative_position: Tensor, *, bidirectional: bool = True, num_buckets: int = 32, max_distance: int = 128
) -> Tensor:
    """T5's bucket of a relative position ``key_position - query_position``.

    Half of the buckets (per direction) hold the small distances exactly, ``0, 1, ..., n/2 - 1``; the
    other half cover ``n/2 ... max_distance`` in logarithmically growing ranges; every distance beyond
    ``max_distance`` shares the last bucket. When ``bidirectional``, keys after the query get their own
    ``num_buckets / 2`` buckets; otherwise every key after the query falls in bucket 0 (distance 0).

    Args:
        relative_position: int tensor of any shape, ``j - i``.

    Returns:
        long tensor of the same shape, values in ``[0, num_buckets)``.
    """
    buckets = torch.zeros_like(relative_position, dtype=torch.long)
    distance = -relative_position  # > 0 when the key is in the past
    if bidirectional:
        num_buckets //= 2
        buckets = buckets + (distance < 0).long() * num_buckets  # keys in the future: upper half
        distance = distance.abs()
    else:
        distance = distance.clamp(min=0)
    num_exact = num_buckets // 2
    # Logarithmic buckets for num_exact <= distance < max_distance (clamped to avoid log(0) below).
    log_ratio = torch.log(distance.clamp(min=num_exact).float() / num_exact) / math.log(
        max_distance / num_exact
    )
    log_bucket = num_exact + (log_ratio * (num_buckets - num_exact)).long()
    log_bucket = log_bucket.clamp(max=num_buckets - 1)
    return buckets + torch.where(distance < num_exact, distance, log_bucket)


class RelativePositionBias(nn.Module):
    r"""T5's learned relative position bias (Raffel et al., 2020): one scalar per bucket and head.

    .. math::

        \mathrm{bias}_{h, i, j} = b_{h,\, \mathrm{bucket}(j - i)}

    Args:
        num_heads: ``H``.
        num_buckets: number of buckets (per both directions together when ``bidirectional``).
        max_distance: distances beyond this share the last bucket.
        bidirectional: encoders look both ways; a causal decoder uses ``False``.
    """

    def __init__(
        self, num_heads: int, num_buckets: int = 32, max_distance: int = 128, bidirectional: bool = True
    ) -> None:
        super().__init__()
        self.num_heads = check_positive_int("num_heads", num_heads)
        self.num_buckets = check_positive_int("num_buckets", num_buckets)
        self.max_distance = check_positive_int("max_distance", max_distance)
        self.bidirectional = bidirectional
        self.bias = nn.Embedding(num_buckets, num_heads)

    def forward(self, query_length: int, key_length: int | None = None) -> Tensor:
        """The bias ``(H, L, S)`` for ``L`` queries and ``S`` keys (queries are the last ``L`` positions)."""
        L = check_positive_int("query_length", query_length)
        S = L if key_length is None else check_positive_int("key_length", key_length)
        device = self.bias.weight.device
        query_position = torch.arange(S - L, S, device=device)[:, None]  # (L, 1)
        key_position = torch.arange(S, device=device)[None, :]  # (1, S)
        buckets = relative_position_bucket(
            key_position - query_position,  # (L, S)
            bidirectional=self.bidirectional,
            num_buckets=self.num_buckets,
            max_distance=self.max_distance,
        )
        return self.bias(buckets).permute(2, 0, 1)  # (L, S, H) -> (H, L, S)


def alibi_slopes(num_heads: int) -> Tensor:
    """ALiBi's head slopes (Press et al., 2021): the geometric sequence ``m_h = 2^(-8h/n)``, ``h = 1..n``.

    For 8 heads: ``1/2, 1/4, ..., 1/256``. When ``n`` is not a power of two the paper takes the slopes of
    the closest smaller power of two ``p``, then every other slope of ``2p`` heads for the rest.

    Returns:
        float32 tensor ``(num_heads,)``.

    Examples:
        >>> alibi_slopes(4)  # 2^-2, 2^-4, 2^-6, 2^-8
        tensor([0.2500, 0.0625, 0.0156, 0.0039])
    """
    num_heads = check_positive_int("num_heads", num_heads)

    def power_of_two_slopes(n: int) -> list[float]:
        return [2 ** (-8 * h / n) for h in range(1, n + 1)]

    closest = 2 ** math.floor(math.log2(num_heads))
    slopes = power_of_two_slopes(closest)
    if closest < num_heads:
        slopes += power_of_two_slopes(2 * closest)[0::2][: num_heads - closest]
    return torch.tensor(slopes)


def alibi_bias(
    num_heads: int, L: int, S: int | None = None, *, device: torch.device | str | None = None
) -> Tensor:
    r"""ALiBi's linear bias (Press et al., 2021): a penalty proportional to the distance.

    .. math::

        \mathrm{bias}_{h, i, j} = -m_h \, |i - j|

    In a causal model only ``j <= i`` is visible, where this is the paper's ``m_h (j - i)``; the absolute
    value gives a symmetric penalty for bidirectional use. Queries are the last ``L`` of ``S`` positions.

    Returns:
        float32 tensor ``(H, L, S)`` to pass as ``bias``.
    """
    L = check_positive_int("L", L)
    S = L if S is None else check_positive_int("S", S)
    query_position = torch.arange(S - L, S, device=device)[:, None]  # (L, 1)
    key_position = torch.arange(S, device=device)[None, :]  # (1, S)
    distance = (query_position - key_position).abs().float()  # (L, S)
    slopes = alibi_slopes(num_heads).to(device)[:, None, None]  # (H, 1, 1)
    return -slopes * distance  # (H, L, S)


# ----- applied to queries and keys: rotary embeddings -----------------------------------------------------


class RotaryEmbedding(nn.Module):
    r"""Rotary position embedding, RoPE (Su et al., 2021).

    Each pair of dimensions ``(x_{2i}, x_{2i+1})`` of a query or key at position ``m`` is rotated by the
    angle ``m * theta_i``, with ``theta_i = base^{-2i/D}``:

    .. math::

        \begin{pmatrix} x'_{2i} \\ x'_{2i+1} \end{pmatrix} =
        \begin{pmatrix} \cos m\theta_i & -\sin m\theta_i \\ \sin m\theta_i & \cos m\theta_i \end{pmatrix}
        \begin{pmatrix} x_{2i} \\ x_{2i+1} \end{pmatrix}

    Because rotations compose, ``<R_m q, R_n k> = <q, R_{n-m} k>``: the score depends only on the
    offset ``n - m``, and norms are unchanged. This is the paper's interleaved pairing; some code bases
    (GPT-NeoX, Llama in Hugging Face) pair dimension ``i`` with ``i + D/2`` instead, a permutation of
    the same idea.

    Args:
        head_dim: ``D``, the width of one head; must be even.
        base: 10000 in the paper.
    """

    inv_freq: Tensor

    def __init__(self, head_dim: int, base: float = 10000.0) -> None:
        super().__init__()
        head_dim = check_positive_int("head_dim", head_dim)
        if head_dim % 2 != 0:
            raise ValueError(f"head_dim: expected an even number (dimension pairs), got {head_dim}")
        self.head_dim = head_dim
        inv_freq = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)  # (D / 2,)
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def rotate(self, x: Tensor, offset: int = 0) -> Tensor:
        """Rotate ``x`` ``(..., T, D)`` whose positions are ``offset ... offset + T - 1``."""
        x = check_tensor("x", x)
        if x.dim() < 2 or x.shape[-1] != self.head_dim:
            raise ValueError(f"x: expected a shape (..., T, {self.head_dim}), got {fmt_shape(x.shape)}")
        T = x.shape[-2]
        position = torch.arange(offset, offset + T, dtype=torch.float32, device=x.device)  # (T,)
        angle = position[:, None] * self.inv_freq  # (T, D / 2)
        cos, sin = torch.cos(angle), torch.sin(angle)
        pairs = x.float().unflatten(-1, (self.head_dim // 2, 2))  # (..., T, D / 2, 2)
        even, odd = pairs[..., 0], pairs[..., 1]  # (..., T, D / 2) each
        rotated = torch.stack([even * cos - odd * sin, even * sin + odd * cos], dim=-1)  # (..., T, D / 2, 2)
        return rotated.flatten(-2).to(x.dtype)  # (..., T, D)

    def forward(self, query: Tensor, key: Tensor, offset: int = 0) -> tuple[Tensor, Tensor]:
        """Rotate queries and keys ``(..., T, D)`` that start at position ``offset`` (``len(cache)``)."""
        return self.rotate(query, offset), self.rotate(key, offset)
