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

from .browsing import DESKTOP
from .support import (
    CHROMIUM_ARGS,
    INSTALL_HINT,
    PageInfo,
    browser_required,
    chromium_path,
    ensure_site,
    inventory,
    serve,
)

PAGE_SELECTIONS: dict[str, Callable[[PageInfo], bool]] = {
    "page_path": lambda info: True,
    "page_with_code": lambda info: info.has_code,
    "page_with_outputs": lambda info: info.has_listing_output,
    "page_with_notebook": lambda info: info.has_notebook_download,
}


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``browser`` marker."""
    config.addinivalue_line("markers", "browser: drives Chromium against the built site (tests/browser)")


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
