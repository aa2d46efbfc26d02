"""The model cache: a second call with the same arguments loads the first call's model instead of training."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
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


def test_one_model_however_its_arguments_are_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", str(tmp_path))
    CALLS.clear()
    train_line()
    train_line(0)
    train_line(seed=0)
    assert CALLS == [0]
    assert len(list(tmp_path.glob("train_line-*.pt"))) == 1


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


@cached_training
def train_slowly(record: str) -> tuple[nn.Linear, int]:
    """Note each training in ``record`` and take long enough for a second process to ask meanwhile."""
    with open(record, "a") as log:
        log.write(f"{os.getpid()}\n")
    time.sleep(0.5)
    torch.manual_seed(os.getpid())  # two trainings would give two different models
    return nn.Linear(2, 2), torch.get_num_threads()


def _ask_for_model(record: str, out: str) -> None:
    model, threads = train_slowly(record)
    torch.save((model.state_dict(), threads), out)


@pytest.mark.skipif(sys.platform == "win32", reason="the lock is POSIX-only")
def test_processes_that_want_the_same_new_model_train_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", str(tmp_path / "cache"))
    record = str(tmp_path / "trainings.txt")
    context = multiprocessing.get_context("fork")
    outs = [str(tmp_path / f"model-{i}.pt") for i in range(3)]
    workers = [context.Process(target=_ask_for_model, args=(record, out)) for out in outs]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert len(Path(record).read_text().split()) == 1
    results = [torch.load(out) for out in outs]
    for state, threads in results:
        torch.testing.assert_close(state, results[0][0], rtol=0, atol=0)
        assert threads == 1  # trained on one thread, whatever the machine has


def test_training_leaves_the_thread_count_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTENTION_BOOK_CACHE", str(tmp_path))
    before = torch.get_num_threads()
    _, threads = train_slowly(str(tmp_path / "trainings.txt"))
    assert threads == 1
    assert torch.get_num_threads() == before
