"""The guard: every Python block on the built site is executed by some test.

A Python code block on a built page is accepted when it is one of:

* an **included snippet**: its code equals a file under ``snippets/``, or a marked section of one
  (``# --8<-- [start:name]`` ... ``# --8<-- [end:name]``); ``tests/test_snippets.py`` runs every file;
* an **inline block** of the page's Markdown that pytest-codeblocks runs: fenced as plain ```` ```python ````
  and not marked to be skipped (``<!--pytest.mark.skip-->``, ``skipif``, ``xfail``);
* a **notebook cell**: inside mkdocs-jupyter's ``.jupyter-wrapper`` on a page built from a jupytext
  ``.py`` notebook, which the build executes and ``tests/test_notebooks.py`` runs as a script.

Anything else (a block marked skipped, a hand-written ``py`` block, an edited copy of a snippet) is a
problem, reported with the page and the block's first line. Blocks are recognised by the
``language-python`` class that ``pymdownx.highlight`` adds with ``pygments_lang_class: true`` (mkdocs.yml).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from pytest_codeblocks.main import extract_from_file

PYTHON_LANGUAGES = {"python", "py", "python3", "pycon", "ipython", "ipython3"}
SECTION_MARKER = re.compile(r"^\s*#\s*-{1,}8<-{1,}\s*\[(start|end):([\w-]+)\]\s*$")
ANNOTATION_MARKER = re.compile(r"\s*#\s*\(\d+\)!?\s*$")
SKIPPING_MARKS = ("pytest.mark.skip", "pytest.mark.skipif", "pytest.mark.xfail")


@dataclass(frozen=True)
class Problem:
    page: str
    first_line: str

    def __str__(self) -> str:
        return f"{self.page}: Python block not executed by any test, starting {self.first_line!r}"


def normalize(code: str) -> str:
    """Compare code modulo indentation, trailing spaces, blank lines and code-annotation markers.

    Blank lines are dropped because pytest-codeblocks drops them from blocks indented in admonitions.
    """
    lines = [ANNOTATION_MARKER.sub("", line).rstrip() for line in code.splitlines()]
    return textwrap.dedent("\n".join(line for line in lines if line))


def snippet_texts(snippets_dir: Path) -> set[str]:
    """Every snippet file (marker lines removed, as pymdownx.snippets shows it) and each marked section."""
    texts: set[str] = set()
    for path in sorted(snippets_dir.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        texts.add(normalize("\n".join(line for line in lines if not SECTION_MARKER.match(line))))
        sections: dict[str, list[str]] = {}
        for line in lines:
            marker = SECTION_MARKER.match(line)
            if marker and marker.group(1) == "start":
                sections[marker.group(2)] = []
            elif marker:
                texts.add(normalize("\n".join(sections.pop(marker.group(2), []))))
            else:
                for body in sections.values():
                    body.append(line)
    return texts


def inline_texts(markdown_path: Path) -> set[str]:
    """The page's fenced ```python blocks that pytest-codeblocks runs (none skipped)."""
    return {
        normalize(block.code)
        for block in extract_from_file(markdown_path)
        if block.syntax == "python" and not any(m.startswith(SKIPPING_MARKS) for m in block.marks)
    }


def source_of(page: Path, site_dir: Path, docs_dir: Path) -> Path | None:
    """The Markdown or notebook file a built page came from (directory URLs), or None."""
    relative = page.relative_to(site_dir).parent
    stem = docs_dir / relative
    for candidate in (stem / "index.md", stem.with_suffix(".md"), stem.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def python_blocks(html: str) -> list[tuple[str, bool]]:
    """(code, is_notebook_cell) for every Python code block of a page."""
    soup = BeautifulSoup(html, "html.parser")
    blocks = []
    for element in soup.select("pre"):
        code = element.find("code") or element
        is_cell = element.find_parent(class_="jp-InputArea-editor") is not None
        if is_cell or _is_python(code):
            blocks.append((code.get_text(), is_cell))
    return blocks


def _is_python(element: Tag) -> bool:
    """True if the element or an ancestor carries a ``language-<python>`` class."""
    for node in (element, *element.parents):
        classes = node.get("class") if isinstance(node, Tag) else None
        if classes and any(
            c.removeprefix("language-") in PYTHON_LANGUAGES for c in classes if c.startswith("language-")
        ):
            return True
    return False


def check_site(site_dir: Path, docs_dir: Path, snippets_dir: Path) -> list[Problem]:
    """All Python blocks on the built site that no test executes."""
    snippets = snippet_texts(snippets_dir)
    problems = []
    for page in sorted(site_dir.rglob("*.html")):
        name = page.relative_to(site_dir).as_posix()
        blocks = python_blocks(page.read_text(encoding="utf-8"))
        if not blocks:
            continue
        source = source_of(page, site_dir, docs_dir)
        is_notebook = source is not None and source.suffix == ".py"
        inline = inline_texts(source) if source is not None and source.suffix == ".md" else set()
        for code, is_cell in blocks:
            text = normalize(code)
            if (is_cell and is_notebook) or text in snippets or text in inline:
                continue
            first_line = next((line for line in text.splitlines() if line.strip()), "")
            problems.append(Problem(name, first_line))
    return problems
