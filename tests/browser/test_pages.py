"""Checks run on every page of the built site, one test per page and check."""

from __future__ import annotations

import functools
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page

from .browsing import (
    PHONE,
    assert_none,
    color_scheme,
    describe_element_js,
    math_counts,
    open_page,
    raw_tex,
    switch_palette,
)
from .conftest import SharedPages
from .support import inventory

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


# ---------------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------------


def test_page_loads_cleanly(page_path: str, shared_pages: SharedPages, base_url: str) -> None:
    """The page answers 200 and loads with no console error, no failed request, nothing from elsewhere."""
    visit = shared_pages.get(page_path)
    recorder = visit.recorder
    assert visit.status == 200
    assert_none(recorder.console_errors, "console errors")
    assert_none(recorder.page_errors, "uncaught JavaScript exceptions")
    assert_none(recorder.failed_requests, "failed requests")
    assert_none(recorder.error_responses, "requests answered with an HTTP error")
    assert_none(recorder.foreign_requests(base_url), "requests to hosts other than the local server")


# A page as a reader gets it on a first visit, read to the end (every figure of its palette fetched), from
# a server that compresses text as static hosts do (tests/browser/support.py): at most this many bytes over
# the wire. Notebook pages carry the notebook's own styles and outputs.
PAGE_BUDGET = 600 * 1024
NOTEBOOK_PAGE_BUDGET = 1024 * 1024


def test_page_weight(page_path: str, shared_pages: SharedPages) -> None:
    """A cold visit, scrolled to the end, transfers no more than the page budget."""
    info = next(info for info in inventory() if info.path == page_path)
    budget = NOTEBOOK_PAGE_BUDGET if info.has_notebook_download else PAGE_BUDGET
    sizes = shared_pages.get(page_path).recorder.bytes_transferred()
    total = sum(sizes.values())
    largest = ", ".join(
        f"{urlsplit(url).path} {size / 1024:.0f} KiB"
        for url, size in sorted(sizes.items(), key=lambda x: -x[1])[:5]
    )
    assert total <= budget, (
        f"{total / 1024:.0f} KiB transferred, budget {budget / 1024:.0f} KiB; largest: {largest}"
    )


# ---------------------------------------------------------------------------------------------------------
# Images and figures
# ---------------------------------------------------------------------------------------------------------


def broken_images(page: Page) -> list[str]:
    """Sources of the images that do not load, hidden ones (such as the other palette's) included.

    Figures load lazily, so each image is first switched to eager loading and awaited.
    """
    return page.evaluate(
        """async () => {
            const images = [...document.images];
            await Promise.all(images.map(img => {
                img.loading = 'eager';
                return img.decode().catch(() => null);
            }));
            return images.filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src);
        }"""
    )


def figure_variants(page: Page) -> list[dict[str, list[str]]]:
    """For each ``figure.book-figure``: the file names of its images, and of those visible now."""
    return page.evaluate(
        """() => [...document.querySelectorAll('figure.book-figure')].map(figure => {
            const images = [...figure.querySelectorAll('img')];
            const name = img => new URL(img.src).pathname.split('/').pop();
            return {
                all: images.map(name),
                visible: images.filter(img => img.getClientRects().length > 0).map(name),
            };
        })"""
    )


def test_images_load(page_path: str, shared_pages: SharedPages) -> None:
    """Every image has loaded, and every figure has exactly one light and one dark variant."""
    page = shared_pages.get(page_path).page
    assert_none(broken_images(page), "images that did not load")
    for figure in figure_variants(page):
        light = [name for name in figure["all"] if name.endswith("-light.svg")]
        dark = [name for name in figure["all"] if name.endswith("-dark.svg")]
        assert len(light) == 1 and len(dark) == 1, f"a figure needs one light and one dark image: {figure}"


def assert_figures_show(page: Page, variant: str) -> None:
    """Each figure shows exactly one image, its ``-light.svg`` or ``-dark.svg`` variant as asked."""
    for figure in figure_variants(page):
        visible = figure["visible"]
        assert len(visible) == 1 and visible[0].endswith(f"-{variant}.svg"), (
            f"palette {color_scheme(page)}: figure {figure['all']} shows {visible}, not its {variant} variant"
        )


@pytest.mark.takes_shared_page
def test_palette_switches_figures(page_path: str, shared_pages: SharedPages) -> None:
    """Dark palette shows each figure's dark variant, light palette its light one, either way round.

    The page opens under a system preference for dark (Material's "system" palette state follows it),
    then the reader switches to light and back to dark with the header's toggle.
    """
    page = shared_pages.take(page_path, scheme="dark").page
    assert color_scheme(page) == "slate", "a system preference for dark does not give the dark palette"
    assert_figures_show(page, "dark")
    switch_palette(page, "light")
    assert_figures_show(page, "light")
    switch_palette(page, "dark")
    assert_figures_show(page, "dark")


# ---------------------------------------------------------------------------------------------------------
# Math
# ---------------------------------------------------------------------------------------------------------


def test_math_is_typeset(page_path: str, shared_pages: SharedPages) -> None:
    """MathJax has typeset every formula: no raw TeX left in the visible text, no TeX error."""
    page = shared_pages.get(page_path).page
    counts = math_counts(page)
    if counts["arithmatex"]:
        assert counts["typeset"] > 0, "the page has formulas but MathJax typeset none"
    assert counts["untypeset"] == 0, f"{counts['untypeset']} .arithmatex formulas were not typeset"
    assert counts["errors"] == 0, f"{counts['errors']} formulas typeset as errors (mjx-merror)"
    assert_none(raw_tex(page), "raw TeX visible outside typeset math")


# ---------------------------------------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------------------------------------


class _AnchorCollector(HTMLParser):
    """Collects every ``id`` and ``<a name>`` of a document: the fragments a link may point to."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and (name == "id" or (name == "name" and tag == "a")):
                self.anchors.add(value)


@functools.cache
def fetch(url: str) -> tuple[int, str, frozenset[str]]:
    """Status, content type and anchors (for HTML) of a URL on the local server, cached per session."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            status, content_type, body = response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as error:
        return error.code, "", frozenset()
    if content_type != "text/html":
        return status, content_type, frozenset()
    collector = _AnchorCollector()
    collector.feed(body.decode("utf-8", errors="replace"))
    return status, content_type, frozenset(collector.anchors)


def internal_links(page: Page, base_url: str) -> list[str]:
    """Absolute URLs of every ``<a href>`` on the page that points inside the site."""
    hrefs = page.evaluate("[...document.querySelectorAll('a[href]')].map(a => a.href)")
    origin = urlsplit(base_url)[:2]
    return sorted({href for href in hrefs if urlsplit(href)[:2] == origin})


def test_internal_links_resolve(page_path: str, shared_pages: SharedPages, base_url: str) -> None:
    """Every link inside the site reaches a page that exists and, with a #fragment, an element there.

    Fragments on the page itself are looked up in the live document (scripts may add ids); on other
    pages, in their HTML as served.
    """
    page = shared_pages.get(page_path).page
    here = urldefrag(page.url).url
    problems = []
    for link in internal_links(page, base_url):
        target, fragment = urldefrag(link)
        status, content_type, anchors = fetch(target)
        if status != 200:
            problems.append(f"{link}: HTTP {status}")
            continue
        if not fragment:
            continue
        anchor = unquote(fragment)
        if target == here:
            found = page.evaluate(
                "id => !!(document.getElementById(id) || document.getElementsByName(id).length)", anchor
            )
        else:
            found = anchor in anchors
        if not found:
            problems.append(f"{link}: no element with id {anchor!r} on {target} ({content_type})")
    assert_none(problems, "internal links that do not resolve")


# ---------------------------------------------------------------------------------------------------------
# Phone width
# ---------------------------------------------------------------------------------------------------------

SCROLLING_CONTENT = "pre, code, table, mjx-container, .arithmatex"
OWN_SCROLLERS = (
    ".highlight, .highlight-ipynb, .md-typeset__table, .md-typeset__scrollwrap, .jp-OutputArea-output, "
    + SCROLLING_CONTENT
)


def sideways_overflow(page: Page) -> list[str]:
    """Elements sticking out past the right edge of the viewport, outside any block that scrolls itself.

    An element is excused when its nearest ancestor that clips horizontally scrolls (``overflow-x: auto``
    or ``scroll``) and is a code block, table or formula, or holds the element inside one. Elements that
    are not rendered, transparent, or visually hidden by ``clip`` (such as MathJax's MathML for screen
    readers) are left out, and only the outermost offender of each branch is listed.
    """
    return page.evaluate(
        "([scrollers, content]) => {"
        + describe_element_js()
        + """
            const width = document.documentElement.clientWidth;
            const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
            const clippedAway = el => {
                for (let node = el; node && node !== document.body; node = node.parentElement) {
                    const style = getComputedStyle(node);
                    if (style.clip !== 'auto' || style.clipPath !== 'none') return true;
                }
                return false;
            };
            const excused = el => {
                el = el.closest('mjx-container') || el;  // a glyph of a formula stands for the formula
                let clip = el.parentElement;
                while (clip && clip !== document.body && getComputedStyle(clip).overflowX === 'visible') {
                    clip = clip.parentElement;
                }
                if (!clip || clip === document.body || !scrolls(clip)) return false;
                const inner = el.closest(content);
                return clip.matches(scrollers) || (inner !== null && clip.contains(inner));
            };
            const offenders = [];
            for (const el of document.body.querySelectorAll('*')) {
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
                if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
                if (offenders.some(outer => outer.contains(el)) || excused(el) || clippedAway(el)) continue;
                offenders.push(el);
            }
            return offenders.map(el => {
                const box = el.getBoundingClientRect();
                return `${describe(el)} spans x=${Math.round(box.left)}..${Math.round(box.right)}`
                    + ` (inside ${describe(el.parentElement)})`;
            });
        }""",
        [OWN_SCROLLERS, SCROLLING_CONTENT],
    )


# Listings are written to 80 columns (ruff's line length for snippets and notebooks), so that on a desktop
# they read without scrolling sideways; a listing with a longer line may scroll.
LISTING_COLUMNS = 80


def wide_listings(page: Page, columns: int = LISTING_COLUMNS) -> list[str]:
    """Code blocks whose lines all fit in ``columns`` characters and that still scroll sideways.

    A block is a listing's or a notebook cell's ``pre``; what scrolls is the nearest of the ``pre``, its
    ``code`` and the ``pre``'s parent that has ``overflow-x: auto`` or ``scroll``. Blocks that are not
    rendered (inside a closed collapsible block) are left out.
    """
    return page.evaluate(
        """(columns) => {
            const scrolls = el => el && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
            const offenders = [];
            for (const pre of document.querySelectorAll('.md-typeset pre')) {
                if (!pre.checkVisibility()) continue;
                const longest = Math.max(...pre.innerText.split('\\n').map(line => line.length));
                if (longest > columns) continue;
                const scroller = [pre.querySelector(':scope > code'), pre, pre.parentElement].find(scrolls);
                if (scroller && scroller.scrollWidth > scroller.clientWidth + 1) {
                    const first = pre.innerText.trim().split('\\n')[0].slice(0, 40);
                    offenders.push(`${longest} columns, ${scroller.scrollWidth - scroller.clientWidth} px`
                        + ` too wide: "${first}"`);
                }
            }
            return offenders;
        }""",
        columns,
    )


def test_listings_fit_the_desktop_column(page_path: str, shared_pages: SharedPages) -> None:
    """At a desktop width (1280 px) a listing or notebook cell of 80-column lines does not scroll."""
    page = shared_pages.get(page_path).page
    assert_none(wide_listings(page), f"code blocks of <= {LISTING_COLUMNS} columns that scroll sideways")


def test_no_sideways_overflow_on_phone(page_path: str, shared_pages: SharedPages) -> None:
    """At a phone's width (375 px) the page does not scroll sideways; only code, tables and math may."""
    page = shared_pages.get(page_path, view="phone").page
    width = PHONE["width"]
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    offenders = sideways_overflow(page)
    assert scroll_width <= width + 1, f"the page is {scroll_width} px wide at a {width} px viewport"
    assert_none(offenders, f"elements sticking out of the {width} px viewport")
    # A formula squeezed to nothing (an SVG capped at the width of a box that shrinks to fit it) is blank.
    collapsed = page.evaluate(
        """() => [...document.querySelectorAll('mjx-container > svg')]
            .filter(svg => svg.getBoundingClientRect().width <= 2)
            .map(svg => svg.getAttribute('aria-label') || '?')"""
    )
    assert_none(collapsed, f"formulas drawn blank (no width) at {width} px")


# ---------------------------------------------------------------------------------------------------------
# Accessibility
# ---------------------------------------------------------------------------------------------------------

AXE = Axe()
SERIOUS = ("serious", "critical")


# Empties, for the length of an axe run, the code tokens whose contrast another token of the page already
# shows, and returns how many. A token's contrast depends on its colour, the background behind it and its
# font, and nothing else: a second token with the same five things has the same ratio, and axe skips an
# element with no text. Tokens are the spans of code blocks and the inline code of the prose (which has a
# background of its own). Links are never emptied (they have checks of their own). All styles are read
# before any token changes, so the page's style is computed once, not once a token.
HIDE_REPEATED_TOKENS = """() => {
    const backgroundOf = (node, stop) => {
        for (; node && node !== stop; node = node.parentElement) {
            const colour = getComputedStyle(node).backgroundColor;
            if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
        }
        return null;
    };
    const shown = element => !element.closest('details:not([open])');  // axe skips the others anyway
    const repeated = [];
    const seen = new Set();
    const keep = (token, behind) => {
        if (token.children.length || token.closest('a') || !token.textContent.trim()) return;
        const style = getComputedStyle(token);
        const key = [style.color, behind, style.fontSize, style.fontWeight, style.fontStyle].join('|');
        if (seen.has(key)) repeated.push(token);
        else seen.add(key);
    };
    for (const block of document.querySelectorAll('pre > code')) {
        if (!shown(block)) continue;
        const blockBackground = backgroundOf(block, null) || 'page';
        for (const token of block.querySelectorAll('span')) {
            keep(token, backgroundOf(token, block) || blockBackground);
        }
    }
    for (const code of document.querySelectorAll('.md-content code')) {
        if (code.closest('pre') || !shown(code)) continue;
        keep(code, 'inline ' + (backgroundOf(code, null) || 'page'));
    }
    window.__axeHiddenTokens = repeated.map(token => [token, token.textContent]);
    for (const token of repeated) token.textContent = '';
    return repeated.length;
}"""
RESTORE_REPEATED_TOKENS = """() => {
    for (const [token, text] of window.__axeHiddenTokens || []) token.textContent = text;
    delete window.__axeHiddenTokens;
}"""


# Takes out of the page, for the length of an axe run, what the closed collapsible blocks hold (all but
# their summary), and returns how many blocks. A closed block's content is not rendered, and axe checks
# nothing in it (no rule passes, fails or is unsure of an element there, as
# test_parking_closed_blocks_changes_no_axe_result shows), but it still walks those elements: on the API
# pages, whose collapsed source listings are two thirds of the page, that was half of axe's time. The
# same nodes go back in the same order afterwards, so their listeners and state are untouched.
PARK_CLOSED_BLOCKS = """() => {
    const closed = [...document.querySelectorAll('details:not([open])')];
    window.__axeParkedBlocks = closed.map(block => [block, [...block.childNodes]]);
    for (const block of closed) {
        for (const child of [...block.childNodes]) if (child.nodeName !== 'SUMMARY') child.remove();
    }
    return closed.length;
}"""
UNPARK_CLOSED_BLOCKS = """() => {
    for (const [block, children] of window.__axeParkedBlocks || []) block.replaceChildren(...children);
    delete window.__axeParkedBlocks;
}"""


def serious_violations(page: Page, within: str | None = None, shown: int = 5) -> list[str]:
    """axe-core's serious and critical violations: one line per rule, then its first ``shown`` elements.

    ``within`` (a CSS selector) limits the check to those elements and what they hold; by default axe
    checks the whole page. Each element comes with axe's own explanation (for colour contrast: the
    colours and their ratio). Code tokens that repeat the colours and font of a token already checked in
    the page are emptied while axe runs (HIDE_REPEATED_TOKENS): measuring the contrast of every token of
    every listing was most of axe's time, for no other answer. What closed collapsible blocks hold, which
    axe does not check, is out of the page while it runs (PARK_CLOSED_BLOCKS).
    """
    if within is None:  # a narrower check keeps every token: the one kept could be outside its context
        page.evaluate(HIDE_REPEATED_TOKENS)
        page.evaluate(PARK_CLOSED_BLOCKS)
    try:
        results = AXE.run(page, context=within, options={"resultTypes": ["violations"]})
    finally:
        page.evaluate(UNPARK_CLOSED_BLOCKS)
        page.evaluate(RESTORE_REPEATED_TOKENS)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in SERIOUS:
            continue
        nodes = violation["nodes"]
        lines.append(f"{violation['id']} ({violation['impact']}, {len(nodes)} elements): {violation['help']}")
        for node in nodes[:shown]:
            checks = node.get("any") or node.get("all") or node.get("none") or [{}]
            html = " ".join(node["html"].split())[:120]
            lines.append(f"    {node['target']} {html}  -- {checks[0].get('message', '')}")
        if len(nodes) > shown:
            lines.append(f"    ... and {len(nodes) - shown} more")
    return lines


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_accessibility(page_path: str, scheme: str, shared_pages: SharedPages) -> None:
    """axe-core finds no serious or critical accessibility violation, in either palette."""
    page = shared_pages.get(page_path, scheme=scheme).page
    assert_none(serious_violations(page), f"serious axe-core violations ({scheme} palette)")


def test_axe_sees_a_faint_token_among_repeated_ones(new_context: Callable[..., BrowserContext]) -> None:
    """Emptying repeated tokens leaves axe every distinct colour: a faint token and a faint inline code are
    still reported, and every token has its text back after the run."""
    page = open_page(new_context(), "/foundations/scaled-dot-product-attention/").page
    text_before = page.evaluate("[...document.querySelectorAll('code')].map(c => c.textContent)")
    faint = page.evaluate(
        """() => {
            const blocks = [...document.querySelectorAll('pre > code')];
            const block = blocks.find(b => b.querySelectorAll('span').length > 20);
            const tokens = [...block.querySelectorAll('span')].reverse();
            const token = tokens.find(t => /[a-z]{3}/i.test(t.textContent) && !t.children.length);
            const inline = [...document.querySelectorAll('.md-content p > code')][3];
            // A token with letters (axe leaves out text of punctuation only). Light grey on the light
            // palette's light grey code background: about 1.5:1 (the background's own colour would be
            // 1:1, which axe reports as "needs review", not as a violation). No transition: the page
            // animates colour changes, and the new colour must be there at once.
            for (const element of [token, inline]) {
                element.style.transition = 'none';
                element.style.color = 'rgb(200, 200, 200)';
            }
            return [token.textContent, inline.textContent];
        }"""
    )
    report = "\n".join(serious_violations(page))
    found = re.search(r"^color-contrast \(serious, (\d+) elements\)", report, re.MULTILINE)
    assert found and int(found.group(1)) >= len(faint), f"axe missed the faint tokens {faint}:\n{report}"
    text_after = page.evaluate("[...document.querySelectorAll('code')].map(c => c.textContent)")
    assert text_after == text_before, "tokens emptied for axe did not get their text back"


def test_parking_closed_blocks_changes_no_axe_result(new_context: Callable[..., BrowserContext]) -> None:
    """axe gives the same answers, rule by rule and element by element, with what closed collapsible blocks
    hold taken out of the page; afterwards the blocks hold the same nodes as before."""
    page = open_page(new_context(), "/foundations/masks/").page

    def everything() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
        """Every rule in every result type of a full axe run, with the elements it concerns."""
        response = AXE.run(page).response
        return {
            kind: sorted(
                (rule["id"], tuple(sorted(" ".join(map(str, node["target"])) for node in rule["nodes"])))
                for rule in response[kind]
            )
            for kind in ("passes", "violations", "incomplete", "inapplicable")
        }

    blocks_before = page.evaluate("[...document.querySelectorAll('details')].map(d => d.innerHTML)")
    whole_page = everything()
    assert page.evaluate(PARK_CLOSED_BLOCKS) >= 3, "the page should have closed blocks (the solutions)"
    try:
        parked = everything()
    finally:
        page.evaluate(UNPARK_CLOSED_BLOCKS)
    assert parked == whole_page
    blocks_after = page.evaluate("[...document.querySelectorAll('details')].map(d => d.innerHTML)")
    assert blocks_after == blocks_before, "the closed blocks did not get their content back"
