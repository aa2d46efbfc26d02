"""Fixtures of the browser tests: the site on a local server, one Chromium per session, fresh contexts.

Tests ask for the pages they check by argument name, and are parametrized with one page path per test
(the path is the test id, so a failure names its page):

* ``page_path``: every page of the site;
* ``page_with_code``: pages with at least one code block;
* ``page_with_outputs``: pages with at least one listing followed by its captured output;
* ``page_with_notebook``: pages that offer a notebook for download.

Without Chromium the tests are skipped with a hint on how to install it, or fail where the environment
variable ``REQUIRE_BROWSER=1`` says a browser must be there (CI).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, sync_playwright

from .browsing import DESKTOP, PHONE, Visit, open_page
from .support import (
    CHROMIUM_ARGS,
    INSTALL_HINT,
    PageInfo,
    browser_required,
    chromium_path,
    ensure_site,
    html_file,
    inventory,
    serve,
)

PAGE_SELECTIONS: dict[str, Callable[[PageInfo], bool]] = {
    "page_path": lambda info: True,
    "page_with_code": lambda info: info.has_code,
    "page_with_outputs": lambda info: info.has_listing_output,
    "page_with_notebook": lambda info: info.has_notebook_download,
}


def _page_of(item: pytest.Item) -> str:
    """The page a test checks (its page parameter), or "" for a test of the site as a whole."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    return next((str(params[name]) for name in PAGE_SELECTIONS if name in params), "")


def _page_size(path: str) -> int:
    """Bytes of a page's HTML (0 for a test of the site as a whole): what its checks cost grows with it."""
    if not path or path == "None":
        return 0
    page = html_file(path)
    return page.stat().st_size if page.is_file() else 0


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the browser tests page by page: all checks of one page, then the next page.

    The largest pages come first: their checks take longest, and a long page handed out last would keep
    one worker busy while the other has nothing left to do.

    Checks that only look at a page then share one load of it (``shared_pages.get``). Within a page the
    tests keep the order of the files, except that the checks which take a shared tab over and change it
    (``@pytest.mark.takes_shared_page``) come after every check that only reads it. Tests outside
    tests/browser keep their places, before these.
    """
    browser = [item for item in items if item.get_closest_marker("browser")]
    if not browser:
        return
    others = [item for item in items if not item.get_closest_marker("browser")]
    position = {id(item): index for index, item in enumerate(browser)}
    page = {id(item): _page_of(item) for item in browser}
    size = {path: _page_size(path) for path in set(page.values())}
    browser.sort(
        key=lambda item: (
            -size[page[id(item)]],
            page[id(item)],
            item.get_closest_marker("takes_shared_page") is not None,
            position[id(item)],
        )
    )
    # One xdist group per page: under ``--dist loadgroup`` a page's checks run on one worker, in this
    # order, sharing its loads, while the workers take pages as they become free.
    for item in browser:
        item.add_marker(pytest.mark.xdist_group(f"page:{page[id(item)]}"))
    items[:] = others + browser


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``browser`` marker."""
    config.addinivalue_line("markers", "browser: drives Chromium against the built site (tests/browser)")
    config.addinivalue_line(
        "markers", "takes_shared_page: changes a tab of shared_pages, so runs after the page's readers"
    )
    config.addinivalue_line(
        "markers", "screenshots: writes screenshots for a person to look at (make screenshots)"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize page arguments with the paths of the pages they select."""
    for argname, selects in PAGE_SELECTIONS.items():
        if argname not in metafunc.fixturenames:
            continue
        if chromium_path() is None and not browser_required():
            # Do not build a site that no browser will look at.
            metafunc.parametrize(argname, [pytest.param(None, id="no-browser")])
            continue
        paths = [info.path for info in inventory() if selects(info)]
        metafunc.parametrize(argname, paths, ids=paths)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the Chromium executable; skips (or fails, under REQUIRE_BROWSER=1) without one."""
    path = chromium_path()
    if path is None:
        if browser_required():
            pytest.fail(f"REQUIRE_BROWSER=1 but {INSTALL_HINT}")
        pytest.skip(INSTALL_HINT)
    return path


@pytest.fixture(scope="session")
def base_url(chromium: str) -> Iterator[str]:
    """The built site served over HTTP on 127.0.0.1 (built first if ``site/`` is missing)."""
    with serve(ensure_site()) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Browser]:
    """One headless Chromium for the whole session (per pytest-xdist worker)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_context(browser: Browser, base_url: str) -> Iterator[Callable[..., BrowserContext]]:
    """Make fresh browser contexts (closed after the test).

    ``new_context(scheme="light", viewport=DESKTOP, **options)`` gives a context whose system colour
    preference is ``scheme``: Material's palette starts in its "system" state, so the page follows it.
    """
    contexts: list[BrowserContext] = []

    def make(scheme: str = "light", viewport: dict[str, int] | None = None, **options: Any) -> BrowserContext:
        context = browser.new_context(
            color_scheme=scheme, viewport=viewport or DESKTOP, base_url=base_url, **options
        )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


VIEWS = {"desktop": DESKTOP, "phone": PHONE}


class SharedPages:
    """One loaded tab per palette and width of the page under test, shared by the checks.

    Opening a page in Chromium is most of what a check costs. The checks that read a page without
    changing it (console, images, math, links, overflow, axe, screenshots, listings, weight) ``get`` the
    same tab. A check that changes the page (copy buttons, palette toggle, navigation) ``take``s a tab
    over instead: it is no longer shared, and such checks are ordered after the page's readers
    (``@pytest.mark.takes_shared_page``). When a test asks for another page, every tab of the previous
    one is closed. Each tab's context may read and write the clipboard.
    """

    def __init__(self, browser: Browser, base_url: str) -> None:
        self._browser = browser
        self._base_url = base_url
        self._path: str | None = None
        self._visits: dict[tuple[str, str], Visit] = {}
        self._taken: list[Visit] = []

    def get(self, path: str, scheme: str = "light", view: str = "desktop") -> Visit:
        """The page at ``path``, palette ``scheme`` ("light", "dark"), width ``view`` ("desktop", "phone")."""
        if path != self._path:
            self.close()
            self._path = path
        if (scheme, view) not in self._visits:
            context = self._browser.new_context(
                color_scheme=scheme, viewport=VIEWS[view], base_url=self._base_url
            )
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=self._base_url)
            # The light desktop tab's record is what test_page_loads_cleanly and test_page_weight read:
            # it waits for the network to go quiet (requests after the load event). The others are
            # read for what they show, once their images are in.
            first_visit = (scheme, view) == ("light", "desktop")
            self._visits[scheme, view] = open_page(context, path, until_idle=first_visit)
        return self._visits[scheme, view]

    def take(self, path: str, scheme: str = "light", view: str = "desktop") -> Visit:
        """Like :meth:`get`, but the tab is the caller's to change: no later check reads it."""
        visit = self.get(path, scheme, view)
        self._taken.append(self._visits.pop((scheme, view)))
        return visit

    def close(self) -> None:
        for visit in [*self._visits.values(), *self._taken]:
            visit.page.context.close()
        self._visits.clear()
        self._taken.clear()


@pytest.fixture(scope="session")
def shared_pages(browser: Browser, base_url: str) -> Iterator[SharedPages]:
    """The session's :class:`SharedPages`."""
    pages = SharedPages(browser, base_url)
    yield pages
    pages.close()
