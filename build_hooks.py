"""The book's build machinery: one mkdocs hooks module (``hooks:`` in mkdocs.yml).

It does these things, each cached so that a rebuild with nothing changed runs no code:

1. **Listing outputs.** A line ``<!-- output: snippets/<chapter>/<file>.py -->`` in a page is replaced by
   what that file prints, captured at build time by running it in a fresh Python process. Inside a
   sentence, ``<!-- value: snippets/<chapter>/<file>.py "label" -->`` is replaced by the value on the
   line ``label: value`` of that output, so numbers in the prose are the numbers the listing printed.
2. **Figures.** Each ``figures/<chapter>/<name>.py`` defines ``draw() -> matplotlib.figure.Figure``. It is
   drawn twice, under ``attention_book.viz.theme("light")`` and ``theme("dark")``, to SVG. A line
   ``<!-- figure: <chapter>/<name> "Alt text" -->`` in a page shows the variant that matches the palette.
3. **Notebooks.** mkdocs-jupyter executes the jupytext ``.py`` notebooks under ``docs/`` and caches the
   result by the notebook's text; we execute them into that cache early, beside the figures and listings,
   add the library's source to its key, drop the notebook template's CDN MathJax tag and Mermaid loader,
   and offer each notebook for download as ``.ipynb``.
4. **Math typeset at build.** Every formula is typeset to SVG by MathJax under Node (``typeset_math.js``,
   ``mathjax-full`` pinned in ``package-lock.json``), cached by its TeX: the page arrives with its math
   rendered and no math script runs in the reader's browser. A TeX error fails the build.
5. **The reference shelf.** Docstrings rendered as Markdown for mkdocstrings, ``[@key]`` citations
   numbered from ``docs/reference/bibliography.yml``, and "Taught in" links from API entries to chapters.
6. **Widgets.** ``<!-- widget: <chapter>/<name> "Description" -->`` shows an interactive figure, drawn in
   the browser from JSON that ``widgets/<chapter>/<name>.py`` computes at build, after a static figure.
7. **API signatures formatted once.** mkdocstrings runs ``ruff format`` once a long signature; the results
   are remembered in ``.cache``, so a rebuild starts no formatter process.

Cache keys hash everything that produced a result: the file itself, every source file of
``attention_book``, this module, and the versions of Python, torch, NumPy and Matplotlib.
Run ``python build_hooks.py draw FIGURE.py... --out DIR`` to draw figures outside mkdocs.
"""

from __future__ import annotations

import argparse
import hashlib
import html as html_lib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the build loads this file as a hook, not a module
from listing_runner import WarmPool, fresh_run, reader_env  # noqa: E402

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / ".cache"
FIGURES = ROOT / "figures"
FIGURE_URL = "assets/figures"
NOTEBOOK_MATHJAX_PLACEHOLDER = "book-mathjax-is-loaded-by-the-theme.js"
THEMES = ("light", "dark")

# Directives may be indented (inside an admonition or a collapsed solution); what replaces them is too.
OUTPUT_DIRECTIVE = re.compile(
    r"^(?P<indent>[ \t]*)<!--\s*output:\s*(?P<path>\S+?)\s*-->[ \t]*$", re.MULTILINE
)
# Inline: <!-- value: snippets/<chapter>/<file>.py "label" --> becomes the rest of the one output line
# that starts with "label:" (or "label ="), so a number in a sentence is the number the listing printed.
VALUE_DIRECTIVE = re.compile(r'<!--\s*value:\s*(?P<path>\S+?)\s+"(?P<label>[^"]+)"\s*-->')
FIGURE_DIRECTIVE = re.compile(
    r'^(?P<indent>[ \t]*)<!--\s*figure:\s*(?P<name>[\w/-]+)\s+"(?P<alt>[^"]+)"\s*-->[ \t]*$', re.MULTILINE
)


# Cache files this build used; on_post_build deletes the others (results of older sources).
USED_CACHE_FILES: set[Path] = set()


class BuildError(Exception):
    """A listing, figure or notebook failed; mkdocs turns it into a failed build."""


# ---------------------------------------------------------------------------------------------------------
# Cache keys
# ---------------------------------------------------------------------------------------------------------


@cache
def library_hash() -> str:
    """Hash of every input shared by all outputs: library source, this module, tool versions."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "attention_book").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(sys.version.encode())
    for package in ("torch", "numpy", "matplotlib"):
        spec = importlib.util.find_spec(package)
        version_file = Path(spec.origin).parent / "version.py" if spec and spec.origin else None
        digest.update(package.encode())
        if version_file and version_file.exists():
            digest.update(version_file.read_bytes())
    return digest.hexdigest()[:16]


def file_key(path: Path, *extra: str) -> str:
    """Cache key of one file's result: its bytes, its name, the library hash and any extra strings."""
    digest = hashlib.sha256(library_hash().encode())
    digest.update(path.relative_to(ROOT).as_posix().encode())
    digest.update(path.read_bytes())
    for item in extra:
        digest.update(item.encode())
    return digest.hexdigest()[:24]


# ---------------------------------------------------------------------------------------------------------
# 1. Listing outputs
# ---------------------------------------------------------------------------------------------------------


def _output_cache_path(snippet: Path) -> Path:
    return CACHE / "outputs" / f"{snippet.stem}-{file_key(snippet)}.txt"


def run_snippet(snippet: Path, pool: WarmPool | None = None) -> str:
    """Run one snippet file as its own program and return what it prints (cached).

    With a ``pool`` of warm interpreters it runs in a process forked from one that has already imported
    the library (see listing_runner.py); without one, in a fresh interpreter.
    """
    cached = _output_cache_path(snippet)
    USED_CACHE_FILES.add(cached)
    if cached.exists():
        return cached.read_text(encoding="utf-8")
    result = pool.run(snippet, cwd=ROOT) if pool else fresh_run(snippet, cwd=ROOT, timeout=600)
    if result.returncode != 0:
        raise BuildError(f"listing {snippet.relative_to(ROOT)} failed:\n{result.stderr[-4000:]}")
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(result.stdout, encoding="utf-8")
    return result.stdout


def _snippet_path(relative: str, page_name: str) -> Path:
    path = (ROOT / relative).resolve()
    if not path.is_file() or ROOT / "snippets" not in path.parents:
        raise BuildError(f"{page_name}: output directive names {relative!r}, not a file under snippets/")
    return path


def render_output(text: str) -> str:
    """Markdown for a captured output: a plain-text block titled 'Output' under the listing."""
    fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", text)), default=0))
    body = text.rstrip("\n") or "(no output)"
    return f'<div class="book-output" markdown>\n\n{fence}text title="Output"\n{body}\n{fence}\n\n</div>'


def printed_value(output: str, label: str, where: str) -> str:
    """The value on the one line of ``output`` that reads ``label: value`` or ``label = value``."""
    pattern = re.compile(rf"^\s*{re.escape(label)}\s*[:=]\s*(?P<value>\S.*?)\s*$", re.MULTILINE)
    found = [m["value"] for m in pattern.finditer(output)]
    if len(found) != 1:
        how = "no line" if not found else f"{len(found)} lines"
        raise BuildError(f"{where}: value directive wants one output line '{label}: ...', found {how}")
    return found[0]


def prefetch_outputs(pages: list[tuple[str, str]]) -> None:
    """Run every uncached snippet named by an output or value directive, two at a time."""
    snippets = {
        _snippet_path(match["path"], name)
        for name, markdown in pages
        for directive in (OUTPUT_DIRECTIVE, VALUE_DIRECTIVE)
        for match in directive.finditer(markdown)
    }
    missing = sorted(s for s in snippets if not _output_cache_path(s).exists())
    if not missing:
        return
    with WarmPool(workers=2) as warm, ThreadPoolExecutor(max_workers=2) as threads:
        list(threads.map(lambda snippet: run_snippet(snippet, warm), missing))


# ---------------------------------------------------------------------------------------------------------
# 2. Figures
# ---------------------------------------------------------------------------------------------------------


def figure_scripts() -> list[Path]:
    return sorted(p for p in FIGURES.rglob("*.py") if not p.name.startswith("_"))


def figure_name(script: Path) -> str:
    """'figures/sdpa/weights.py' -> 'sdpa/weights'."""
    return script.relative_to(FIGURES).with_suffix("").as_posix()


def figure_cache_path(script: Path, theme: str) -> Path:
    return CACHE / "figures" / f"{script.stem}-{file_key(script)}-{theme}.svg"


def draw_figures(jobs: dict[Path, dict[str, Path]]) -> None:
    """Draw figures in one fresh interpreter: ``jobs`` maps a script to its SVG path for each theme."""
    if not jobs:
        return
    payload = json.dumps({str(s): {t: str(p) for t, p in targets.items()} for s, targets in jobs.items()})
    command = [sys.executable, str(Path(__file__)), "draw", "--jobs", payload]
    proc = subprocess.run(command, cwd=ROOT, env=reader_env(), capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        failed = re.search(r"^FIGURE FAILED: (.+)$", proc.stderr, re.MULTILINE)
        name = failed.group(1) if failed else ", ".join(figure_name(s) for s in jobs)
        raise BuildError(f"figure {name} failed to draw:\n{proc.stderr[-4000:]}")


def _draw_main(jobs: dict[str, dict[str, str]]) -> int:
    """Entry point of the drawing subprocess: import each script, draw it in each theme, save SVG."""
    import torch

    from attention_book import viz

    for script_name, targets in jobs.items():
        script = Path(script_name).resolve()
        try:
            spec = importlib.util.spec_from_file_location(f"figure_{script.stem}", script)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            for theme, target in targets.items():
                torch.manual_seed(0)
                with viz.theme(theme):
                    figure = module.draw()
                    Path(target).parent.mkdir(parents=True, exist_ok=True)
                    viz.save_svg(figure, target)
        except Exception:
            print(f"FIGURE FAILED: {figure_name(script)}", file=sys.stderr)
            raise
    return 0


def render_figure(name: str, alt: str, page_src_uri: str) -> str:
    """Markdown for a figure: the light and the dark SVG, Material shows the one matching the palette.

    Both images load lazily: the browser fetches a figure when it comes near the viewport, and never the
    other palette's image, which is not rendered (``display: none``) until the reader switches palettes.
    """
    if not (FIGURES / f"{name}.py").is_file():
        raise BuildError(f"{page_src_uri}: figure directive names {name!r}, but figures/{name}.py is missing")
    page_dir = os.path.dirname(page_src_uri)
    images = "\n".join(
        f"![{alt}]({os.path.relpath(f'{FIGURE_URL}/{name}-{theme}.svg', page_dir or '.')}#only-{theme})"
        "{ loading=lazy decoding=async }"
        for theme in THEMES
    )
    return f'<figure class="book-figure" markdown>\n{images}\n<figcaption>{alt}</figcaption>\n</figure>'


# ---------------------------------------------------------------------------------------------------------
# 3. Notebooks
# ---------------------------------------------------------------------------------------------------------


def is_notebook(src_uri: str) -> bool:
    return src_uri.endswith(".py")


def notebook_download_name(src_uri: str) -> str:
    return Path(src_uri).with_suffix(".ipynb").name


def write_ipynb(source: Path, target: Path) -> None:
    import jupytext

    notebook = jupytext.read(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    jupytext.write(notebook, target, fmt="ipynb")


# mkdocs-jupyter's options that change what a notebook's page looks like, as its on_pre_page passes them.
NOTEBOOK_OPTIONS = (
    "kernel_name",
    "theme",
    "allow_errors",
    "show_input",
    "no_input",
    "no_prompt",
    "remove_tag_config",
    "highlight_extra_classes",
    "include_requirejs",
    "custom_mathjax_url",
)


def notebooks_to_execute(files, config) -> dict[Path, Path]:  # type: ignore[no-untyped-def]
    """The notebooks that mkdocs-jupyter would execute, each with the cache file it lacks for its page."""
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is None or not jupyter.config["execute"] or not jupyter.config["cache"]:
        return {}
    from mkdocs_jupyter.plugin import _compute_cache_key, _get_cache_path

    ignored = jupyter.config["execute_ignore"] or []
    notebooks = [
        Path(file.abs_src_path)
        for file in files
        if is_notebook(file.src_uri)  # cheap; should_include reads the file
        and jupyter.should_include(file)
        and not any(Path(file.abs_src_path).match(pattern) for pattern in ignored)
    ]
    cache_dir = jupyter.config["cache_dir"]
    targets = {
        notebook: _get_cache_path(cache_dir, _compute_cache_key(notebook, jupyter.config, True))
        for notebook in notebooks
    }
    return {notebook: target for notebook, target in targets.items() if not target.exists()}


def execute_notebooks(notebooks: dict[Path, Path], config) -> None:  # type: ignore[no-untyped-def]
    """Execute and convert each notebook into its mkdocs-jupyter cache file, as ``on_pre_page`` would.

    mkdocs-jupyter executes a notebook when it renders its page, after every figure and listing, one
    notebook at a time and on one core. Run here, in on_files, they execute while the figures draw and
    the listings run, and the pages then find them in the cache. The cache entry is the plugin's own
    (same key, same content), so a build without this step would render the same pages.
    """
    from mkdocs_jupyter import convert
    from mkdocs_jupyter.plugin import _get_nb_toc_tokens

    options = config.plugins["mkdocs-jupyter"].config
    for notebook, target in notebooks.items():
        try:
            body = convert.nb2html(
                str(notebook), execute=True, **{name: options[name] for name in NOTEBOOK_OPTIONS}
            )
        except Exception as error:  # the kernel's traceback names the cell
            raise BuildError(f"notebook {notebook.relative_to(ROOT)} failed:\n{str(error)[-4000:]}") from None
        toc_tokens, title = _get_nb_toc_tokens(str(notebook), options["toc_depth"])
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".tmp")
        temporary.write_text(
            json.dumps({"content": body, "toc_tokens": toc_tokens, "title": title}), encoding="utf-8"
        )
        temporary.replace(target)


def strip_notebook_mathjax(html: str) -> str:
    """Remove the notebook template's MathJax 2 tags: the book typesets notebook math at build too."""
    html = re.sub(rf'<script src="{re.escape(NOTEBOOK_MATHJAX_PLACEHOLDER)}">\s*</script>', "", html, count=1)
    return re.sub(r'<script type="text/x-mathjax-config">.*?</script>', "", html, count=1, flags=re.DOTALL)


# ---------------------------------------------------------------------------------------------------------
# 4. Math typeset at build: the page arrives with its formulas as SVG, and no math script runs in the browser
# ---------------------------------------------------------------------------------------------------------

MATH_SCRIPT = ROOT / "typeset_math.js"
ARITHMATEX = re.compile(r'<(?P<tag>span|div) class="arithmatex">(?P<tex>.*?)</(?P=tag)>', re.DOTALL)
Formula = tuple[str, bool]  # (TeX source without delimiters, display)

# Filled by on_page_content: the formulas of each page, typeset together in on_env.
PAGE_FORMULAS: dict[str, list[Formula]] = {}


def formula_of(match: re.Match[str]) -> Formula:
    """The TeX and display flag of an arithmatex element: ``\\(...\\)`` inline, ``\\[...\\]`` display."""
    tex = html_lib.unescape(match["tex"]).strip()
    if tex.startswith("\\[") and tex.endswith("\\]"):
        return tex[2:-2].strip(), True
    if tex.startswith("\\(") and tex.endswith("\\)"):
        return tex[2:-2].strip(), False
    return tex, match["tag"] == "div"


@cache
def mathjax_version() -> str:
    package = ROOT / "node_modules" / "mathjax-full" / "package.json"
    if not package.is_file():
        raise BuildError("MathJax is missing: run `make install` (npm ci installs mathjax-full)")
    return str(json.loads(package.read_text(encoding="utf-8"))["version"])


@cache
def math_script_hash() -> str:
    """Hash of ``typeset_math.js`` and the MathJax version: what every formula's cache key shares."""
    return hashlib.sha256(MATH_SCRIPT.read_bytes() + mathjax_version().encode()).hexdigest()


def math_cache_path(formula: Formula) -> Path:
    digest = hashlib.sha256(f"{math_script_hash()}|{int(formula[1])}|{formula[0]}".encode())
    return CACHE / "math" / f"{digest.hexdigest()[:24]}.json"


def typeset_formulas(formulas: dict[Formula, str]) -> None:
    """Typeset every formula not yet cached, in one Node process; ``formulas`` maps each to a page."""
    paths = {formula: math_cache_path(formula) for formula in formulas}
    USED_CACHE_FILES.update(paths.values())
    missing = [formula for formula, path in paths.items() if not path.exists()]
    if not missing:
        return
    proc = subprocess.run(
        ["node", str(MATH_SCRIPT)],
        input=json.dumps(missing),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise BuildError(f"typesetting math failed:\n{proc.stderr[-4000:]}")
    for formula, result in zip(missing, json.loads(proc.stdout), strict=True):
        if "error" in result:
            raise BuildError(f"{formulas[formula]}: TeX error in ${formula[0]}$: {result['error']}")
        paths[formula].parent.mkdir(parents=True, exist_ok=True)
        paths[formula].write_text(json.dumps(result), encoding="utf-8")


def typeset_page(html: str) -> str:
    """Replace every arithmatex element's TeX by its cached SVG, labelled with the TeX for screen readers.

    The glyphs the page's formulas draw go once into a hidden ``<defs>`` before the first formula.
    """
    glyphs: dict[str, str] = {}

    def replace(match: re.Match[str]) -> str:
        formula = formula_of(match)
        typeset = json.loads(math_cache_path(formula).read_text(encoding="utf-8"))
        glyphs.update(typeset["glyphs"])
        label = html_lib.escape(formula[0], quote=True)
        svg = typeset["html"].replace(' role="img"', f' role="img" aria-label="{label}"', 1)
        return f'<{match["tag"]} class="arithmatex">{svg}</{match["tag"]}>'

    html = ARITHMATEX.sub(replace, html)
    if not glyphs:
        return html
    paths = "".join(f'<path id="{name}" d="{path}"></path>' for name, path in sorted(glyphs.items()))
    hidden = 'class="book-math-glyphs" aria-hidden="true" style="display: none"'
    defs = f"<svg {hidden}><defs>{paths}</defs></svg>"
    first = ARITHMATEX.search(html)
    assert first is not None
    return html[: first.start()] + defs + html[first.start() :]


NOTEBOOK_MERMAID = re.compile(r'<script type="module">(?:(?!</script>).)*?jp-Mermaid.*?</script>', re.DOTALL)


def strip_notebook_mermaid(html: str) -> str:
    """Remove the notebook template's Mermaid loader, which would import Mermaid from a CDN."""
    return NOTEBOOK_MERMAID.sub("", html)


# ---------------------------------------------------------------------------------------------------------
# 5. The reference shelf: docstrings as Markdown, citations, "taught in" links from the API to the chapters
# ---------------------------------------------------------------------------------------------------------

RST_MATH_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)\.\. math::[ \t]*\n\n(?P<body>(?:(?P=indent)[ \t]+.*\n?|[ \t]*\n)+)", re.M
)
RST_LITERAL_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)(?P<lead>.*?)::[ \t]*\n\n(?P<body>(?:(?P=indent)[ \t]+.*\n?|[ \t]*\n)+)", re.M
)
RST_INLINE_MATH = re.compile(r":math:`(?P<tex>[^`]+)`")
RST_ROLE = re.compile(r":(?:func|class|mod|meth|attr|data|obj):`~?(?P<name>[^`]+)`")


def docstring_to_markdown(text: str) -> str:
    """Turn the reStructuredText bits of the library's docstrings into the book's Markdown.

    ``.. math::`` blocks become ``$$ ... $$`` display math, ``:math:`x``` becomes ``$x$``, and a
    ``:func:`name``` role becomes inline code. Double-backtick literals are already Markdown code.
    """

    def display(match: re.Match[str]) -> str:
        indent = match["indent"]
        body = "\n".join(indent + line.strip() for line in match["body"].strip("\n").splitlines())
        return f"{indent}$$\n{body}\n{indent}$$\n\n"

    def literal(match: re.Match[str]) -> str:
        indent = match["indent"]
        body = textwrap.indent(textwrap.dedent(match["body"].strip("\n")), indent)
        lead = f"{indent}{match['lead'].rstrip()}:\n\n" if match["lead"].strip() else ""
        return f"{lead}{indent}```text\n{body}\n{indent}```\n\n"

    text = RST_MATH_BLOCK.sub(display, text)
    text = RST_LITERAL_BLOCK.sub(literal, text)
    text = RST_INLINE_MATH.sub(lambda m: f"${m['tex']}$", text)
    return RST_ROLE.sub(lambda m: f"`{m['name']}`", text)


try:  # griffe is there when mkdocstrings is: the extension is named in mkdocs.yml
    import griffe

    class DocstringsAsMarkdown(griffe.Extension):
        """Griffe extension (``build_hooks.py:DocstringsAsMarkdown``): docstrings as the book's Markdown."""

        def on_object(self, *, obj: griffe.Object, **kwargs: object) -> None:
            if obj.docstring is not None:
                obj.docstring.value = docstring_to_markdown(obj.docstring.value)

except ImportError:  # pragma: no cover - only without the docs dependencies
    pass


BIBLIOGRAPHY = ROOT / "docs" / "reference" / "bibliography.yml"
BIBLIOGRAPHY_PAGE = "reference/bibliography.md"
BIBLIOGRAPHY_DIRECTIVE = re.compile(r"^<!--\s*bibliography\s*-->[ \t]*$", re.MULTILINE)
CITATION = re.compile(r"\[(?P<keys>@[\w-]+(?:\s*;\s*@[\w-]+)*)\]")
API_REFERENCE = re.compile(r"\]\[(?P<ident>attention_book(?:\.\w+)+)\]")
FENCED_CODE = re.compile(r"^([ \t]*)(```|~~~).*?^\1\2[ \t]*$", re.MULTILINE | re.DOTALL)


@cache
def bibliography() -> dict[str, dict[str, str]]:
    """The entries of ``docs/reference/bibliography.yml``, in the file's order (their numbers)."""
    import yaml

    entries = yaml.safe_load(BIBLIOGRAPHY.read_text(encoding="utf-8"))
    for key, entry in entries.items():
        missing = {"authors", "title", "venue", "year"} - set(entry)
        if missing:
            raise BuildError(f"bibliography.yml: entry {key!r} lacks {', '.join(sorted(missing))}")
    return dict(entries)


def without_code(markdown: str) -> str:
    return FENCED_CODE.sub("", markdown)


def page_title(markdown: str, fallback: str) -> str:
    match = re.search(r"^# (.+)$", markdown, re.MULTILINE)
    return match[1].strip() if match else fallback


def citation_keys(match: re.Match[str]) -> list[str]:
    """``[@a; @b]`` -> ``["a", "b"]``."""
    return [key.strip().lstrip("@") for key in match["keys"].split(";")]


def cited_keys(markdown: str) -> list[str]:
    return [key for match in CITATION.finditer(without_code(markdown)) for key in citation_keys(match)]


def render_citations(markdown: str, src_uri: str) -> str:
    """Replace ``[@key]`` and ``[@a; @b]`` by numbered links to the bibliography; unknown keys fail."""
    entries = bibliography()
    numbers = {key: i + 1 for i, key in enumerate(entries)}
    target = os.path.relpath(BIBLIOGRAPHY_PAGE, os.path.dirname(src_uri) or ".")

    def link(match: re.Match[str]) -> str:
        keys = citation_keys(match)
        unknown = [key for key in keys if key not in entries]
        if unknown:
            raise BuildError(f"{src_uri}: unknown citation key(s) {', '.join(unknown)}; see bibliography.yml")
        return "[" + ", ".join(f"[{numbers[key]}]({target}#{key})" for key in keys) + "]"

    return CITATION.sub(link, markdown)


def render_bibliography(citing: dict[str, list[tuple[str, str]]]) -> str:
    """The numbered list of entries, each with its arXiv id and the chapters that cite it."""
    lines = []
    for number, (key, entry) in enumerate(bibliography().items(), start=1):
        arxiv = (
            f" arXiv:[{entry['arxiv']}](https://arxiv.org/abs/{entry['arxiv']})." if "arxiv" in entry else ""
        )
        cited = ", ".join(f"[{title}](../{uri})" for title, uri in citing.get(key, []))
        where = f" Cited in {cited}." if cited else ""
        lines.append(
            f'<p class="book-reference" id="{key}" markdown>[{number}] {entry["authors"]} ({entry["year"]}). '
            f'"{entry["title"]}". *{entry["venue"]}*.{arxiv}{where}</p>'
        )
    return "\n\n".join(lines)


# Filled by on_files from every page's Markdown: who cites what, and which chapters use which API names.
CITING_PAGES: dict[str, list[tuple[str, str]]] = {}
TEACHING_PAGES: dict[str, list[tuple[str, str]]] = {}


def index_pages(pages: list[tuple[str, str]]) -> None:
    """Record, for each citation key and each API name, the pages (title, uri) that use it."""
    CITING_PAGES.clear()
    TEACHING_PAGES.clear()
    for uri, markdown in pages:
        title = page_title(markdown, uri)
        for key in dict.fromkeys(cited_keys(markdown)):
            CITING_PAGES.setdefault(key, []).append((title, uri))
        if uri.startswith("reference/"):
            continue
        for ident in dict.fromkeys(m["ident"] for m in API_REFERENCE.finditer(markdown)):
            TEACHING_PAGES.setdefault(ident, []).append((title, uri))


def add_taught_in(html: str, src_uri: str) -> str:
    """After each API heading whose object a chapter links to, add "Taught in" links to those chapters."""

    def insert(match: re.Match[str]) -> str:
        pages = TEACHING_PAGES.get(match["ident"])
        if not pages:
            return match[0]
        here = src_uri.removesuffix(".md")  # the page's URL is its folder (use_directory_urls)
        links = ", ".join(
            f'<a href="{os.path.relpath(uri.removesuffix(".md"), here)}/">{title}</a>' for title, uri in pages
        )
        return f'{match[0]}<p class="book-taught-in">Taught in {links}.</p>'

    return re.sub(r'<h\d[^>]* id="(?P<ident>attention_book[\w.]+)"[^>]*>.*?</h\d>', insert, html, flags=re.S)


# ---------------------------------------------------------------------------------------------------------
# 6. Widgets: interactive figures, drawn in the browser by docs/javascripts/widgets.js from JSON made here
# ---------------------------------------------------------------------------------------------------------
#
# A line <!-- widget: <chapter>/<name> "Accessible description" --> in a page shows an interactive figure.
# The script widgets/<chapter>/<name>.py defines data() -> a JSON-able dict (see attention_book.widgets),
# computed at build in a fresh interpreter and cached like a figure (its key also hashes the listings of
# snippets/<chapter>/, which a widget may read); the page loads it from assets/widgets/<chapter>/<name>.json.
# The page reads fully without JavaScript: the script either defines draw() -> Figure of the same data,
# drawn light and dark and shown where the directive stands, or names the page's figure of the same data
# in FIGURE = "<chapter>/<name>", whose directive must come earlier on the page. The widget's box stays
# hidden until widgets.js has filled it.

WIDGETS = ROOT / "widgets"
WIDGET_URL = "assets/widgets"
WIDGET_DIRECTIVE = re.compile(
    r'^(?P<indent>[ \t]*)<!--\s*widget:\s*(?P<name>[\w/-]+)\s+"(?P<desc>[^"]+)"\s*-->[ \t]*$', re.MULTILINE
)

# Filled by prepare_widgets: each widget script's cache files, "json" and, with draw(), one SVG per theme.
WIDGET_FILES: dict[Path, dict[str, Path]] = {}


def widget_scripts() -> list[Path]:
    return sorted(p for p in WIDGETS.rglob("*.py") if not p.name.startswith("_")) if WIDGETS.is_dir() else []


def widget_name(script: Path) -> str:
    """'widgets/sdpa/playground.py' -> 'sdpa/playground'."""
    return script.relative_to(WIDGETS).with_suffix("").as_posix()


def widget_fallback(script: Path) -> str | None:
    """The figure named by the script's ``FIGURE``, or None when it draws its own (``draw()``).

    Read from the source without running it; a script must have exactly one of the two.
    """
    import ast

    tree = ast.parse(script.read_text(encoding="utf-8"))
    draws = any(isinstance(node, ast.FunctionDef) and node.name == "draw" for node in tree.body)
    named = [
        node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(target, ast.Name) and target.id == "FIGURE" for target in node.targets)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ]
    if draws == bool(named):
        raise BuildError(
            f"{script.relative_to(ROOT)}: a widget script defines draw() (its static figure) or names the"
            ' figure of its data in FIGURE = "<chapter>/<name>": exactly one of the two'
        )
    return named[0] if named else None


def widget_cache_files(script: Path) -> dict[str, Path]:
    """The cache files of one widget: its JSON and, when it draws its own figure, the SVG of each theme."""
    listings = sorted((ROOT / "snippets" / script.parent.name).glob("*.py"))
    key = file_key(script, *(p.read_text(encoding="utf-8") for p in listings))
    stem = CACHE / "widgets" / f"{script.stem}-{key}"
    paths = {"json": stem.with_suffix(".json")}
    if widget_fallback(script) is None:
        paths.update({theme: Path(f"{stem}-{theme}.svg") for theme in THEMES})
    return paths


def prepare_widgets() -> None:
    """Compute the data and draw the figures of every widget not in the cache, in one fresh interpreter."""
    WIDGET_FILES.clear()
    WIDGET_FILES.update({script: widget_cache_files(script) for script in widget_scripts()})
    USED_CACHE_FILES.update(path for paths in WIDGET_FILES.values() for path in paths.values())
    jobs = {
        str(script): {kind: str(path) for kind, path in paths.items()}
        for script, paths in WIDGET_FILES.items()
        if not all(path.exists() for path in paths.values())
    }
    if not jobs:
        return
    runner = "import sys, build_hooks; sys.exit(build_hooks._widget_main(sys.argv[1]))"
    command = [sys.executable, "-c", runner, json.dumps(jobs)]
    proc = subprocess.run(command, cwd=ROOT, env=reader_env(), capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        failed = re.search(r"^WIDGET FAILED: (.+)$", proc.stderr, re.MULTILINE)
        name = failed.group(1) if failed else ", ".join(widget_name(Path(s)) for s in jobs)
        raise BuildError(f"widget {name} failed:\n{proc.stderr[-4000:]}")


def _widget_main(payload: str) -> int:
    """Entry point of the widget subprocess: write each script's data() as JSON, and draw() if it has one."""
    import torch

    from attention_book import viz

    for script_name, targets in json.loads(payload).items():
        script = Path(script_name).resolve()
        try:
            spec = importlib.util.spec_from_file_location(f"widget_{script.stem}", script)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            torch.manual_seed(0)
            text = json.dumps(module.data(), separators=(",", ":"), allow_nan=False, ensure_ascii=False)
            for theme in THEMES:
                if theme in targets:
                    torch.manual_seed(0)
                    with viz.theme(theme):
                        Path(targets[theme]).parent.mkdir(parents=True, exist_ok=True)
                        viz.save_svg(module.draw(), targets[theme])
            Path(targets["json"]).parent.mkdir(parents=True, exist_ok=True)
            Path(targets["json"]).write_text(text, encoding="utf-8")  # last: the JSON marks a complete entry
        except Exception:
            print(f"WIDGET FAILED: {widget_name(script)}", file=sys.stderr)
            raise
    return 0


def add_widget_files(files, config) -> None:  # type: ignore[no-untyped-def]
    """Put every widget's JSON (and its SVGs) into the site, under ``assets/widgets/``."""
    from mkdocs.structure.files import File

    for script, paths in WIDGET_FILES.items():
        for kind, path in paths.items():
            uri = f"{WIDGET_URL}/{widget_name(script)}" + (".json" if kind == "json" else f"-{kind}.svg")
            files.append(File.generated(config, uri, abs_src_path=str(path)))


def render_widget(name: str, description: str, page_src_uri: str, before: str) -> str:
    """Markdown for a widget: its static figure (or a check that the page shows one earlier), then its box.

    ``before`` is the page's Markdown up to the directive.
    """
    script = WIDGETS / f"{name}.py"
    if not script.is_file():
        raise BuildError(f"{page_src_uri}: widget directive names {name!r}, but widgets/{name}.py is missing")
    page_dir = os.path.dirname(page_src_uri) or "."
    fallback = widget_fallback(script)
    if fallback is None:
        images = "\n".join(
            f"![{description}]({os.path.relpath(f'{WIDGET_URL}/{name}-{theme}.svg', page_dir)}#only-{theme})"
            "{ loading=lazy decoding=async }"
            for theme in THEMES
        )
        caption = f"<figcaption>{description}</figcaption>"
        figure = f'<figure class="book-figure" markdown>\n{images}\n{caption}\n</figure>'
    elif re.search(rf"<!--\s*figure:\s*{re.escape(fallback)}\s", before):
        figure = ""
    else:
        raise BuildError(
            f"{page_src_uri}: widget {name} shows the data of figure {fallback} (its FIGURE),"
            " so the page must show that figure before the widget"
        )
    # Raw HTML is not rewritten by mkdocs: the URL is relative to the page's own URL, its folder.
    index = Path(page_src_uri).stem in ("index", "README")
    page_url = page_dir if index else page_src_uri.removesuffix(".md")
    source = os.path.relpath(f"{WIDGET_URL}/{name}.json", page_url)
    label = html_lib.escape(description, quote=True)
    box = f'<div class="book-widget" role="region" aria-label="{label}" data-src="{source}" hidden></div>'
    return f"{figure}\n\n{box}" if figure else box


def render_widgets(markdown: str, page_src_uri: str) -> str:
    """Replace every widget directive of a page (run before the figure directives are replaced)."""
    return WIDGET_DIRECTIVE.sub(
        lambda m: indented(
            render_widget(m["name"], m["desc"], page_src_uri, markdown[: m.start()]), m["indent"]
        ),
        markdown,
    )


# ---------------------------------------------------------------------------------------------------------
# mkdocs events
# ---------------------------------------------------------------------------------------------------------


def quiet_notebook_kernels() -> None:
    """Keep the kernels that execute notebooks from logging their start-up warnings into the build log.

    mkdocs-jupyter loads the user's nbconvert configuration and overwrites its ``ExecutePreprocessor``
    section, so we configure the base class, ``NotebookClient``, from a file on the Jupyter config path.
    """
    config_dir = CACHE / "jupyter"
    config_dir.mkdir(parents=True, exist_ok=True)
    settings = {"NotebookClient": {"extra_arguments": ["--IPKernelApp.log_level=ERROR"]}}
    (config_dir / "jupyter_nbconvert_config.json").write_text(json.dumps(settings), encoding="utf-8")
    paths = [str(config_dir), *filter(None, os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep))]
    os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(paths))


def is_book(config) -> bool:  # type: ignore[no-untyped-def]
    """Whether mkdocs is building this book (and not a small test fixture that borrows these hooks)."""
    return bool(Path(config["docs_dir"]).resolve() == ROOT / "docs")


# ---------------------------------------------------------------------------------------------------------
# 7. API signatures formatted once
# ---------------------------------------------------------------------------------------------------------

# Formatted signatures of earlier builds, by line length and text; saved by on_post_build when it grew
# (entries are only ever added, so it grew when it holds more than the file gave).
FORMATTED_SIGNATURES: dict[str, str] = {}
SIGNATURES_SAVED = 0  # how many of them the file holds


def signature_cache_path() -> Path:
    from importlib.metadata import version

    return CACHE / f"signatures-ruff-{version('ruff')}.json"


def remember_formatted_signatures() -> None:
    """Make mkdocstrings format each API signature once, not on every build.

    With ``separate_signature``, mkdocstrings-python formats every long signature by running
    ``ruff format`` in a new process: about 150 processes on the API pages, over a second of every
    build. What comes out depends only on the text, the line length and ruff's version (in the file
    name), so the results are kept in ``.cache`` and a rebuild starts no process for a known signature.
    """
    global SIGNATURES_SAVED
    from mkdocstrings_handlers.python._internal import rendering

    FORMATTED_SIGNATURES.clear()
    path = signature_cache_path()
    if path.is_file():
        FORMATTED_SIGNATURES.update(json.loads(path.read_text(encoding="utf-8")))
    SIGNATURES_SAVED = len(FORMATTED_SIGNATURES)
    USED_CACHE_FILES.add(path)
    if getattr(rendering._get_formatter, "remembers", False):
        return
    formatter_of = rendering._get_formatter

    def remembering_formatter() -> Any:
        format_code = formatter_of()

        def formatted(code: str, line_length: int) -> str:
            key = f"{line_length}:{code}"
            if key not in FORMATTED_SIGNATURES:
                FORMATTED_SIGNATURES[key] = format_code(code, line_length)
            return FORMATTED_SIGNATURES[key]

        return formatted

    remembering_formatter.remembers = True  # type: ignore[attr-defined]
    rendering._get_formatter = remembering_formatter


def save_formatted_signatures() -> None:
    global SIGNATURES_SAVED
    if len(FORMATTED_SIGNATURES) > SIGNATURES_SAVED:
        path = signature_cache_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(FORMATTED_SIGNATURES, sort_keys=True), encoding="utf-8")
        SIGNATURES_SAVED = len(FORMATTED_SIGNATURES)


def on_config(config):  # type: ignore[no-untyped-def]
    library_hash.cache_clear()  # mkdocs serve: the library may have changed since the last build
    mathjax_version.cache_clear()
    math_script_hash.cache_clear()
    PAGE_FORMULAS.clear()
    bibliography.cache_clear()
    USED_CACHE_FILES.clear()
    if is_book(config):
        remember_formatted_signatures()
    quiet_notebook_kernels()
    jupyter = config.plugins.get("mkdocs-jupyter")
    if jupyter is not None:
        # mkdocs-jupyter keys its cache on the notebook's text only: add the library to the key, and
        # drop the caches of earlier library versions.
        notebooks = CACHE / "notebooks"
        jupyter.config["cache_dir"] = str(notebooks / library_hash())
        if notebooks.is_dir():
            for old in notebooks.iterdir():
                if old.name != library_hash():
                    shutil.rmtree(old, ignore_errors=True)
    return config


def on_files(files, config):  # type: ignore[no-untyped-def]
    from mkdocs.exceptions import PluginError
    from mkdocs.structure.files import File

    pages = [(f.src_uri, f.content_string) for f in files.documentation_pages() if f.src_uri.endswith(".md")]
    if not is_book(config):  # a test's fixture site: citations only, and the book's caches left alone
        index_pages(pages)
        return files
    try:
        scripts = figure_scripts()
        targets = {s: {t: figure_cache_path(s, t) for t in THEMES} for s in scripts}
        USED_CACHE_FILES.update(p for paths in targets.values() for p in paths.values())
        missing = {s: paths for s, paths in targets.items() if not all(p.exists() for p in paths.values())}
        # Figures draw in two processes while the listings run, two at a time, and the notebooks
        # execute: the build keeps both cores busy instead of waiting on one long sequence.
        halves = [dict(list(missing.items())[i::2]) for i in range(2)]
        with ThreadPoolExecutor(max_workers=4) as pool:
            work = [pool.submit(draw_figures, half) for half in halves]
            work.append(pool.submit(prefetch_outputs, pages))
            work.append(pool.submit(execute_notebooks, notebooks_to_execute(files, config), config))
            for done in work:
                done.result()  # re-raises the first BuildError
        prepare_widgets()
        index_pages(pages)
    except BuildError as error:
        raise PluginError(str(error)) from None

    for script in scripts:
        for theme in THEMES:
            uri = f"{FIGURE_URL}/{figure_name(script)}-{theme}.svg"
            files.append(File.generated(config, uri, abs_src_path=str(targets[script][theme])))
    add_widget_files(files, config)
    return files


def indented(block: str, indent: str) -> str:
    """``block`` with every non-empty line indented like the directive it replaces."""
    return "\n".join(indent + line if line.strip() else line for line in block.split("\n"))


def on_page_markdown(markdown, page, config, files):  # type: ignore[no-untyped-def]
    from mkdocs.exceptions import PluginError

    src_uri = page.file.src_uri
    try:
        markdown = OUTPUT_DIRECTIVE.sub(
            lambda m: indented(render_output(run_snippet(_snippet_path(m["path"], src_uri))), m["indent"]),
            markdown,
        )
        markdown = VALUE_DIRECTIVE.sub(
            lambda m: printed_value(
                run_snippet(_snippet_path(m["path"], src_uri)), m["label"], f"{src_uri} ({m['path']})"
            ),
            markdown,
        )
        markdown = render_widgets(markdown, src_uri)
        markdown = FIGURE_DIRECTIVE.sub(
            lambda m: indented(render_figure(m["name"], m["alt"], src_uri), m["indent"]), markdown
        )
        if src_uri == BIBLIOGRAPHY_PAGE:
            markdown = BIBLIOGRAPHY_DIRECTIVE.sub(lambda m: render_bibliography(CITING_PAGES), markdown)
        return render_citations(markdown, src_uri)
    except BuildError as error:
        raise PluginError(str(error)) from None


NOT_PROSE = re.compile(r"(<(pre|code|script|style)[\s>].*?</\2>)", re.DOTALL)
DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.DOTALL)
INLINE_MATH = re.compile(r"(?<![\\$])\$([^$\n]+?)\$")


def mark_notebook_math(html: str) -> str:
    """Wrap a notebook's ``$...$`` and ``$$...$$`` math (outside code) in arithmatex spans.

    The build typesets only what ``pymdownx.arithmatex`` marked, so that a ``$`` in prose or
    code is never mistaken for math; notebook Markdown cells get the same markup here.
    """

    def convert(text: str) -> str:
        text = DISPLAY_MATH.sub(lambda m: f'<span class="arithmatex">\\[{m[1]}\\]</span>', text)
        return INLINE_MATH.sub(lambda m: f'<span class="arithmatex">\\({m[1]}\\)</span>', text)

    # split() yields prose, element, tag name, prose, ...: convert the prose, keep code and scripts.
    parts = NOT_PROSE.split(html)
    return "".join(convert(part) if i % 3 == 0 else part for i, part in enumerate(parts) if i % 3 != 2)


def on_page_content(html, page, config, files):  # type: ignore[no-untyped-def]
    html = book_page_content(html, page.file.src_uri)
    PAGE_FORMULAS[page.file.src_uri] = [formula_of(m) for m in ARITHMATEX.finditer(html)]
    return html


def book_page_content(html: str, src_uri: str) -> str:
    """The page's HTML with API back-links, or a notebook's download link and marked math."""
    if src_uri.startswith("reference/api/"):
        # The collapsed source of each object stays out of the search index, which every page downloads.
        html = html.replace(
            '<details class="mkdocstrings-source">',
            '<details class="mkdocstrings-source" data-search-exclude>',
        )
        return add_taught_in(html, src_uri)
    if not is_notebook(src_uri):
        return html
    name = notebook_download_name(src_uri)
    link = (
        f'<p class="notebook-download"><a href="{name}" download>'
        f"Download this notebook ({name})</a>, or run it as a script: it is a plain Python file too.</p>"
    )
    # Code cells that scroll sideways must be reachable by keyboard (axe: scrollable-region-focusable).
    html = html.replace(
        '<div class="highlight-ipynb hl-python">', '<div class="highlight-ipynb hl-python" tabindex="0">'
    )
    return link + mark_notebook_math(strip_notebook_mathjax(html))


def on_env(env, config, files):  # type: ignore[no-untyped-def]
    """Every page's content is ready: typeset all formulas not in the cache, in one Node process."""
    from mkdocs.exceptions import PluginError

    formulas = {formula: uri for uri, page_formulas in PAGE_FORMULAS.items() for formula in page_formulas}
    try:
        typeset_formulas(formulas)
    except BuildError as error:
        raise PluginError(str(error)) from None
    return env


def on_post_page(output, page, config):  # type: ignore[no-untyped-def]
    if is_notebook(page.file.src_uri):
        target = Path(page.file.abs_dest_path).parent / notebook_download_name(page.file.src_uri)
        write_ipynb(Path(page.file.abs_src_path), target)
        output = strip_notebook_mermaid(output)
    return typeset_page(output)


def on_post_build(config):  # type: ignore[no-untyped-def]
    """Evict cached outputs and figures that this build did not use (``BOOK_KEEP_CACHE=1`` keeps them)."""
    if not is_book(config):
        return
    save_formatted_signatures()
    if os.environ.get("BOOK_KEEP_CACHE"):
        return
    for folder in (CACHE / "outputs", CACHE / "figures", CACHE / "math", CACHE / "widgets"):
        for path in folder.glob("*") if folder.is_dir() else ():
            if path not in USED_CACHE_FILES:
                path.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    draw = sub.add_parser("draw", help="draw figure scripts in both themes to DIR/NAME-{light,dark}.svg")
    draw.add_argument("scripts", nargs="*")
    draw.add_argument("--out", type=Path, default=Path("build/figures"))
    draw.add_argument("--jobs", default=None, help="JSON {script: {theme: svg path}} (used by the build)")
    sub.add_parser("keys", help="print the library hash")
    args = parser.parse_args(argv)
    if args.command == "keys":
        print(json.dumps({"library": library_hash()}))
        return 0
    if args.jobs is not None:
        return _draw_main(json.loads(args.jobs))
    jobs = {s: {t: str(args.out / f"{Path(s).stem}-{t}.svg") for t in THEMES} for s in args.scripts}
    return _draw_main(jobs)


if __name__ == "__main__":
    sys.exit(main())
