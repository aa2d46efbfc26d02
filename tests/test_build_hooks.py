"""The build machinery: listing outputs, figures (reproducible, failing loudly), notebook downloads."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import build_hooks  # noqa: E402


def test_output_directive_becomes_the_printed_text() -> None:
    snippet = sorted((ROOT / "snippets").rglob("*.py"))[0]
    page = f"Intro\n\n<!-- output: {snippet.relative_to(ROOT).as_posix()} -->\n\nOutro\n"
    rendered = build_hooks.OUTPUT_DIRECTIVE.sub(
        lambda m: build_hooks.render_output(build_hooks.run_snippet(ROOT / m["path"])), page
    )
    printed = build_hooks.run_snippet(snippet).rstrip("\n")
    assert "<!-- output:" not in rendered
    assert printed in rendered
    assert 'title="Output"' in rendered


def test_output_fence_is_longer_than_any_backtick_run_in_the_output() -> None:
    rendered = build_hooks.render_output("a ```` b\n")
    fence = rendered.split("text", 1)[0].split("\n")[-1]
    assert len(fence) == 5 and rendered.rstrip().endswith(fence + "\n\n</div>".rstrip())


def test_output_directive_naming_a_missing_file_fails() -> None:
    with pytest.raises(build_hooks.BuildError, match="snippets/nope.py"):
        build_hooks._snippet_path("snippets/nope.py", "page.md")


def test_failing_snippet_fails_with_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snippets = tmp_path / "snippets"
    snippets.mkdir()
    broken = snippets / "broken.py"
    broken.write_text("raise RuntimeError('boom')\n")
    monkeypatch.setattr(build_hooks, "ROOT", tmp_path)
    monkeypatch.setattr(build_hooks, "CACHE", tmp_path / ".cache")
    with pytest.raises(build_hooks.BuildError, match=r"listing snippets/broken.py failed[\s\S]*boom"):
        build_hooks.run_snippet(broken)


def test_figures_are_byte_identical_across_builds(tmp_path: Path) -> None:
    script = build_hooks.figure_scripts()[0]
    jobs = {script: {t: tmp_path / "a" / f"{t}.svg" for t in build_hooks.THEMES}}
    again = {script: {t: tmp_path / "b" / f"{t}.svg" for t in build_hooks.THEMES}}
    build_hooks.draw_figures(jobs)
    build_hooks.draw_figures(again)
    for theme in build_hooks.THEMES:
        first, second = jobs[script][theme].read_bytes(), again[script][theme].read_bytes()
        assert first.startswith(b"<?xml") and first == second
    assert jobs[script]["light"].read_bytes() != jobs[script]["dark"].read_bytes()


def test_failing_figure_fails_the_build_with_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures = tmp_path / "figures" / "chapter"
    figures.mkdir(parents=True)
    script = figures / "broken_plot.py"
    script.write_text("def draw():\n    raise ValueError('cannot draw')\n")
    monkeypatch.setattr(build_hooks, "FIGURES", tmp_path / "figures")
    with pytest.raises(build_hooks.BuildError, match=r"figure chapter/broken_plot failed[\s\S]*cannot draw"):
        build_hooks.draw_figures({script: {"light": tmp_path / "x.svg"}})


def test_figure_directive_shows_both_variants_relative_to_the_page() -> None:
    name = build_hooks.figure_name(build_hooks.figure_scripts()[0])
    markdown = build_hooks.render_figure(name, "Alt text", "part/chapter.md")
    assert f"](../assets/figures/{name}-light.svg#only-light)" in markdown
    assert f"](../assets/figures/{name}-dark.svg#only-dark)" in markdown
    assert "![Alt text]" in markdown


def test_figure_directive_naming_a_missing_figure_fails() -> None:
    with pytest.raises(build_hooks.BuildError, match="figures/nope/missing.py"):
        build_hooks.render_figure("nope/missing", "Alt", "index.md")


def test_cache_key_changes_with_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_hooks, "ROOT", tmp_path)
    script = tmp_path / "figure.py"
    script.write_text("x = 1\n")
    before = build_hooks.file_key(script)
    assert build_hooks.file_key(script) == before
    script.write_text("x = 2\n")
    assert build_hooks.file_key(script) != before


def test_notebook_mathjax_from_a_cdn_is_removed() -> None:
    html = (
        f'<div><script src="{build_hooks.NOTEBOOK_MATHJAX_PLACEHOLDER}"> </script>'
        '<script type="text/x-mathjax-config">init_mathjax = function() {}</script><p>$x$</p></div>'
    )
    stripped = build_hooks.strip_notebook_mathjax(html)
    assert "<script" not in stripped and "<p>$x$</p>" in stripped


def test_notebook_download_is_a_valid_ipynb(tmp_path: Path) -> None:
    import nbformat

    notebook = sorted((ROOT / "docs").rglob("*.py"))[0]
    target = tmp_path / build_hooks.notebook_download_name(notebook.name)
    build_hooks.write_ipynb(notebook, target)
    nbformat.validate(nbformat.read(target, as_version=4))
    assert json.loads(target.read_text())["nbformat"] == 4


def test_notebook_math_is_marked_for_mathjax_but_code_is_not() -> None:
    html = "<p>score $q_i$ and $$\\sum_j w_j$$</p><pre>cost = $5 + $6</pre><script>var $a = 1; $b$</script>"
    marked = build_hooks.mark_notebook_math(html)
    assert '<span class="arithmatex">\\(q_i\\)</span>' in marked
    assert '<span class="arithmatex">\\[\\sum_j w_j\\]</span>' in marked
    assert marked.endswith("<pre>cost = $5 + $6</pre><script>var $a = 1; $b$</script>")


def test_value_directive_takes_the_value_of_its_labelled_line() -> None:
    output = "d_k: 64\nlargest weight: 0.97 (unscaled)\nlargest weight scaled = 0.41\n"
    assert build_hooks.printed_value(output, "largest weight", "page.md") == "0.97 (unscaled)"
    assert build_hooks.printed_value(output, "largest weight scaled", "page.md") == "0.41"
    match = build_hooks.VALUE_DIRECTIVE.search('The weight is <!-- value: snippets/a/b.py "d_k" --> here.')
    assert match is not None and (match["path"], match["label"]) == ("snippets/a/b.py", "d_k")


@pytest.mark.parametrize("output", ["nothing here\n", "x: 1\nx: 2\n"])
def test_value_directive_fails_unless_exactly_one_line_matches(output: str) -> None:
    with pytest.raises(build_hooks.BuildError, match="page.md.*'x: ...'"):
        build_hooks.printed_value(output, "x", "page.md")


def test_indented_output_directive_stays_inside_its_block() -> None:
    page = '??? success "Solution"\n\n    <!-- output: snippets/x.py -->\n'
    match = build_hooks.OUTPUT_DIRECTIVE.search(page)
    assert match is not None and match["indent"] == "    "
    block = build_hooks.indented(build_hooks.render_output("a\n\nb\n"), match["indent"])
    lines = block.split("\n")
    assert all(line.startswith("    ") for line in lines if line.strip())
    assert "" in lines  # blank lines stay blank


def test_notebooks_executed_early_are_not_executed_again_by_their_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build executes notebooks beside the figures; mkdocs-jupyter then renders them from its cache."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page
    from mkdocs_jupyter import convert

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n")
    (docs / "count.py").write_text("# %% [markdown]\n# # Counting\n\n# %%\nprint(sum(range(4)))\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - mkdocs-jupyter:\n      include: ['*.py']\n      execute: true\n"
        f"      cache_dir: {tmp_path / 'cache'}\n"
    )
    config = load_config(str(tmp_path / "mkdocs.yml"))
    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    files = Files([File("count.py", str(docs), str(tmp_path / "site"), False)])
    files = config.plugins.on_files(files, config=config)

    notebooks = build_hooks.notebooks_to_execute(files, config)
    assert list(notebooks) == [docs / "count.py"]
    build_hooks.execute_notebooks(notebooks, config)
    assert build_hooks.notebooks_to_execute(files, config) == {}

    def no_second_run(*args: object, **kwargs: object) -> str:
        raise AssertionError("mkdocs-jupyter executed the notebook again")

    monkeypatch.setattr(convert, "nb2html", no_second_run)
    page = Page(None, files.get_file_from_path("count.py"), config)
    config.plugins.on_pre_page(page, config=config, files=files)
    page.render(config, files)
    assert page.title == "Counting"
    assert ">6<" in page.content or "6\n" in page.content  # the output of the executed cell


def test_a_long_signature_is_formatted_once_across_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mkdocstrings formats a long API signature with a ruff process; the next build remembers it."""
    import subprocess

    from markupsafe import Markup
    from mkdocstrings_handlers.python._internal import rendering

    monkeypatch.setattr(build_hooks, "CACHE", tmp_path)
    runs: list[object] = []
    run = subprocess.run

    def counted_run(*args: object, **kwargs: object) -> object:
        runs.append(args)
        return run(*args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", counted_run)
    signature = "(" + ", ".join(f"argument_{i}: int = {i}" for i in range(8)) + ") -> int"
    build_hooks.remember_formatted_signatures()  # a first build
    first = rendering._format_signature(Markup("total"), signature, 60)
    build_hooks.save_formatted_signatures()
    build_hooks.remember_formatted_signatures()  # the next build: what it knows comes from the file
    second = rendering._format_signature(Markup("total"), signature, 60)
    assert len(runs) == 1
    assert second == first
    assert first.startswith("total(\n") and "argument_7: int = 7" in first  # ruff split it over lines
