"""Playwright helpers: open a page while recording what it does, let it settle, switch its palette.

The JavaScript the tests run inside pages lives here too, as small named functions, so that the tests
read as what they check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Locator, Page, Request, Response
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

LOAD_TIMEOUT_MS = 30_000
SETTLE_TIMEOUT_MS = 15_000
PALETTE_TOGGLE = 'label.md-header__button[for^="__palette"]'
SCHEMES = {"light": "default", "dark": "slate"}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


@dataclass
class Recorder:
    """Everything a page did while it loaded: requests, failures, console errors, uncaught exceptions."""

    requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    error_responses: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        """Start listening to ``page``'s events."""
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)
        page.on("console", self._on_console)
        page.on("pageerror", self._on_page_error)

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _on_request_failed(self, request: Request) -> None:
        self.failed_requests.append(f"{request.url} ({request.failure})")

    def _on_response(self, response: Response) -> None:
        self.responses.append(response)
        if response.status >= 400:
            self.error_responses.append(f"{response.url} (HTTP {response.status})")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location
            self.console_errors.append(
                f"{message.text} (at {location.get('url')}:{location.get('lineNumber')})"
            )

    def _on_page_error(self, error: PlaywrightError) -> None:
        frames = [line.strip() for line in (error.stack or "").splitlines()[1:] if line.strip()]
        self.page_errors.append(f"{error.message} ({frames[0] if frames else 'no stack'})")

    def bytes_transferred(self) -> dict[str, int]:
        """Bytes of each response received so far (headers and body as sent), by URL."""
        sizes: dict[str, int] = {}
        for response in self.responses:
            size = response.request.sizes()
            sizes[response.url] = (
                sizes.get(response.url, 0) + size["responseHeadersSize"] + size["responseBodySize"]
            )
        return sizes

    def foreign_requests(self, base_url: str) -> list[str]:
        """Requests to any host but the local server (``data:`` and ``blob:`` URLs are not requests)."""
        origin = urlsplit(base_url)[:2]
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url)[:2] != origin
        ]


@dataclass
class Visit:
    """A page opened in a browser tab, with the response of its document and what it did."""

    page: Page
    status: int | None
    recorder: Recorder


def open_page(context: BrowserContext, url: str, until_idle: bool = False) -> Visit:
    """Open ``url`` in a new tab of ``context``, recording everything, and wait until it has settled.

    ``until_idle`` also waits for the network to stay quiet for half a second, so that requests made
    after the load event (by Material's scripts) are recorded too.
    """
    page = context.new_page()
    page.set_default_timeout(SETTLE_TIMEOUT_MS)
    recorder = Recorder()
    recorder.attach(page)
    wait_until = "networkidle" if until_idle else "load"
    response = page.goto(url, wait_until=wait_until, timeout=LOAD_TIMEOUT_MS)
    settle(page)
    return Visit(page=page, status=response.status if response else None, recorder=recorder)


def settle(page: Page) -> None:
    """Wait until every image has loaded (or failed to); the formulas arrive typeset in the HTML.

    Figures load lazily, as the reader scrolls to them: every rendered image is asked for at once here
    (as if the reader had scrolled through the page), the other palette's figures (not rendered) never.
    Waiting gives up quietly after a while: the tests then report what is still missing.
    """
    page.evaluate(
        """() => {
            for (const img of document.images) if (img.getClientRects().length) img.loading = 'eager';
        }"""
    )
    try:
        # Only images that are rendered: the other palette's figure (display: none) loads lazily, that
        # is never, and would never be complete.
        page.wait_for_function(
            "[...document.images].every(img => img.complete || img.getClientRects().length === 0)",
            timeout=SETTLE_TIMEOUT_MS,
        )
    except PlaywrightTimeoutError:
        pass


RAW_TEX = re.compile(
    r"\\\(|\\\)|\\\[|\\\]|\$\$"  # MathJax's delimiters
    r"|\\(?:begin|end)\{|\\[A-Za-z]+\{"  # environments and commands with an argument (\frac{, \text{)
    r"|\\(?:frac|sqrt|sum|prod|cdot|times|mathbf|mathrm|top|alpha|beta|softmax|exp|log|in|le|ge)\b"
    r"|(?<![\\$\w])\$[^\s$](?:[^$\n]*[^\s$\\])?\$(?!\w)"  # $...$ as TeX writes inline math
)


def visible_text_outside_math(page: Page) -> list[dict[str, str]]:
    """Rendered text nodes of ``.md-content`` outside typeset math and code, with where they are."""
    return page.evaluate(
        "() => {"
        + describe_element_js()
        + """
            const content = document.querySelector('.md-content');
            if (!content) return [];
            const skip = 'mjx-container, pre, code, script, style, textarea, kbd, samp';
            const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
            const texts = [];
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const parent = node.parentElement;
                if (!parent || parent.closest(skip) || !node.textContent.trim()) continue;
                if (!parent.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
                texts.push({text: node.textContent, where: describe(parent)});
            }
            return texts;
        }"""
    )


def raw_tex(page: Page) -> list[str]:
    """Visible text outside typeset math and code that still looks like TeX, with where it is."""
    return [
        f"{item['where']}: {item['text'].strip()[:120]!r}"
        for item in visible_text_outside_math(page)
        if RAW_TEX.search(item["text"])
    ]


def math_counts(page: Page) -> dict[str, int]:
    """How many formulas the page marks, how many MathJax typeset, and how many it could not."""
    return page.evaluate(
        """() => ({
            arithmatex: document.querySelectorAll('.arithmatex').length,
            untypeset: [...document.querySelectorAll('.arithmatex')]
                .filter(el => !el.querySelector('mjx-container')).length,
            typeset: document.querySelectorAll('mjx-container').length,
            errors: document.querySelectorAll("mjx-merror, [data-mml-node=merror]").length,
        })"""
    )


def wait_for_formulas(page: Page) -> None:
    """Wait (a while, then give up quietly) until every ``.arithmatex`` formula holds typeset math."""
    try:
        page.wait_for_function(
            "[...document.querySelectorAll('.arithmatex')].every(el => el.querySelector('mjx-container'))",
            timeout=SETTLE_TIMEOUT_MS,
        )
    except PlaywrightTimeoutError:
        pass


def instant_navigation_enabled(page: Page) -> bool:
    """Whether the site turns on Material's instant navigation (``navigation.instant``)."""
    return page.evaluate(
        """() => {
            const config = document.getElementById('__config');
            return !!config && JSON.parse(config.textContent).features.includes('navigation.instant');
        }"""
    )


def follow_link(page: Page, link: Locator) -> bool:
    """Click ``link`` as a reader would and wait for its page; True if the tab was not reloaded.

    With Material's instant navigation the click fetches the new page and swaps it in without a reload;
    a marker set on ``window`` before the click survives only then.
    """
    target = link.evaluate("a => new URL(a.href).pathname")
    # Material updates the address before it swaps the content in: wait for the new content element too.
    page.evaluate(
        "window.__bookNotReloaded = true; window.__bookOldContent = document.querySelector('.md-content')"
    )
    same_page = page.evaluate("location.pathname") == target
    link.click()
    page.wait_for_function(
        """([path, samePage]) => location.pathname === path
            && (samePage || document.querySelector('.md-content') !== window.__bookOldContent)""",
        arg=[target, same_page],
    )
    page.wait_for_load_state("networkidle")
    wait_for_formulas(page)
    return page.evaluate("window.__bookNotReloaded === true")


def color_scheme(page: Page) -> str | None:
    """Material's colour scheme of the page: ``default`` (light) or ``slate`` (dark)."""
    return page.evaluate("document.body.getAttribute('data-md-color-scheme')")


def switch_palette(page: Page, scheme: str) -> None:
    """Click the header's palette toggle, as a reader would, until the page shows ``scheme``.

    The toggle cycles through three states (system, light, dark), so three clicks reach any of them.
    ``scheme`` is ``light`` or ``dark``.
    """
    wanted = SCHEMES[scheme]
    for _ in range(3):
        if color_scheme(page) == wanted:
            return
        page.locator(PALETTE_TOGGLE).filter(visible=True).first.click()
    assert color_scheme(page) == wanted, f"three clicks on the palette toggle did not reach {scheme}"


def describe_element_js() -> str:
    """A JavaScript function ``describe(el)`` naming an element as ``tag#id.class`` for messages."""
    return """
        const describe = el => {
            if (!el || !el.tagName) return String(el);
            let name = el.tagName.toLowerCase();
            if (el.id) name += '#' + el.id;
            const classes = (el.getAttribute('class') || '').trim().split(/\\s+/).filter(Boolean);
            if (classes.length) name += '.' + classes.slice(0, 3).join('.');
            return name;
        };
    """


def assert_none(problems: list[str], what: str) -> None:
    """Fail listing every problem, one per line, under the heading ``what``, if there is any."""
    assert not problems, f"{what}:\n  " + "\n  ".join(problems)
