"""Run Python programs as a reader would, without paying for ``import torch`` each time.

Every listing of the book is a whole program, run by the build (for its output) and again by the tests
(to check that output). Started the plain way, each run spends most of its time importing PyTorch and the
library before the listing's first line. Here, a warm interpreter imports them once, then forks a child
for each program: the child has a process of its own, a fresh ``__main__`` namespace, the program's
directory first on ``sys.path``, its own working directory, and its output captured from the file
descriptors, so what C code prints is captured too. What the child can see that a fresh interpreter would
not is only what importing ``attention_book`` imports anyway.

``BOOK_FRESH_INTERPRETER=1`` turns the warm interpreter off: every program then runs in a new
``python`` process, as before (and on platforms without ``fork``).

Usage::

    with WarmPool(workers=2) as pool:
        result = pool.run(Path("snippets/sdpa/basic.py"), cwd=Path("/tmp/empty"))
    result.returncode, result.stdout, result.stderr
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

#: Modules the warm interpreter imports before it forks. ``attention_book`` pulls in torch and numpy.
PRELOAD = ("attention_book",)


@dataclass(frozen=True)
class Result:
    """What one program did: its exit status and everything it wrote to stdout and stderr."""

    returncode: int
    stdout: str
    stderr: str


def reader_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a run: a reader's, with fixed hashing and Matplotlib's file backend."""
    env = dict(os.environ if base is None else base, PYTHONHASHSEED="0", MPLBACKEND="Agg")
    env.pop("PYTHONPATH", None)
    return env


def fresh_run(path: Path, cwd: Path, timeout: float, env: Mapping[str, str] | None = None) -> Result:
    """Run ``path`` in a new interpreter (the slow, plain way)."""
    proc = subprocess.run(
        [sys.executable, str(path)],
        cwd=cwd,
        env=reader_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


# The warm interpreter: reads one JSON request per line ({"path", "cwd", "out", "err"}), forks a child that
# runs the program with its stdout and stderr sent to the files "out" and "err", and answers with one
# JSON line {"returncode"} when the child has exited.
_SERVER = r"""
import importlib, json, os, runpy, sys, traceback

for name in sys.argv[1:]:
    importlib.import_module(name)
requests, answers = sys.stdin, sys.__stdout__
answers.write("ready\n")
answers.flush()

def child(request):
    out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    err = os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.close(out)
    os.close(err)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.chdir(request["cwd"])
    sys.stdin = open(0, closefd=False)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False, errors="backslashreplace")
    sys.argv = [request["path"]]
    sys.path[0] = os.path.dirname(request["path"])
    code = 0
    try:
        runpy.run_path(request["path"], run_name="__main__")
    except SystemExit as stop:
        if stop.code is None:
            code = 0
        elif isinstance(stop.code, int):
            code = stop.code
        else:
            print(stop.code, file=sys.stderr)
            code = 1
    except BaseException as error:
        trace = error.__traceback__  # from the program's own first frame, as python would print it
        while trace is not None and trace.tb_frame.f_code.co_filename != request["path"]:
            trace = trace.tb_next
        traceback.print_exception(type(error), error, trace or error.__traceback__)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            code = code or 120
    os._exit(code)

for line in requests:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        child(request)
    _, status = os.waitpid(pid, 0)
    answers.write(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}) + "\n")
    answers.flush()
"""


class WarmInterpreter:
    """An interpreter that has imported :data:`PRELOAD` and runs programs in forked children, one by one."""

    def __init__(self, env: Mapping[str, str] | None = None, preload: tuple[str, ...] = PRELOAD) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=reader_env(env),
            cwd=tempfile.gettempdir(),
            text=True,
            start_new_session=True,  # its own process group: closing it stops a running child too
        )
        self._ready = False

    def _wait_ready(self) -> None:
        if not self._ready:
            assert self._process.stdout is not None
            line = self._process.stdout.readline()
            if line.strip() != "ready":
                raise RuntimeError(f"the warm interpreter did not start (it said {line!r})")
            self._ready = True

    def run(self, path: Path, cwd: Path, timeout: float) -> Result:
        """Run the program ``path`` with working directory ``cwd``; its output is captured."""
        self._wait_ready()
        assert self._process.stdin is not None and self._process.stdout is not None
        with tempfile.TemporaryDirectory() as folder:
            out, err = Path(folder, "stdout"), Path(folder, "stderr")
            request = {"path": str(Path(path).resolve()), "cwd": str(cwd), "out": str(out), "err": str(err)}
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            answer = _read_line(self._process.stdout, timeout)
            if answer is None:
                self.close()
                raise subprocess.TimeoutExpired(str(path), timeout)
            returncode = json.loads(answer)["returncode"]
            return Result(returncode, _read(out), _read(err))

    def close(self) -> None:
        """Stop the interpreter (and a child still running, if a run timed out)."""
        try:
            os.killpg(self._process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._process.wait()


class WarmPool:
    """A few warm interpreters, so that programs run ``workers`` at a time; a context manager.

    Falls back to :func:`fresh_run` under ``BOOK_FRESH_INTERPRETER=1`` or where there is no ``fork``.
    """

    def __init__(self, workers: int = 2, env: Mapping[str, str] | None = None) -> None:
        self._env = env
        self._fresh = bool(os.environ.get("BOOK_FRESH_INTERPRETER")) or not hasattr(os, "fork")
        self._idle: queue.SimpleQueue[WarmInterpreter] = queue.SimpleQueue()
        self._all: list[WarmInterpreter] = []
        self._lock = threading.Lock()
        if not self._fresh:
            for _ in range(workers):
                interpreter = WarmInterpreter(env)
                self._all.append(interpreter)
                self._idle.put(interpreter)

    def run(self, path: Path, cwd: Path, timeout: float = 600) -> Result:
        """Run ``path`` from ``cwd`` on the next free interpreter (blocks until one is free)."""
        if self._fresh:
            return fresh_run(path, cwd, timeout, self._env)
        interpreter = self._idle.get()
        try:
            return interpreter.run(path, cwd, timeout)
        except subprocess.TimeoutExpired:
            with self._lock:
                replacement = WarmInterpreter(self._env)
                self._all.append(replacement)
            interpreter = replacement
            raise
        finally:
            self._idle.put(interpreter)

    def close(self) -> None:
        for interpreter in self._all:
            interpreter.close()

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="backslashreplace") if path.exists() else ""


def _read_line(stream: object, timeout: float) -> str | None:
    """One line from ``stream``, or None if none came within ``timeout`` seconds."""
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(stream.readline()), daemon=True)  # type: ignore[attr-defined]
    reader.start()
    reader.join(timeout)
    return box[0] if box and box[0] else None
