"""The reference shelf: API pages cover the public API, citations and cross-references fail loudly."""

from __future__ import annotations

import os
import pkgutil
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import attention_book
from attention_book import tasks

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build_hooks  # noqa: E402

SITE = Path(os.environ.get("BOOK_SITE", ROOT / "site"))  # the built book (make test builds it first)


def api_anchor(name: str) -> str:
    """The id of the heading that documents ``attention_book.<name>`` (where it is defined)."""
    obj = getattr(attention_book, name)
    module = getattr(obj, "__module__", None) or obj.__name__
    if obj.__class__.__name__ == "module":
        return obj.__name__
    return f"{module}.{obj.__name__}"


@pytest.mark.parametrize("name", attention_book.__all__)
def test_every_public_name_is_on_an_api_page(name: str) -> None:
    api = SITE / "reference" / "api"
    if not api.is_dir():
        pytest.fail("site/ is not built: run `make test` (it builds the site before the tests)")
    anchor = api_anchor(name)
    pages = [p for p in api.rglob("index.html") if f'id="{anchor}"' in p.read_text(encoding="utf-8")]
    if anchor.count(".") == 1 and anchor == f"attention_book.{name}":  # a submodule: its own page
        pages = [p for p in api.rglob("index.html") if p.parent.name == name]
    assert pages, f"attention_book.{name} ({anchor}) is on no page under site/reference/api/"


def test_every_task_module_is_on_the_tasks_page_and_each_trainer_once() -> None:
    """Each task module has its section on the tasks page, and each ``train_<task>`` is documented once.

    The package re-exports the trainers; the page lists its members so that they are not documented a
    second time as aliases. A new task module missing from that list would silently leave the page.
    """
    page = SITE / "reference" / "api" / "tasks" / "index.html"
    if not page.is_file():
        pytest.fail("site/ is not built: run `make test` (it builds the site before the tests)")
    html = page.read_text(encoding="utf-8")
    modules = [m.name for m in pkgutil.iter_modules(tasks.__path__) if not m.name.startswith("_")]
    missing = [name for name in modules if f'id="attention_book.tasks.{name}"' not in html]
    assert not missing, f"task modules without a section on the tasks page: {missing}"
    for name in [name for name in dir(tasks) if name.startswith("train_")]:
        trainer = getattr(tasks, name)
        ids = re.findall(rf'id="(attention_book\.tasks\.(?:[a-z0-9_]+\.)?{name})"', html)
        assert ids == [f"{trainer.__module__}.{name}"], f"{name} is documented as {ids}"


def test_citations_become_numbered_links_and_unknown_keys_fail() -> None:
    keys = list(build_hooks.bibliography())
    page = f"As shown [@{keys[1]}] and [@{keys[0]}; @{keys[2]}]."
    rendered = build_hooks.render_citations(page, "foundations/x.md")
    assert f"[[2](../reference/bibliography.md#{keys[1]})]" in rendered
    assert f"[1](../reference/bibliography.md#{keys[0]}), [3](" in rendered
    with pytest.raises(build_hooks.BuildError, match="foundations/x.md: unknown citation key.*nosuch"):
        build_hooks.render_citations("See [@nosuch].", "foundations/x.md")


def test_citations_in_code_are_not_counted() -> None:
    markdown = "Text [@vaswani2017].\n\n```python\nx = [@decorator]\n```\n"
    assert build_hooks.cited_keys(markdown) == ["vaswani2017"]


def test_the_bibliography_has_the_papers_the_book_promises() -> None:
    entries = build_hooks.bibliography()
    for key in ["bahdanau2014", "luong2015", "vaswani2017", "shaw2018", "shazeer2019", "child2019"]:
        assert "arxiv" in entries[key], key
    for key in ["beltagy2020", "zaheer2020", "katharopoulos2020", "dosovitskiy2020", "su2021"]:
        assert "arxiv" in entries[key], key
    for key in ["press2021", "dao2022", "ainslie2023", "xiao2023"]:
        assert "arxiv" in entries[key], key


def test_docstrings_become_markdown() -> None:
    text = "Softmax.\n\n.. math::\n\n    w = e^s\n\nSee :func:`masked_softmax` and :math:`d_k`.\n"
    converted = build_hooks.docstring_to_markdown(text)
    assert "$$\nw = e^s\n$$" in converted
    assert "`masked_softmax`" in converted and "$d_k$" in converted and ":func:" not in converted


def test_every_abbreviation_is_defined_in_the_glossary() -> None:
    abbreviations = (ROOT / "includes" / "abbreviations.md").read_text(encoding="utf-8").splitlines()
    glossary = (ROOT / "docs" / "reference" / "glossary.md").read_text(encoding="utf-8")
    terms = {line.strip() for line in glossary.splitlines() if line and not line[0].isspace()}
    for line in abbreviations:
        short = line.split("]")[0].removeprefix("*[")
        assert any(term == short or term.startswith(short + " ") for term in terms), short


FIXTURE_CONFIG = """
site_name: reference fixture
theme: {name: material, font: false}
markdown_extensions: [attr_list, md_in_html]
plugins:
  - autorefs
  - mkdocstrings: {handlers: {python: {paths: [ROOT]}}}
hooks: [ROOT/build_hooks.py]
"""


def build_fixture(tmp_path: Path, page: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(textwrap.dedent(page), encoding="utf-8")
    (tmp_path / "docs" / "api.md").write_text("# API\n\n::: attention_book.masks\n", encoding="utf-8")
    (tmp_path / "docs" / "reference").mkdir()
    bibliography = "# Bibliography\n\n<!-- bibliography -->\n"
    (tmp_path / "docs" / "reference" / "bibliography.md").write_text(bibliography, encoding="utf-8")
    config = FIXTURE_CONFIG.replace("ROOT", str(ROOT))
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(tmp_path / "mkdocs.yml")]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(
    ("page", "complaint"),
    [
        ("# Page\n\nSee [@nosuchpaper].\n", "unknown citation key(s) nosuchpaper"),
        ("# Page\n\nSee [it][attention_book.masks.no_such_mask].\n", "attention_book.masks.no_such_mask"),
    ],
    ids=["unknown-citation", "broken-cross-reference"],
)
def test_strict_build_fails(tmp_path: Path, page: str, complaint: str) -> None:
    run = build_fixture(tmp_path, page)
    assert run.returncode != 0
    assert complaint in run.stdout + run.stderr


def test_strict_build_passes_with_good_references(tmp_path: Path) -> None:
    page = "# Page\n\n[A mask][attention_book.masks.causal_mask], as in [@vaswani2017].\n"
    run = build_fixture(tmp_path, page)
    assert run.returncode == 0, run.stdout + run.stderr
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="api/#attention_book.masks.causal_mask"' in html
    assert 'href="reference/bibliography/#vaswani2017"' in html
    entries = (tmp_path / "site" / "reference" / "bibliography" / "index.html").read_text(encoding="utf-8")
    cited = entries.split('id="vaswani2017"')[1].split("</p>")[0]
    assert "Attention Is All You Need" in cited and "Cited in" in cited and 'href="../..' in cited
