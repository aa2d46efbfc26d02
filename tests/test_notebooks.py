"""Every notebook (a jupytext percent .py file under docs/) runs as a plain Python script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "docs").rglob("*.py"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.relative_to(ROOT).as_posix() for n in NOTEBOOKS])
def test_notebook_runs_as_a_script(notebook: Path, tmp_path: Path) -> None:
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [sys.executable, str(notebook)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.relative_to(ROOT).as_posix() for n in NOTEBOOKS])
def test_notebook_is_a_jupytext_percent_file(notebook: Path) -> None:
    import jupytext

    nb = jupytext.read(notebook)
    assert nb.metadata["jupytext"]["text_representation"]["format_name"] == "percent"
    assert any(cell.cell_type == "code" for cell in nb.cells)
    assert any(cell.cell_type == "markdown" for cell in nb.cells)
