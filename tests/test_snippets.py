"""Every file under snippets/ runs as its own program, and prints something.

Each runs in a process of its own, forked from a warm interpreter that has imported the library
(``listing_runner.py``; ``BOOK_FRESH_INTERPRETER=1`` starts a fresh interpreter each time instead).

A snippet that a page shows whole, with its output under it, is also run by the browser test
``test_listings_print_what_the_page_shows``: copied from the page, run in an empty directory, and compared
character for character with the output the page shows. Where that test runs (Chromium present, or
``REQUIRE_BROWSER=1`` as in CI), running those snippets here a second time would check nothing more, so
they are skipped here and run there; every other snippet, and every snippet on a machine without a browser,
runs here.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPETS = sorted((ROOT / "snippets").rglob("*.py"))
sys.path.insert(0, str(ROOT / "tests"))

from browser.support import browser_required, chromium_path  # noqa: E402

from listing_runner import WarmPool  # noqa: E402


def shown_whole_with_output() -> set[Path]:
    """Snippets that some page includes whole, followed by the output directive for the same file."""
    shown: set[Path] = set()
    for page in (ROOT / "docs").rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        pattern = r'--8<-- "(snippets/[^":]+\.py)"\s*\n\s*```\s*\n\s*<!--\s*output:\s*(\S+)\s*-->'
        for included, output in re.findall(pattern, text):
            if included == output:
                shown.add((ROOT / included).resolve())
    return shown


RUN_FROM_PAGES = shown_whole_with_output() if (chromium_path() or browser_required()) else set()


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[s.relative_to(ROOT).as_posix() for s in SNIPPETS])
def test_snippet_runs(snippet: Path, tmp_path: Path, warm_python: WarmPool) -> None:
    if snippet.resolve() in RUN_FROM_PAGES:
        pytest.skip("run from its page by test_site.py::test_listings_print_what_the_page_shows")
    # Run from an empty directory, as a reader would: only installed packages are importable.
    run = warm_python.run(snippet, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip(), f"{snippet.name} prints nothing: a listing must show its result"


def test_there_are_snippets() -> None:
    assert SNIPPETS, "no files under snippets/"


def test_pages_show_most_snippets_with_their_output() -> None:
    """The pattern above recognises the pages' listings: most snippets are shown whole with an output."""
    assert len(shown_whole_with_output()) >= len(SNIPPETS) // 2
