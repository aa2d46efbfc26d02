"""Checks of what a reader does across the site: search, copy a listing, download a notebook, run code.

Also writes screenshots of every page (light and dark, desktop and phone) for a person to look at, under
``make screenshots`` (marker ``screenshots``; ``make test`` leaves them out).
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import BrowserContext, Page

from listing_runner import Result, WarmPool

from .browsing import (
    assert_none,
    follow_link,
    instant_navigation_enabled,
    math_counts,
    open_page,
    raw_tex,
)
from .conftest import SharedPages
from .support import ROOT, slug

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NewContext = Callable[..., BrowserContext]
SEARCH_TERM = "softmax"
LISTING_TIMEOUT_S = 300


# ---------------------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------------------


def test_search_finds_softmax(new_context: NewContext) -> None:
    """Searching for "softmax" lists results; the first opens a page that uses the word, math typeset."""
    visit = open_page(new_context(), "/")
    page = visit.page
    search = page.locator("input.md-search__input")
    search.click()
    search.press_sequentially(SEARCH_TERM)
    first = page.locator(".md-search-result__item a").first
    first.wait_for()
    follow_link(page, first)
    target = page.evaluate("location.pathname")
    text = page.locator(".md-content").inner_text()
    assert SEARCH_TERM in text.lower(), f"the first result for {SEARCH_TERM!r}, {target}, does not contain it"
    untypeset = math_counts(page)["untypeset"]
    assert untypeset == 0, f"after following the search result to {target}, {untypeset} formulas are raw TeX"
    assert_none(visit.recorder.page_errors, "uncaught JavaScript exceptions")


@pytest.mark.takes_shared_page
def test_instant_navigation_keeps_math(page_path: str, shared_pages: SharedPages) -> None:
    """Following the footer's link to the previous page (or the next one) on a phone gives a whole page.

    With instant navigation the new page is swapped in without reloading the scripts: its formulas must
    arrive typeset (no raw TeX), and no script may throw on the way.
    """
    visit = shared_pages.take(page_path, view="phone")
    page = visit.page
    footer = page.locator("a.md-footer__link--next, a.md-footer__link--prev")
    if footer.count() == 0:
        return  # a site of one page: nowhere to go
    instant = follow_link(page, footer.first)
    target = page.evaluate("location.pathname")
    if instant_navigation_enabled(page):
        assert instant, f"going to {target} reloaded the page instead of using instant navigation"
    counts = math_counts(page)
    problems = [f"uncaught JavaScript exception: {error}" for error in visit.recorder.page_errors]
    if counts["untypeset"]:
        problems.append(f"{counts['untypeset']} of {counts['arithmatex']} formulas are not typeset")
    problems += [f"raw TeX: {text}" for text in raw_tex(page)]
    assert_none(problems, f"after navigating from {page_path} to {target}")


# ---------------------------------------------------------------------------------------------------------
# Copy buttons
# ---------------------------------------------------------------------------------------------------------


def snippet_file(title: str) -> Path | None:
    """The file a code block's title names (such as ``snippets/sdpa/x.py``), if it is one in the repo."""
    if not title:
        return None
    path = (ROOT / title).resolve()
    return path if path.is_file() and ROOT in path.parents else None


def code_blocks(page: Page) -> list[dict[str, str]]:
    """Every code block with a copy button: the button's target, the block's title and its code."""
    return page.evaluate(
        """() => [...document.querySelectorAll('button[data-clipboard-target]')].map(button => {
            const target = button.getAttribute('data-clipboard-target');
            const block = button.closest('.highlight') || document.querySelector(target).closest('div');
            const title = block.querySelector('.filename');
            return {
                target: target,
                title: title ? title.textContent.trim() : '',
                code: document.querySelector(target).textContent,
            };
        })"""
    )


CLIPBOARD_BEFORE = "clipboard before the click"
COPY_BUTTONS = "button[data-clipboard-target]"


# Opens the collapsed blocks that hold ``button`` (a solution, an API entry's source), as a reader would
# before copying, and returns a function that closes them again. Opening one block at a time keeps the
# page small: with every block of a long API page open, each copy lays out the whole page again.
OPEN_BLOCKS_AROUND = """button => {
    const opened = [];
    for (let block = button.closest('details'); block; block = block.parentElement.closest('details')) {
        if (!block.open) { block.open = true; opened.push(block); }
    }
    return () => opened.forEach(block => { block.open = false; });
}"""


# Records what each copy puts on the clipboard, as it happens. A copy copies the selection: clipboard.js
# fills a hidden textarea with the block's code, selects it and asks the browser to copy, so the text
# selected in the focused field when the ``copy`` event fires is what the clipboard receives. Reading the
# system clipboard back costs two round trips to the browser per button (most of this test's time on an
# API page with hundreds of blocks); the event costs nothing, and the system clipboard is still read back
# for the first button of each batch and the last of the page, to show that the recorded text arrives there.
RECORD_COPIES = """() => {
    window.__bookCopies = [];
    document.addEventListener('copy', () => {
        const field = document.activeElement;
        const text = field && typeof field.value === 'string' && field.selectionStart !== null
            ? field.value.slice(field.selectionStart, field.selectionEnd)
            : String(document.getSelection());
        window.__bookCopies.push(text);
    }, true);
}"""


def copy_with_buttons(page: Page) -> tuple[dict[str, str], list[str]]:
    """Click every copy button of ``page``: what each put on the clipboard (by its target), and mismatches.

    The clicks go to the page's own handler (Material's clipboard.js), each with the collapsed blocks
    around its button opened, and what each copies is recorded by :data:`RECORD_COPIES`. A copy needs a
    recent user activation, which a trusted key press gives and which lasts a few seconds: the buttons are
    clicked in one script until one copies nothing (the activation ran out), then a key press renews it
    and the script goes on from there. The first button of each such batch, and the last of the page, are
    also read back from the system clipboard; a difference from the recorded text is a mismatch. A button
    that copies nothing right after a key press is clicked once more on its own, and the clipboard watched
    for a second.
    """
    page.evaluate(RECORD_COPIES)
    count = page.evaluate(f"document.querySelectorAll('{COPY_BUTTONS}').length")
    copied: dict[str, str] = {}
    mismatches: list[str] = []
    start = 0
    while start < count:
        page.keyboard.press("Shift")
        batch = page.evaluate(
            f"""async ([selector, start, before]) => {{
                const openBlocksAround = {OPEN_BLOCKS_AROUND};
                const copies = window.__bookCopies;
                const buttons = [...document.querySelectorAll(selector)];
                const copied = {{}}, mismatches = [];
                for (let i = start; i < buttons.length; i++) {{
                    const readBack = i === start || i === buttons.length - 1;
                    if (readBack) await navigator.clipboard.writeText(before);
                    const count = copies.length;
                    const closeBlocks = openBlocksAround(buttons[i]);
                    buttons[i].click();
                    closeBlocks();
                    if (copies.length === count) return {{copied, mismatches, next: i}};
                    const target = buttons[i].getAttribute('data-clipboard-target');
                    copied[target] = copies[copies.length - 1];
                    const clipboard = readBack ? await navigator.clipboard.readText() : copied[target];
                    if (clipboard !== copied[target]) mismatches.push([target, copied[target], clipboard]);
                }}
                return {{copied, mismatches, next: buttons.length}};
            }}""",
            [COPY_BUTTONS, start, CLIPBOARD_BEFORE],
        )
        copied |= batch["copied"]
        mismatches += [
            f"{target}: the copy event saw {seen[:60]!r}, the clipboard holds {held[:60]!r}"
            for target, seen, held in batch["mismatches"]
        ]
        if batch["next"] == start:  # no copy even right after a key press: this button alone
            target, text = copy_one(page, start)
            copied[target] = text
            start += 1
        else:
            start = batch["next"]
    return copied, mismatches


def copy_one(page: Page, index: int) -> tuple[str, str]:
    """Click copy button ``index`` right after a key press; its target and what the clipboard then holds."""
    page.evaluate("before => navigator.clipboard.writeText(before)", CLIPBOARD_BEFORE)
    page.keyboard.press("Shift")
    return page.evaluate(
        f"""async ([selector, index, before]) => {{
            const button = document.querySelectorAll(selector)[index];
            const closeBlocks = ({OPEN_BLOCKS_AROUND})(button);
            button.click();
            let text = before;
            for (let tries = 0; tries < 20 && text === before; tries++) {{
                text = await navigator.clipboard.readText();
                if (text === before) await new Promise(resolve => setTimeout(resolve, 50));
            }}
            closeBlocks();
            return [button.getAttribute('data-clipboard-target'), text];
        }}""",
        [COPY_BUTTONS, index, CLIPBOARD_BEFORE],
    )


@pytest.mark.takes_shared_page
def test_copy_buttons_copy_the_listing(page_with_code: str, shared_pages: SharedPages) -> None:
    """Each copy button puts exactly its block's code on the clipboard.

    A block titled with a file of the repository (``snippets/...``) must copy that file's content, give
    or take its trailing newline; other blocks (outputs, notebook cells) copy the code they show.
    """
    page = shared_pages.take(page_with_code).page
    blocks = code_blocks(page)
    assert blocks, "the page has code blocks but no copy button"
    copied, mismatches = copy_with_buttons(page)
    assert_none(mismatches, "copies that did not reach the system clipboard as recorded")
    problems = []
    for block in blocks:
        name = block["title"] or block["target"]
        clipboard = copied.get(block["target"], CLIPBOARD_BEFORE)
        if clipboard == CLIPBOARD_BEFORE:
            problems.append(f"{name}: its button put nothing on the clipboard")
            continue
        source = snippet_file(block["title"])
        expected = source.read_text(encoding="utf-8") if source else block["code"]
        if clipboard.rstrip("\n") != expected.rstrip("\n"):
            problems.append(f"{name}:\n{unified_diff(expected, clipboard, 'expected', 'clipboard')}")
    assert_none(problems, "copy buttons that copy something else than the listing")


def unified_diff(expected: str, actual: str, expected_name: str, actual_name: str) -> str:
    """A readable diff of two texts for failure messages."""
    lines = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), expected_name, actual_name, lineterm=""
    )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# Notebook downloads
# ---------------------------------------------------------------------------------------------------------


def test_notebook_downloads_are_valid(page_with_notebook: str, new_context: NewContext) -> None:
    """Each notebook download link gives a valid nbformat 4 notebook with cells."""
    page = open_page(new_context(accept_downloads=True), page_with_notebook).page
    links = page.locator("p.notebook-download a[download]")
    assert links.count() > 0, "no download link (p.notebook-download a[download]) on a notebook page"
    for index in range(links.count()):
        with page.expect_download() as download_info:
            links.nth(index).click()
        download = download_info.value
        name = download.suggested_filename
        assert name.endswith(".ipynb"), f"the download link gives {name}, not a .ipynb"
        text = Path(download.path()).read_text(encoding="utf-8")
        notebook = json.loads(text)
        assert notebook.get("nbformat") == 4, f"{name} is not nbformat 4"
        assert notebook.get("cells"), f"{name} has no cells"
        nbformat.validate(nbformat.reads(text, as_version=4))


# ---------------------------------------------------------------------------------------------------------
# Listings run and print what the page shows
# ---------------------------------------------------------------------------------------------------------


def listings_with_output(page: Page) -> list[dict[str, str | None]]:
    """Each ``.book-output`` with the listing right before it: title, code and the output shown.

    ``code`` is None where the element before an output is not a code block.
    """
    return page.evaluate(
        """() => [...document.querySelectorAll('.book-output')].map(output => {
            const listing = output.previousElementSibling;
            const isListing = listing && listing.matches('.highlight') && listing.querySelector('pre code');
            const title = isListing && listing.querySelector('.filename');
            return {
                title: title ? title.textContent.trim() : '(untitled listing)',
                code: isListing ? listing.querySelector('pre code').textContent : null,
                shown: output.querySelector('pre code').textContent,
            };
        })"""
    )


def run_listing(code: str, workdir: Path, warm_python: WarmPool) -> Result:
    """Run ``code`` as a reader would after copying it: its own program, in an empty directory.

    Only the installed packages (``attention_book`` among them, installed editable) are importable; the
    environment is the build's (no PYTHONPATH, PYTHONHASHSEED=0, Matplotlib's Agg backend). The program
    runs in a process forked from an interpreter that has already imported the library
    (``listing_runner.py``), which spares each listing the seconds of ``import torch``.
    """
    workdir.mkdir(parents=True)
    (workdir / "listing.py").write_text(code, encoding="utf-8")
    return warm_python.run(workdir / "listing.py", cwd=workdir, timeout=LISTING_TIMEOUT_S)


MEASURED_MARKER = "# book: measured"
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def comparable(code: str, output: str) -> str:
    """The output as compared: a listing marked ``# book: measured`` (timings) has its numbers masked.

    Such a listing prints measurements that change from run to run; its run must still print the same
    lines and words as the page, with a number wherever the page has one (the spaces between them may
    differ: a table's columns widen with its numbers).
    """
    if MEASURED_MARKER not in code:
        return output
    masked = NUMBER.sub("<n>", output)
    return "\n".join(" ".join(line.split()) for line in masked.splitlines())  # columns may shift


def test_measured_outputs_compare_by_shape_not_numbers() -> None:
    """Masking spares a measured listing's changing numbers, and nothing else, and no other listing."""
    measured = f"{MEASURED_MARKER}\nprint(...)"
    assert comparable(measured, "n=256: 1.3 ms, 2.0e-3 s") == comparable(measured, "n=256: 10.25 ms, 7e-4 s")
    assert comparable(measured, "n=256: 1.3 ms") != comparable(measured, "n=256: 1.3 s")
    assert comparable(measured, "a 1\nb 2") != comparable(measured, "a 1")
    assert comparable(measured, "n  ms\n8  1.5") == comparable(measured, "n    ms\n8  100.25")
    assert comparable("print(...)", "1.3 ms") != comparable("print(...)", "1.4 ms")


def output_as_shown(stdout: str) -> str:
    """What the page shows for a listing's stdout: trailing newlines stripped, "(no output)" if empty."""
    return stdout.rstrip("\n") or "(no output)"


def test_listings_print_what_the_page_shows(
    page_with_outputs: str, shared_pages: SharedPages, tmp_path: Path, warm_python: WarmPool
) -> None:
    """Every listing followed by an output, copied from the page and run, prints exactly that output."""
    page = shared_pages.get(page_with_outputs).page
    listings = listings_with_output(page)
    orphans = [listing["shown"][:80] for listing in listings if listing["code"] is None]
    assert_none(orphans, "outputs that do not follow a code listing")
    runs = [
        run_listing(listing["code"], tmp_path / f"listing-{index}", warm_python)
        for index, listing in enumerate(listings)
    ]
    problems = []
    for listing, run in zip(listings, runs, strict=True):
        if run.returncode != 0:
            problems.append(f"{listing['title']} exits with {run.returncode}:\n{run.stderr[-2000:]}")
            continue
        expected = listing["shown"].rstrip("\n")
        code = listing["code"] or ""
        if comparable(code, output_as_shown(run.stdout)) != comparable(code, expected):
            diff = unified_diff(expected, output_as_shown(run.stdout), "page", "run")
            problems.append(f"{listing['title']} prints something else than the page shows:\n{diff}")
    assert_none(problems, "listings whose output differs from the page")


# ---------------------------------------------------------------------------------------------------------
# Screenshots
# ---------------------------------------------------------------------------------------------------------


def screenshot_dir() -> Path:
    """Where screenshots go: ``$SCREENSHOTS``, by default ``build/screenshots`` (relative to the repo)."""
    return ROOT / os.environ.get("SCREENSHOTS", "build/screenshots")


@pytest.mark.screenshots
def test_screenshots(page_path: str, shared_pages: SharedPages) -> None:
    """Full-page screenshots of the page, light and dark, at desktop (1280 px) and phone (375 px) widths."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for device in ("desktop", "phone"):
            page = shared_pages.get(page_path, scheme=scheme, view=device).page
            path = folder / f"{slug(page_path)}-{scheme}-{device}.png"
            page.screenshot(path=path, full_page=True)
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
