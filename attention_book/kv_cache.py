"""KV caches: the keys and values of the tokens seen so far, kept so that decoding computes only the new ones.

A decoder generates one token at a time. The keys and values of the earlier tokens do not change, so
each attention layer keeps them and computes only the new token's; the new query then attends to all of
them. A model with ``N`` layers keeps ``N`` caches, one per layer. Keys and values are stored per head,
after projection: ``(B, Hkv, T, D)``, where ``Hkv`` is the number of key/value heads (fewer than the
query heads with grouped-query attention, which is what makes its cache smaller).

Two caches, with one interface (``update``, ``append``, ``len``, ``nbytes``, ``reset``):

* :class:`KVCache` keeps every position. It writes into preallocated storage that doubles when it is
  full, as Python's ``list`` does, so appending a token copies ``O(1)`` positions on average, where
  ``torch.cat`` would copy all ``T`` of them at every step (``O(T^2)`` for a whole generation).
* :class:`RollingKVCache` keeps only the last ``window`` positions, for sliding-window attention
  (Beltagy et al., 2020, arXiv:2004.05150; Mistral), plus, optionally, the first ``sinks`` positions:
  Xiao et al. (2023), "Efficient Streaming Language Models with Attention Sinks" (StreamingLLM),
  arXiv:2309.17453, found that keeping the first few tokens lets a model trained with full attention run
  on with a rolling window. Its memory stays ``sinks + window`` positions however long the generation.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ._checks import check_ndim, check_positive_int, check_tensor, fmt_shape

__all__ = ["Cache", "KVCache", "RollingKVCache"]


def _check_new(keys: object, values: object) -> tuple[Tensor, Tensor]:
    """Check new keys ``(B, Hkv, T_new, D)`` and values ``(B, Hkv, T_new, Dv)``: alike but for the width."""
    keys, values = check_tensor("keys", keys), check_tensor("values", values)
    check_ndim("keys", keys, (4,), "(B, Hkv, T, D)")
    check_ndim("values", values, (4,), "(B, Hkv, T, D)")
    if values.shape[:3] != keys.shape[:3]:
        raise ValueError(
            f"values: expected shape ({', '.join(map(str, keys.shape[:3]))}, Dv) like the keys, "
            f"got {fmt_shape(values.shape)}"
        )
    if values.dtype != keys.dtype:
        raise ValueError(f"values: expected dtype {keys.dtype} like the keys, got {values.dtype}")
    return keys, values


def _check_fits(name: str, new: Tensor, storage: Tensor) -> None:
    """New keys (or values) must match the stored ones in batch, heads, width, dtype and device."""
    B, Hkv, _, D = storage.shape
    if new.shape[:2] != (B, Hkv) or new.shape[3] != D:
        raise ValueError(
            f"{name}: expected shape ({B}, {Hkv}, T, {D}) to match the cache, got {fmt_shape(new.shape)}"
        )
    if new.dtype != storage.dtype or new.device != storage.device:
        raise ValueError(
            f"{name}: expected dtype {storage.dtype} on {storage.device} to match the cache, "
            f"got {new.dtype} on {new.device}"
        )


def _allocate(like: Tensor, positions: int) -> Tensor:
    """Uninitialised storage for ``positions`` positions, shaped like ``like`` ``(B, Hkv, T, D)``."""
    B, Hkv, _, D = like.shape
    return torch.empty(B, Hkv, positions, D, dtype=like.dtype, device=like.device)


class KVCache:
    """Every key and value of one attention layer, grown one step at a time during decoding.

    The keys and values live in preallocated storage ``(B, Hkv, capacity, D)``; the first ``len(cache)``
    positions are in use. A step writes its new positions into the free ones. When they run out, the
    storage is reallocated with twice the capacity and the old positions are copied once. Over ``T``
    appended positions that copies fewer than ``2 T`` positions in all: ``O(1)`` per token, amortized
    (geometric growth, as in Python's ``list`` and C++'s ``std::vector``).

    The cache is meant for inference (decoding under ``torch.inference_mode()`` or ``torch.no_grad()``):
    it writes into its storage in place, so autograd can differentiate only through the latest step.

    Args:
        capacity: positions to allocate at the first append (at least as many as it brings). A generation
            whose length is known never reallocates: ``KVCache(capacity=prompt + new_tokens)``.

    Example::

        cache = KVCache()
        for t in range(n):
            out, _ = attn(x[:, t : t + 1], cache=cache, is_causal=True)   # len(cache) == t + 1 after

    Examples:
        >>> cache = KVCache()
        >>> for t in range(5):  # one position at a time: the storage grows 1, 2, 4, 8
        ...     keys, values = cache.update(torch.zeros(1, 2, 1, 4), torch.zeros(1, 2, 1, 4))
        >>> keys.shape, cache.capacity
        (torch.Size([1, 2, 5, 4]), 8)
    """

    def __init__(self, capacity: int = 0) -> None:
        if capacity != 0:
            check_positive_int("capacity", capacity)
        self.initial_capacity = capacity
        self._keys: Tensor | None = None  # (B, Hkv, capacity, D); positions >= len(self) are unused
        self._values: Tensor | None = None  # (B, Hkv, capacity, Dv)
        self._length = 0

    @property
    def keys(self) -> Tensor | None:
        """The cached keys ``(B, Hkv, T, D)`` (a view of the storage), or ``None`` if empty."""
        return None if self._keys is None else self._keys[:, :, : self._length]

    @property
    def values(self) -> Tensor | None:
        """The cached values ``(B, Hkv, T, Dv)`` (a view of the storage), or ``None`` if empty."""
        return None if self._values is None else self._values[:, :, : self._length]

    @property
    def capacity(self) -> int:
        """Positions allocated, ``>= len(cache)``; when a step needs more, the capacity doubles."""
        return 0 if self._keys is None else self._keys.shape[2]

    def append(self, keys: Tensor, values: Tensor) -> None:
        """Append new keys ``(B, Hkv, T_new, D)`` and values ``(B, Hkv, T_new, Dv)`` along the time axis."""
        keys, values = _check_new(keys, values)
        if self._keys is not None and self._values is not None:
            _check_fits("keys", keys, self._keys)
            _check_fits("values", values, self._values)
        start, end = self._length, self._length + keys.shape[2]
        self._reserve(end, keys, values)
        assert self._keys is not None and self._values is not None
        self._keys[:, :, start:end] = keys  # (B, Hkv, T_new, D) into the free positions
        self._values[:, :, start:end] = values
        self._length = end

    def update(self, keys: Tensor, values: Tensor) -> tuple[Tensor, Tensor]:
        """Append new keys and values, then return all of them: ``(B, Hkv, T, D)`` each."""
        self.append(keys, values)
        assert self._keys is not None and self._values is not None
        return self._keys[:, :, : self._length], self._values[:, :, : self._length]

    def reset(self) -> None:
        """Forget everything and free the storage, e.g. before generating a new sequence."""
        self._keys = self._values = None
        self._length = 0

    def __len__(self) -> int:
        """Number of cached positions ``T``."""
        return self._length

    @property
    def nbytes(self) -> int:
        """Memory of the cached keys and values: ``B * Hkv * T * (D + Dv)`` elements.

        The storage holds ``capacity >= T`` positions; it may be up to twice this.
        """
        keys, values = self.keys, self.values
        if keys is None or values is None:
            return 0
        return keys.numel() * keys.element_size() + values.numel() * values.element_size()

    def _reserve(self, needed: int, keys: Tensor, values: Tensor) -> None:
        """Make room for ``needed`` positions: allocate, or double the capacity and copy what is cached."""
        if self._keys is None or self._values is None:
            capacity = max(needed, self.initial_capacity)
            self._keys, self._values = _allocate(keys, capacity), _allocate(values, capacity)
            return
        if needed <= self.capacity:
            return
        capacity = max(needed, 2 * self.capacity)
        old_keys, old_values = self._keys, self._values
        self._keys, self._values = _allocate(keys, capacity), _allocate(values, capacity)
        self._keys[:, :, : self._length] = old_keys[:, :, : self._length]
        self._values[:, :, : self._length] = old_values[:, :, : self._length]


class RollingKVCache:
    """The keys and values of the last ``window`` positions and the first ``sinks``: sliding-window decoding.

    Query ``i`` of sliding-window attention sees the keys ``i - window < j <= i``
    (:func:`~attention_book.masks.sliding_window_mask`); with attention sinks (StreamingLLM, Xiao et al.,
    2023, arXiv:2309.17453) it also sees the first ``sinks`` keys, ``j < sinks``. Older keys are never
    needed again, so the cache keeps ``sinks + window`` positions at most, in a ring buffer: position
    ``p >= sinks`` goes to slot ``sinks + (p - sinks) % window``, overwriting the position ``window``
    steps older.

    The keys come back in slot order, not in time order. Attention does not care (a softmax over a set
    of keys is the same in any order, and the keys carry their positions already if they were rotated
    by RoPE); :attr:`positions` says which position each returned key holds, and the weights that
    ``MultiHeadAttention`` returns with this cache follow the same order. (StreamingLLM also renumbers
    the positions inside the cache before rotating the keys; this cache leaves positions to the model.)

    Decoding one token at a time, the buffer holds exactly the keys the new query may see, so no mask is
    needed (:meth:`keep_mask` returns ``None``). A step of several tokens (a prompt) attends to the buffer
    and the new keys together, under the causal window mask that :meth:`keep_mask` returns.

    Args:
        window: how many of the most recent positions a query sees (itself included).
        sinks: how many of the first positions every query also sees (``0``: plain sliding window).

    Examples:
        >>> cache = RollingKVCache(window=3, sinks=1)
        >>> for t in range(6):
        ...     keys, values = cache.update(torch.zeros(1, 2, 1, 4), torch.zeros(1, 2, 1, 4))
        >>> cache.positions.tolist()  # the sink, then the last three positions, in slot order
        [0, 4, 5, 3]
    """

    def __init__(self, window: int, sinks: int = 0) -> None:
        self.window = check_positive_int("window", window)
        if isinstance(sinks, bool) or not isinstance(sinks, int) or sinks < 0:
            raise ValueError(f"sinks: expected a non-negative integer, got {sinks!r}")
        self.sinks = sinks
        self.reset()

    def reset(self) -> None:
        """Forget everything and free the storage, e.g. before generating a new sequence."""
        self._keys: Tensor | None = None  # (B, Hkv, sinks + window, D) ring buffer
        self._values: Tensor | None = None  # (B, Hkv, sinks + window, Dv)
        self._slot_positions = [-1] * (self.sinks + self.window)  # the position each slot holds
        self.seen = 0  # positions appended so far: the position of the next token
        self._positions: list[int] | None = None  # of the keys the last update returned; None: the buffer
        self._keep: Tensor | None = None  # keep-mask of the last update's queries

    def __len__(self) -> int:
        """Number of cached positions: ``min(seen, sinks + window)``."""
        return min(self.seen, self.sinks + self.window)

    @property
    def keys(self) -> Tensor | None:
        """The cached keys ``(B, Hkv, len, D)`` in slot order, or ``None`` if empty."""
        return None if self._keys is None else self._keys[:, :, : len(self)]

    @property
    def values(self) -> Tensor | None:
        """The cached values ``(B, Hkv, len, Dv)`` in slot order, or ``None`` if empty."""
        return None if self._values is None else self._values[:, :, : len(self)]

    @property
    def positions(self) -> Tensor:
        """``(S,)``: the position of each key (and value) that the last :meth:`update` returned."""
        positions = self._slot_positions[: len(self)] if self._positions is None else self._positions
        return torch.tensor(positions, dtype=torch.long)

    @property
    def nbytes(self) -> int:
        """Memory of the cached keys and values: ``B * Hkv * len(cache) * (D + Dv)`` elements."""
        keys, values = self.keys, self.values
        if keys is None or values is None:
            return 0
        return keys.numel() * keys.element_size() + values.numel() * values.element_size()

    def append(self, keys: Tensor, values: Tensor) -> None:
        """Append new keys ``(B, Hkv, T_new, D)`` and values; only the ones still in the window are kept."""
        self.update(keys, values)

    def update(self, keys: Tensor, values: Tensor) -> tuple[Tensor, Tensor]:
        """Append new keys and values, then return the ones the new queries may see, ``(B, Hkv, S, D)``.

        One new position: the buffer after the write, ``S = len(cache)``. Several: the buffer before the
        write followed by the new keys, ``S = len(cache) + T_new``, to be used with :meth:`keep_mask`.
        """
        keys, values = _check_new(keys, values)
        if self._keys is not None and self._values is not None:
            _check_fits("keys", keys, self._keys)
            _check_fits("values", values, self._values)
        if keys.shape[2] == 1:  # decoding: after the write the buffer holds exactly what the query sees
            self._write(keys, values)
            self._positions, self._keep = None, None
            return self._keys_and_values()
        old_keys, old_values = self.keys, self.values
        old_positions = self._slot_positions[: len(self)]
        new_positions = list(range(self.seen, self.seen + keys.shape[2]))
        if old_keys is not None and old_values is not None:
            keys_out = torch.cat([old_keys, keys], dim=2)  # (B, Hkv, len + T_new, D)
            values_out = torch.cat([old_values, values], dim=2)
        else:
            keys_out, values_out = keys, values
        self._positions = old_positions + new_positions  # the old keys in slot order, then the new ones
        self._keep = self._window_keep(new_positions, self._positions, keys.device)
        self._write(keys, values)
        return keys_out, values_out

    def keep_mask(self) -> Tensor | None:
        """Keep-mask ``(T_new, S)`` of the last update's queries against the keys it returned.

        The query at position ``p`` keeps the key at position ``j`` when ``j <= p`` and ``p - j < window``
        or ``j < sinks``. ``None`` when every key is kept (a single new query).
        """
        return self._keep

    def _window_keep(self, queries: list[int], keys: list[int], device: torch.device) -> Tensor:
        """(T_new, S) bool: causal, and in the window or a sink."""
        query_positions = torch.tensor(queries, device=device)[:, None]  # (T_new, 1)
        key_positions = torch.tensor(keys, device=device)[None, :]  # (1, S)
        distance = query_positions - key_positions  # (T_new, S), >= 0 for keys in the past
        return (distance >= 0) & ((distance < self.window) | (key_positions < self.sinks))

    def _write(self, keys: Tensor, values: Tensor) -> None:
        """Store the new positions that stay (sinks, and the last ``window``) over the oldest ones."""
        if self._keys is None or self._values is None:
            self._keys = _allocate(keys, self.sinks + self.window)
            self._values = _allocate(values, self.sinks + self.window)
        first, end = self.seen, self.seen + keys.shape[2]
        staying = [p for p in range(first, end) if p < self.sinks or end - p <= self.window]
        slots = [self._slot(p) for p in staying]  # all different
        for slot, position in zip(slots, staying, strict=True):
            self._slot_positions[slot] = position
        if len(staying) == 1:  # the common case, one token: a plain slice assignment
            self._keys[:, :, slots[0]] = keys[:, :, staying[0] - first]
            self._values[:, :, slots[0]] = values[:, :, staying[0] - first]
        else:
            index = torch.tensor([p - first for p in staying], device=keys.device)
            target = torch.tensor(slots, device=keys.device)
            self._keys.index_copy_(2, target, keys.index_select(2, index))
            self._values.index_copy_(2, target, values.index_select(2, index))
        self.seen = end

    def _keys_and_values(self) -> tuple[Tensor, Tensor]:
        """The cached keys and values, ``(B, Hkv, len, D)`` each, in slot order."""
        assert self._keys is not None and self._values is not None
        return self._keys[:, :, : len(self)], self._values[:, :, : len(self)]

    def _slot(self, position: int) -> int:
        """Where ``position`` lives: sinks in the first slots, then a ring of ``window`` slots."""
        if position < self.sinks:
            return position
        return self.sinks + (position - self.sinks) % self.window


Cache = KVCache | RollingKVCache
