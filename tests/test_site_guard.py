"""Every Python block on the built site is executed by some test (see site_guard.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from site_guard import check_site

ROOT = Path(__file__).resolve().parents[1]


def test_every_python_block_on_the_site_is_executed() -> None:
    site = ROOT / "site"
    if not (site / "index.html").is_file():
        pytest.fail("site/ is not built: run `make test` (it builds the site before the tests)")
    problems = check_site(site, ROOT / "docs", ROOT / "snippets")
    assert not problems, "\n".join(map(str, problems))


FIXTURE_CONFIG = """
site_name: guard fixture
theme: {name: material, font: false}
markdown_extensions:
  - admonition
  - pymdownx.superfences
  - pymdownx.highlight: {pygments_lang_class: true}  # as in mkdocs.yml: the guard reads the language class
  - pymdownx.snippets: {base_path: ["."], check_paths: true}
"""

SKIPPED_PAGE = """
# A page with a skipped block

<!--pytest.mark.skip-->
```python
print("nobody runs me")
```
"""

RUN_PAGE = """
# A page whose blocks all run

```python
print("pytest-codeblocks runs me")
```

```python title="snippets/demo.py"
--8<-- "snippets/demo.py"
```
"""

EDITED_SNIPPET_PAGE = """
# A page with a hand-edited copy of a snippet

```python title="snippets/demo.py"
print("an edited copy of the snippet")
```
"""


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny mkdocs project with one page of each kind, built with the real toolchain."""
    root = tmp_path_factory.mktemp("guard")
    (root / "docs").mkdir()
    (root / "snippets").mkdir()
    (root / "mkdocs.yml").write_text(FIXTURE_CONFIG)
    (root / "snippets" / "demo.py").write_text('print("a snippet file, run by test_snippets")\n')
    for name, text in {"index": RUN_PAGE, "skipped": SKIPPED_PAGE, "edited": EDITED_SNIPPET_PAGE}.items():
        (root / "docs" / f"{name}.md").write_text(textwrap.dedent(text))
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet"],
        cwd=root,
        check=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
    )
    return root


def test_guard_fails_on_a_block_marked_skipped(fixture_project: Path) -> None:
    problems = check_site(fixture_project / "site", fixture_project / "docs", fixture_project / "snippets")
    reported = {(p.page, p.first_line) for p in problems}
    assert ("skipped/index.html", 'print("nobody runs me")') in reported
    assert "skipped/index.html: Python block not executed" in "\n".join(map(str, problems))


def test_guard_fails_on_an_edited_copy_of_a_snippet(fixture_project: Path) -> None:
    problems = check_site(fixture_project / "site", fixture_project / "docs", fixture_project / "snippets")
    assert ("edited/index.html", 'print("an edited copy of the snippet")') in {
        (p.page, p.first_line) for p in problems
    }


def test_guard_accepts_run_inline_blocks_and_included_snippets(fixture_project: Path) -> None:
    problems = check_site(fixture_project / "site", fixture_project / "docs", fixture_project / "snippets")
    assert not [p for p in problems if p.page == "index.html"]
