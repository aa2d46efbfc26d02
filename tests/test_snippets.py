"""Every file under snippets/ runs on its own, in a fresh interpreter, and prints something."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = sorted((ROOT / "snippets").rglob("*.py"))


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.relative_to(ROOT).as_posix() for s in SNIPPETS])
def test_snippet_runs(snippet: Path, tmp_path: Path) -> None:
    # Run from an empty directory, as a reader would: only installed packages are importable.
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg")
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [sys.executable, str(snippet)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip(), f"{snippet.name} prints nothing: a listing must show its result"


def test_there_are_snippets() -> None:
    assert SNIPPETS, "no files under snippets/"
