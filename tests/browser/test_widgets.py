"""The interactive figures (docs/javascripts/widgets.js), driven in Chromium and checked against the library.

* the softmax playground shows the weights, largest weight and entropy of attention_book.widgets to 1e-6;
* the mask builder shows the masks of attention_book.masks and the weights of the library's softmax;
* pointing at or focusing a query token of the explorer highlights exactly the weights in the page's JSON
  for that model, layer, head and token, in the head view and in the matrix;
* every widget starts after instant navigation, fits a phone, is usable by keyboard with a visible focus,
  and axe finds no serious violation in it, in both palettes.

The pages with widgets are found in the built site (``<div class="book-widget">``), so a new widget page
is checked without changing this file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import pytest
import torch
from playwright.sync_api import BrowserContext, Page

from attention_book import widgets
from attention_book.core import masked_softmax
from attention_book.masks import causal_mask, combine_masks, padding_mask, sliding_window_mask

from .browsing import PHONE, assert_none, follow_link, open_page
from .conftest import SharedPages
from .support import browser_required, chromium_path, html_file, page_paths, slug
from .test_pages import serious_violations, sideways_overflow
from .test_site import screenshot_dir

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NewContext = Callable[..., BrowserContext]
TOLERANCE = 1e-6
WIDGET_BOX = re.compile(r'<div class="book-widget"[^>]*\bdata-src="(?P<src>[^"]+)"')


def widget_pages() -> dict[str, list[str]]:
    """Page path -> the data-src of each widget on it, read from the built HTML."""
    found = {}
    for path in page_paths():
        sources = [m["src"] for m in WIDGET_BOX.finditer(html_file(path).read_text(encoding="utf-8"))]
        if sources:
            found[path] = sources
    return found


def pages_with(kind: str) -> list[str]:
    """Pages whose widget data is of ``kind`` (playground, masks, explorer)."""
    from .support import ensure_site

    site = ensure_site()
    pages = []
    for path, sources in widget_pages().items():
        for source in sources:
            data_file = site / urljoin(path, source).lstrip("/")
            if json.loads(data_file.read_text(encoding="utf-8"))["kind"] == kind:
                pages.append(path)
    return pages


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``widget_page`` with every page that has a widget, and ``<kind>_page`` by kind."""
    arguments = {"widget_page": None, "playground_page": "playground", "masks_page": "masks"}
    arguments["explorer_page"] = "explorer"
    for argname, kind in arguments.items():
        if argname not in metafunc.fixturenames:
            continue
        if chromium_path() is None and not browser_required():
            metafunc.parametrize(argname, [pytest.param(None, id="no-browser")])
            continue
        paths = sorted(widget_pages()) if kind is None else pages_with(kind)
        metafunc.parametrize(argname, paths, ids=paths)


def wait_for_widgets(page: Page) -> None:
    """Wait until every widget of the page has been set up (or has failed to)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.book-widget')]
            .every(w => w.dataset.ready === 'true' || w.dataset.ready === 'failed')"""
    )


def page_data(page: Page, widget: int = 0) -> dict[str, Any]:
    """The JSON that the page's ``widget``-th widget was built from, fetched as the page fetched it."""
    return page.evaluate(
        """async index => {
            const box = document.querySelectorAll('.book-widget')[index];
            return (await fetch(new URL(box.dataset.src, location.href))).json();
        }""",
        widget,
    )


def floats(page: Page, selector: str, attribute: str = "data-weight") -> list[float]:
    return [
        float(x)
        for x in page.eval_on_selector_all(selector, f"els => els.map(e => e.getAttribute('{attribute}'))")
    ]


def assert_close(got: list[float], expected: list[float], what: str) -> None:
    assert len(got) == len(expected), f"{what}: {len(got)} values shown, {len(expected)} expected"
    worst = max((abs(a - b) for a, b in zip(got, expected, strict=True)), default=0.0)
    assert worst <= TOLERANCE, f"{what}: shown {got}, the library gives {expected} (off by {worst:.3g})"


# ---------------------------------------------------------------------------------------------------------
# Every widget page
# ---------------------------------------------------------------------------------------------------------


def test_widgets_start_after_a_static_figure(widget_page: str, shared_pages: SharedPages) -> None:
    """Each widget is hidden in the HTML, follows a static figure, and is shown once its data is in."""
    html = html_file(widget_page).read_text(encoding="utf-8")
    for match in WIDGET_BOX.finditer(html):
        tag = html[match.start() : html.index(">", match.start())]
        assert re.search(r"\bhidden\b", tag), (
            f"{widget_page}: a widget is not hidden without JavaScript: {tag}"
        )
        assert "book-figure" in html[: match.start()], f"{widget_page}: no static figure before the widget"
    visit = shared_pages.get(widget_page)
    wait_for_widgets(visit.page)
    states = visit.page.eval_on_selector_all(".book-widget", "ws => ws.map(w => [w.dataset.ready, w.hidden])")
    assert states and all(state == ["true", False] for state in states), f"widget states: {states}"
    assert_none(visit.recorder.console_errors, "console errors")
    assert_none(visit.recorder.page_errors, "uncaught JavaScript exceptions")


def test_widgets_start_after_instant_navigation(widget_page: str, new_context: NewContext) -> None:
    """Reached by a link in the navigation (no reload), a page's widgets start and respond."""
    visit = open_page(new_context(), "/")
    page = visit.page
    link = page.evaluate(
        """target => {
            const links = [...document.querySelectorAll('a.md-nav__link[href]')]
                .filter(a => new URL(a.href).pathname === target && a.getClientRects().length);
            if (links.length) links[0].setAttribute('data-widget-test', '');
            return links.length;
        }""",
        widget_page,
    )
    assert link, f"no visible navigation link to {widget_page} on the home page"
    assert follow_link(page, page.locator("[data-widget-test]").first), "the link reloaded the page"
    wait_for_widgets(page)
    assert page.eval_on_selector_all(".book-widget", "ws => ws.every(w => w.dataset.ready === 'true')")
    # Something the reader does still changes what the widget shows.
    before = page.locator(".book-widget").first.inner_text()
    first_control = page.locator(".book-widget input[type=range], .book-widget [role=option]").first
    if first_control.get_attribute("type") == "range":
        first_control.fill(first_control.get_attribute("min") or "0")
    else:
        first_control.hover()
    assert page.locator(".book-widget").first.inner_text() != before, "the widget did not respond"
    assert_none(visit.recorder.page_errors, "uncaught JavaScript exceptions")
    assert_none(visit.recorder.console_errors, "console errors")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_widgets_accessibility(widget_page: str, scheme: str, new_context: NewContext) -> None:
    """axe finds no serious or critical violation in the widgets as they start, and after a few changes.

    (The rest of the page is checked by test_pages.py::test_accessibility.)
    """
    page = open_page(new_context(scheme=scheme), widget_page).page
    wait_for_widgets(page)
    in_widgets = serious_violations(page, within=".book-widget")
    assert_none(in_widgets, f"serious axe-core violations ({scheme} palette)")
    # The explorer's "all heads" view and the mask builder with a window draw other elements.
    for chip in page.locator(".book-widget .bw-radios label").filter(has_text=re.compile("^all$")).all():
        chip.click()
    for control in page.locator(".book-widget input[type=range]").all()[-1:]:
        control.fill(control.get_attribute("max") or "1")
    assert_none(
        serious_violations(page, within=".book-widget"),
        f"serious axe-core violations after changes ({scheme} palette)",
    )


def test_widgets_fit_a_phone(widget_page: str, shared_pages: SharedPages) -> None:
    """At 375 px the widgets stay inside the viewport: nothing scrolls sideways."""
    page = shared_pages.get(widget_page, view="phone").page
    wait_for_widgets(page)
    boxes = page.eval_on_selector_all(".book-widget", "ws => ws.map(w => w.getBoundingClientRect().right)")
    assert all(right <= PHONE["width"] for right in boxes), f"widgets end at x = {boxes}"
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"] + 1
    assert_none([o for o in sideways_overflow(page) if "bw-" in o or "book-widget" in o], "widget overflow")


def test_widgets_work_by_keyboard_with_a_visible_focus(widget_page: str, new_context: NewContext) -> None:
    """Tab reaches every control of a widget in turn, and each shows a focus outline."""
    page = open_page(new_context(), widget_page).page
    wait_for_widgets(page)
    page.locator(".book-widget .bw-title").first.click()  # Tab starts from here
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                const widget = el.closest('.book-widget');
                if (!widget) return null;
                const shown = el.matches('.bw-radios input') ? el.nextElementSibling : el;
                const style = getComputedStyle(shown);
                const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
                return {what: el.tagName + (el.type ? ':' + el.type : '') + (el.getAttribute('role') || ''),
                        name: el.getAttribute('aria-label') || label || el.textContent,
                        ring: ring, matches: el.matches(':focus-visible')};
            }"""
        )
        if focused is None:
            if seen:
                break
            continue
        seen.append(focused)
    assert seen, f"{widget_page}: Tab never reached a widget control"
    no_ring = [f"{f['what']} {f['name'].strip()!r}" for f in seen if not (f["ring"] and f["matches"])]
    assert_none(no_ring, "controls focused by keyboard without a visible focus outline")
    unnamed = [f["what"] for f in seen if not f["name"].strip()]
    assert_none(unnamed, "focusable controls without an accessible name")


@pytest.mark.screenshots
def test_widget_screenshots(widget_page: str, shared_pages: SharedPages) -> None:
    """Screenshots of each widget, light and dark, desktop and phone, next to the page screenshots."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        for view in ("desktop", "phone"):
            page = shared_pages.get(widget_page, scheme=scheme, view=view).page
            wait_for_widgets(page)
            boxes = page.eval_on_selector_all(
                ".book-widget",
                """ws => ws.map(w => {
                    const r = w.getBoundingClientRect();
                    return {x: 0, y: r.top + scrollY, width: innerWidth, height: r.height};
                })""",
            )
            for index, box in enumerate(boxes):  # from the full page: no sticky header across the widget
                path = folder / f"widget-{slug(widget_page)}-{index}-{scheme}-{view}.png"
                page.screenshot(path=path, full_page=True, clip=box)
                assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------------------------------------
# The softmax playground
# ---------------------------------------------------------------------------------------------------------

PLAYGROUND_SETTINGS = [
    {},  # as the page starts: the worked example
    {"scaled": False},
    {"d_k": 1024, "temperature": "0.3"},
    {"scores": ["0", "0", "0", "0"], "temperature": "5"},
    {"scores": ["40", "-40", "39.9", "0"], "scaled": False, "temperature": "0.1"},
    {"scores": ["-3.7", "12.1", "12.1", "-40"], "d_k": 2, "temperature": "2.5"},
]


def test_playground_weights_equal_the_library(playground_page: str, new_context: NewContext) -> None:
    """For each setting of the controls the bars, the largest weight and the entropy are the library's."""
    page = open_page(new_context(), playground_page).page
    wait_for_widgets(page)
    widget = page.locator(".book-widget--playground")
    sliders = widget.locator(".bw-play__row input[type=range]")
    checkbox = widget.locator(".bw-controls input[type=checkbox]")
    temperature_slider = widget.locator(".bw-controls input[type=range]")
    for settings in PLAYGROUND_SETTINGS:
        widget.locator("button", has_text="Reset").click()
        for index, score in enumerate(settings.get("scores", [])):
            sliders.nth(index).fill(score)
        if "scaled" in settings:
            checkbox.set_checked(settings["scaled"])
        if "d_k" in settings:
            widget.locator("select").select_option(str(settings["d_k"]))
        if "temperature" in settings:
            temperature_slider.fill(settings["temperature"])
        scores = [float(sliders.nth(i).input_value()) for i in range(sliders.count())]
        temperature = float(temperature_slider.input_value())
        scaled = checkbox.is_checked()
        d_k = int(widget.locator("select").input_value())
        expected = widgets.playground_weights(scores, d_k=d_k, scaled=scaled, temperature=temperature)
        what = f"scores {scores}, d_k {d_k}, scaled {scaled}, T {temperature}"
        shown = floats(page, ".book-widget--playground .bw-weight")
        assert_close(shown, expected.tolist(), f"weights ({what})")
        readout = widget.locator(".bw-readout")
        largest = float(readout.get_attribute("data-largest") or "nan")
        assert_close([largest], [float(expected.max())], f"largest weight ({what})")
        entropy = widgets.entropy_bits(expected)
        assert_close([float(readout.get_attribute("data-entropy") or "nan")], [entropy], f"entropy ({what})")
        assert f"{entropy:.2f} bits" in readout.inner_text()


def test_playground_follows_the_arrow_keys(playground_page: str, new_context: NewContext) -> None:
    """A score slider moves by 0.1 with each arrow key, and the weights follow."""
    page = open_page(new_context(), playground_page).page
    wait_for_widgets(page)
    sliders = page.locator(".book-widget--playground .bw-play__row input[type=range]")
    start = float(sliders.nth(1).input_value())
    sliders.nth(1).focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    moved = float(sliders.nth(1).input_value())
    assert math.isclose(moved, start + 0.5, abs_tol=1e-9), f"five ArrowRight moved {start} to {moved}"
    data = page_data(page)
    scores = [float(sliders.nth(i).input_value()) for i in range(sliders.count())]
    expected = widgets.playground_weights(scores, d_k=data["d_k"], scaled=data["scaled"])
    assert_close(floats(page, ".book-widget--playground .bw-weight"), expected.tolist(), "weights after keys")


# ---------------------------------------------------------------------------------------------------------
# The mask builder
# ---------------------------------------------------------------------------------------------------------

MASK_SETTINGS = [  # (length, causal, padding, window)
    (6, True, 2, 0),  # as the page starts
    (8, False, 0, 0),
    (8, True, 0, 3),
    (5, False, 1, 2),
    (4, True, 4, 0),  # every token padding: every row empty, zero weights
    (7, False, 3, 7),
    (2, True, 0, 1),
]


def test_mask_builder_equals_the_library(masks_page: str, new_context: NewContext) -> None:
    """The mask is the AND of attention_book.masks' masks; the weights are the library's masked softmax."""
    page = open_page(new_context(), masks_page).page
    wait_for_widgets(page)
    widget = page.locator(".book-widget--masks")
    all_scores = torch.tensor(page_data(page)["scores"], dtype=torch.float64)
    length_slider, padding_slider, window_slider = widget.locator("input[type=range]").all()
    for length, causal, padding, window in MASK_SETTINGS:
        length_slider.fill(str(length))
        widget.locator("input[type=checkbox]").set_checked(causal)
        padding_slider.fill(str(padding))
        window_slider.fill(str(window))
        parts = [
            causal_mask(length) if causal else None,
            padding_mask(torch.tensor([length - padding]), length)[0] if padding else None,
            sliding_window_mask(length, window, causal=causal) if window else None,
        ]
        combined = combine_masks(*parts)
        everything = torch.ones(length, length, dtype=torch.bool)
        expected = everything if combined is None else combined.expand(length, length)
        what = f"L={length}, causal={causal}, padding={padding}, window={window}"
        shown = floats(page, ".book-widget--masks .bw-matrix--mask tbody td", "data-keep")
        assert shown == expected.flatten().int().tolist(), f"mask ({what}): shown {shown}"
        weights = masked_softmax(all_scores[:length, :length], expected)
        shown = floats(page, ".book-widget--masks .bw-matrix--weights tbody td")
        assert_close(shown, weights.flatten().tolist(), f"weights ({what})")
        mask = widgets.mask_builder_mask(length, causal=causal, padding=padding, window=window)
        assert torch.equal(expected, mask)
        kept = int(widget.locator(".bw-readout").get_attribute("data-kept") or "-1")
        assert kept == int(expected.sum()), f"the readout counts {kept} kept pairs ({what})"


# ---------------------------------------------------------------------------------------------------------
# The attention explorer
# ---------------------------------------------------------------------------------------------------------


def choose(page: Page, legend: str, label: str) -> None:
    """Click the chip ``label`` of the explorer's radio group ``legend`` (Model, Layer, Head)."""
    group = page.locator(".book-widget--explorer fieldset").filter(
        has=page.locator("legend", has_text=legend)
    )
    group.locator("label", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).click()


def shown_weights(page: Page, head: int, query: int) -> dict[str, list[float]]:
    """What the explorer shows for ``head``: its lines, its key bars and its matrix's row ``query``."""
    return page.evaluate(
        """([head, query]) => {
            const widget = document.querySelector('.book-widget--explorer');
            const keyOf = e => Number(e.dataset.key ?? e.closest('[data-key]').dataset.key);
            const values = sel => [...widget.querySelectorAll(sel)]
                .map(e => [keyOf(e), Number(e.dataset.weight)]);
            const keys = widget.querySelectorAll('.bw-key').length;
            const full = pairs => {
                const row = Array(keys).fill(0);
                for (const [key, weight] of pairs) row[key] = weight;
                return row;
            };
            const matrix = widget.querySelector(`svg.bw-matrix-view[data-head="${head}"]`);
            return {
                lines: full(values(`svg.bw-lines line[data-head="${head}"]`)),
                line_count: widget.querySelectorAll(`svg.bw-lines line[data-head="${head}"]`).length,
                bars: full(values(`.bw-keybar[data-head="${head}"]`)),
                matrix: full([...matrix.querySelectorAll(`rect[data-query="${query}"]`)]
                    .map(r => [Number(r.dataset.key), Number(r.dataset.weight)])),
                marker: [Number(matrix.querySelector('.bw-row-marker').getAttribute('y'))],
            };
        }""",
        [head, query],
    )


def assert_shows_row(
    page: Page, data: dict[str, Any], model: int, layer: int, heads: list[int], query: int
) -> None:
    """The head view and the matrix show exactly the JSON's row of ``query`` for each head in ``heads``."""
    drawn = page.eval_on_selector_all(
        ".book-widget--explorer svg.bw-lines line", "ls => [...new Set(ls.map(l => Number(l.dataset.head)))]"
    )
    assert sorted(drawn) == heads, f"lines drawn for heads {drawn}, expected {heads}"
    for head in heads:
        expected = widgets.explorer_row(data, model, layer, head, query)
        shown = shown_weights(page, head, query)
        where = f"model {model}, layer {layer}, head {head}, query {query}"
        assert shown["line_count"] == len(data["keys"]), f"{where}: one line per key"
        assert shown["lines"] == expected, (
            f"{where}: the lines show {shown['lines']}, the JSON has {expected}"
        )
        assert shown["bars"] == expected, f"{where}: the key bars show {shown['bars']}"
        assert shown["matrix"] == expected, f"{where}: the matrix row shows {shown['matrix']}"
        assert shown["marker"] == [query], f"{where}: the matrix marks row {shown['marker']}"
    selected = page.eval_on_selector_all(
        ".book-widget--explorer [role=option][aria-selected=true]",
        "os => os.map(o => Number(o.dataset.query))",
    )
    assert selected == [query], f"selected options {selected}, expected [{query}]"


def test_explorer_hover_and_focus_highlight_the_json_weights(
    explorer_page: str, new_context: NewContext
) -> None:
    """Pointing at a query token, or focusing it, shows exactly its row of the JSON, for each control."""
    page = open_page(new_context(), explorer_page).page
    wait_for_widgets(page)
    data = page_data(page)
    options = page.locator(".book-widget--explorer [role=option]")
    T = len(data["queries"])
    # As the page starts: its model, layer, head and query.
    assert_shows_row(page, data, 0, data["layer"], [data["head"]], data["query"])
    cases = [
        (m, layer, (m + layer) % data["heads"])
        for m in range(len(data["models"]))
        for layer in range(data["layers"])
    ]
    for model, layer, head in cases:
        if len(data["models"]) > 1:
            choose(page, "Model", data["models"][model]["name"])
        choose(page, "Layer", str(layer))
        choose(page, "Head", str(head))
        for query in (T - 1, T // 2):
            options.nth(query).hover()
            assert_shows_row(page, data, model, layer, [head], query)
        options.nth(3).focus()
        assert_shows_row(page, data, model, layer, [head], 3)
    choose(page, "Head", "all")
    options.nth(T - 2).hover()
    assert_shows_row(page, data, cases[-1][0], cases[-1][1], list(range(data["heads"])), T - 2)


def test_explorer_controls_change_the_view(explorer_page: str, new_context: NewContext) -> None:
    """Another head or layer draws other weights, and the readout says which."""
    page = open_page(new_context(), explorer_page).page
    wait_for_widgets(page)
    data = page_data(page)
    readout = page.locator(".book-widget--explorer .bw-readout")
    lines = ".book-widget--explorer svg.bw-lines line"
    views = {}
    for layer in range(data["layers"]):
        choose(page, "Layer", str(layer))
        for head in range(data["heads"]):
            choose(page, "Head", str(head))
            assert f"layer {layer}, head {head}" in readout.inner_text()
            views[layer, head] = tuple(floats(page, lines))
    assert len(set(views.values())) > 1, "every layer and head draws the same lines"


def test_explorer_follows_the_arrow_keys(explorer_page: str, new_context: NewContext) -> None:
    """In the query list, the arrow keys, Home and End move the selection, the focus and the weights."""
    page = open_page(new_context(), explorer_page).page
    wait_for_widgets(page)
    data = page_data(page)
    T = len(data["queries"])
    page.locator(".book-widget--explorer [role=option][tabindex='0']").focus()
    expected_query = data["query"]
    for key, move in (("Home", None), ("ArrowDown", 1), ("ArrowDown", 1), ("End", None), ("ArrowUp", -1)):
        page.keyboard.press(key)
        expected_query = 0 if key == "Home" else T - 1 if key == "End" else expected_query + (move or 0)
        focused = page.evaluate("Number(document.activeElement.dataset.query)")
        assert focused == expected_query, f"after {key} the focus is on query {focused}, not {expected_query}"
        assert_shows_row(page, data, 0, data["layer"], [data["head"]], expected_query)
    tabbable = page.eval_on_selector_all(
        ".book-widget--explorer [role=option][tabindex='0']", "os => os.length"
    )
    assert tabbable == 1, "the query list has one tab stop (a roving tabindex)"
