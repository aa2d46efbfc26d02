"""The built site loads nothing from another host and runs no math script: formulas arrive typeset.

The browser tests see the requests a page makes; this test reads every built HTML file, so it also
catches a URL that only a rare branch would load (a CDN import behind an ``if``, as in the notebook
template's Mermaid loader).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
REMOTE = re.compile(r"""(?:https?:)?//[^\s"'`)]+""")
# Inside scripts and styles: import("https://..."), import x from "https://...", url(https://...), @import
REMOTE_IN_CODE = re.compile(r"""(?:import\s*\(?|from|url\(|@import)\s*["'`]?(?:https?:)?//""")


def pages() -> list[Path]:
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ is not built: run `make test` (it builds the site before the tests)")
    return sorted(SITE.rglob("*.html"))


def remote_loads(html: str) -> list[str]:
    """Every script, stylesheet, module or font URL of the page that points to another host."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for tag, attribute in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
        for element in soup.find_all(tag):
            url = element.get(attribute)
            if tag == "link" and "stylesheet" not in (element.get("rel") or []) and element.get("as") is None:
                continue  # <link rel="canonical"> and the like are not loaded
            if isinstance(url, str) and REMOTE.match(url):
                found.append(f"<{tag} {attribute}={url}>")
    for element in soup.find_all(["script", "style"]):
        found += [f"<{element.name}>: {m.group(0)}..." for m in REMOTE_IN_CODE.finditer(element.get_text())]
    return found


def test_no_page_loads_anything_from_another_host() -> None:
    problems = [
        f"{page.relative_to(SITE)}: {load}"
        for page in pages()
        for load in remote_loads(page.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)


def test_the_checker_sees_a_remote_module_import() -> None:
    html = '<script type="module">if (x) { await import("https://cdn.example/m.mjs") }</script>'
    assert remote_loads(html) and not remote_loads('<a href="https://arxiv.org/abs/1706.03762">paper</a>')


def test_formulas_arrive_typeset_and_no_math_script_runs() -> None:
    typeset_pages = 0
    for page in pages():
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        scripts = [s.get("src", "") for s in soup.find_all("script")]
        assert not [s for s in scripts if "mathjax" in s.lower()], f"{page}: a MathJax script is loaded"
        for formula in soup.select(".arithmatex"):
            assert formula.find("svg") is not None, f"{page}: formula left as TeX: {formula.get_text()[:80]}"
            typeset_pages += 1
    assert typeset_pages > 0
