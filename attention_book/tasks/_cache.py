"""A disk cache for the toy models: train once, and every later listing, figure or test loads the result.

The book's pages train small models at build time. The same model is shown by a listing, drawn by a figure
and re-run by the tests, so training it each time would multiply the build's cost. :func:`cached_training`
wraps a ``train_<task>(**kwargs) -> (model, history)`` function: the first call trains and saves the pair,
later calls with the same arguments load it. The key hashes the source the model depends on (every file of
``attention_book`` outside ``tasks/``, the shared ``tasks/_*.py``, the task's own module and the task
modules it imports; not the ``__init__.py`` files, which only re-export), the torch version, the
function's name and its arguments (defaults filled in): a change to that code retrains, a change to another
task does not.

The build runs listings and draws figures in several processes at once, and several of them may ask for
the same model before it exists. A lock file per model makes the first one train it while the others wait
and then load what it saved, instead of all of them training it side by side. Training runs on one thread
(:func:`~attention_book.tasks._training.one_thread`): the tensors are tiny, the processes already keep
every core busy, and one thread gives the same floating-point sums, hence the same model, on any machine.

Where: ``$ATTENTION_BOOK_CACHE`` if set, else ``~/.cache/attention_book``. ``ATTENTION_BOOK_CACHE=off``
turns the cache off (every call trains).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import torch

from ._training import one_thread

try:  # POSIX; elsewhere processes that want the same new model each train it
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["cache_dir", "cached_training"]

P = ParamSpec("P")
R = TypeVar("R")
PACKAGE = Path(__file__).resolve().parents[1]


def cache_dir() -> Path | None:
    """The folder of cached models, or ``None`` when ``ATTENTION_BOOK_CACHE=off``."""
    setting = os.environ.get("ATTENTION_BOOK_CACHE", "")
    if setting.lower() == "off":
        return None
    return Path(setting) if setting else Path.home() / ".cache" / "attention_book"


TASKS = PACKAGE / "tasks"
SIBLING_IMPORT = re.compile(r"^\s*from \.([a-z][a-z0-9_]*) import", re.MULTILINE)


def _task_modules(name: str) -> set[Path]:
    """The file of task module ``name`` and of every task module it imports, directly or not."""
    found: set[Path] = set()
    pending = [name]
    while pending:
        path = TASKS / f"{pending.pop()}.py"
        if path in found or not path.is_file():
            continue
        found.add(path)
        pending += SIBLING_IMPORT.findall(path.read_text(encoding="utf-8"))
    return found


@functools.cache
def _source_hash(module: str) -> str:
    """Hash of the source that a model trained by a function of ``module`` depends on."""
    shared = {
        path
        for path in PACKAGE.rglob("*.py")
        if (TASKS not in path.parents or path.name.startswith("_")) and path.name != "__init__.py"
    }
    own = _task_modules(module.rpartition(".")[2]) if module.startswith(f"{__package__}.") else set()
    digest = hashlib.sha256(torch.__version__.encode())
    for path in sorted(shared | own):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _key(function: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The cache key of ``function(*args, **kwargs)``: its source, its name and every argument's value.

    The arguments are bound to the signature with the defaults filled in, so ``train()``,
    ``train(seed=0)`` and ``train(0)`` name one model, trained once.
    """
    bound = inspect.signature(function).bind(*args, **kwargs)
    bound.apply_defaults()
    digest = hashlib.sha256(_source_hash(function.__module__).encode())
    digest.update(f"{function.__module__}.{function.__qualname__}".encode())
    digest.update(repr(sorted(bound.arguments.items())).encode())
    return digest.hexdigest()[:24]


@contextlib.contextmanager
def _only_trainer(path: Path) -> Iterator[None]:
    """Hold the lock of the model saved at ``path``: one process trains it, the others wait here."""
    with open(path.with_name(f".{path.stem}.lock"), "a") as lock:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        yield


def cached_training(train: Callable[P, R]) -> Callable[P, R]:
    """Decorate ``train`` so that a call with the same arguments and library source is trained only once.

    The result (a model and its history) is saved with ``torch.save`` and written atomically, so a process
    that loads a model never reads half a file; the lock makes a process that asks for a model another
    process is training wait for it rather than train it too.
    """

    @functools.wraps(train)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        folder = cache_dir()
        if folder is None:
            with one_thread():
                return train(*args, **kwargs)
        path = folder / f"{train.__name__}-{_key(train, args, kwargs)}.pt"
        if not path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            with _only_trainer(path):
                if not path.exists():  # nobody trained it while this process waited for the lock
                    with one_thread():
                        result = train(*args, **kwargs)
                    _save_atomically(result, path)
                    return result
        loaded: R = torch.load(path, weights_only=False)
        return loaded

    return wrapper


def _save_atomically(result: object, path: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(handle)
    torch.save(result, temporary)
    os.replace(temporary, path)
