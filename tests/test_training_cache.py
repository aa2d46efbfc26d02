"""The model cache: a second call with the same arguments loads the first call's model instead of training."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from attention_book.tasks._cache import cached_training

CALLS: list[int] = []


@cached_training
def train_line(seed: int = 0) -> tuple[nn.Linear, list[float]]:
    CALLS.append(seed)
    torch.manual_seed(seed)
    return nn.Linear(3, 2), [float(seed)]


def test_second_call_loads_the_same_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", str(tmp_path))
    CALLS.clear()
    first, _ = train_line(seed=1)
    second, history = train_line(seed=1)
    other, _ = train_line(seed=2)
    assert CALLS == [1, 2]
    assert history == [1.0]
    torch.testing.assert_close(first.state_dict(), second.state_dict(), rtol=0, atol=0)
    assert not torch.equal(first.weight, other.weight)
    assert len(list(tmp_path.glob("train_line-*.pt"))) == 2


def test_cache_off_trains_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", "off")
    CALLS.clear()
    train_line(seed=1)
    train_line(seed=1)
    assert CALLS == [1, 1]


def test_key_covers_the_task_and_the_tasks_it_imports_only() -> None:
    from attention_book.tasks import _cache

    modules = {path.name for path in _cache._task_modules("seq2seq")}
    assert modules == {"seq2seq.py", "reverse.py"}  # seq2seq.py imports reverse.py, and no other task
    seq2seq = _cache._source_hash("attention_book.tasks.seq2seq")
    assert seq2seq != _cache._source_hash("attention_book.tasks.reverse")
    assert seq2seq != _cache._source_hash("attention_book.tasks.translation")
