"""Everything the browser tests need that is not a browser: the built site, its pages, a local server.

The tests are parametrized per page at collection time, so the site must exist before the fixtures run:
:func:`ensure_site` builds it (once, under a file lock shared by the pytest-xdist workers) when ``site/``
is missing. :func:`inventory` reads each page's static HTML to tell which checks apply to it.
"""

from __future__ import annotations

import fcntl
import functools
import gzip
import os
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("BOOK_SITE", ROOT / "site"))  # another built copy of the book, if set
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = "Chromium is not installed: apt-get update && apt-get install -y chromium"


# ---------------------------------------------------------------------------------------------------------
# Chromium
# ---------------------------------------------------------------------------------------------------------


def chromium_path() -> str | None:
    """Debian's Chromium, at /usr/bin/chromium or anywhere on PATH; None when it is not installed."""
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def browser_required() -> bool:
    """True where a missing browser must fail the tests instead of skipping them (CI sets it)."""
    return os.environ.get("REQUIRE_BROWSER") == "1"


# ---------------------------------------------------------------------------------------------------------
# The built site
# ---------------------------------------------------------------------------------------------------------


@contextmanager
def _build_lock() -> Iterator[None]:
    """An exclusive lock shared by every process that might build the site at the same time."""
    lock_path = ROOT / "build" / ".site-build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@functools.cache
def ensure_site() -> Path:
    """Return ``site/``, building it with ``mkdocs build --strict`` first if it does not exist."""
    with _build_lock():
        if not (SITE / "index.html").is_file():
            env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
            mkdocs = Path(sys.executable).with_name("mkdocs")
            subprocess.run([str(mkdocs), "build", "--strict", "-d", str(SITE)], cwd=ROOT, env=env, check=True)
    return SITE


def page_paths() -> list[str]:
    """URL paths of every page, such as ``/`` and ``/foundations/attention-by-hand/``.

    They come from ``sitemap.xml`` (which lists exactly the pages) or, where there is none, from every
    ``index.html`` under ``site/``.
    """
    site = ensure_site()
    sitemap = site / "sitemap.xml"
    if sitemap.is_file():
        namespace = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        locations = ElementTree.parse(sitemap).getroot().findall("sm:url/sm:loc", namespace)
        return sorted(urlsplit(loc.text.strip()).path for loc in locations if loc.text)
    pages = (path.parent.relative_to(site).as_posix() for path in site.rglob("index.html"))
    return sorted("/" if page == "." else f"/{page}/" for page in pages)


def html_file(path: str) -> Path:
    """The built HTML file of a page path."""
    return ensure_site() / path.lstrip("/") / "index.html"


class _ClassFinder(HTMLParser):
    """Collects the set of CSS classes used anywhere in a document."""

    def __init__(self) -> None:
        super().__init__()
        self.classes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "class" and value:
                self.classes.update(value.split())


@dataclass(frozen=True)
class PageInfo:
    """What a page contains, read from its static HTML: decides which checks it gets."""

    path: str
    has_listing_output: bool
    has_code: bool
    has_notebook_download: bool


@functools.cache
def inventory() -> tuple[PageInfo, ...]:
    """One :class:`PageInfo` per page of the site."""
    infos = []
    for path in page_paths():
        finder = _ClassFinder()
        finder.feed(html_file(path).read_text(encoding="utf-8"))
        infos.append(
            PageInfo(
                path=path,
                has_listing_output="book-output" in finder.classes,
                has_code="highlight" in finder.classes,
                has_notebook_download="notebook-download" in finder.classes,
            )
        )
    return tuple(infos)


def slug(path: str) -> str:
    """A file-name-safe name for a page path: ``/`` -> ``index``, ``/a/b/`` -> ``a--b``."""
    return path.strip("/").replace("/", "--") or "index"


# ---------------------------------------------------------------------------------------------------------
# The local server
# ---------------------------------------------------------------------------------------------------------


COMPRESSED_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")


@functools.lru_cache(maxsize=512)
def _gzipped(path: Path, mtime_ns: int) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves the site's files quietly, compressed as a static host serves them, with a local sitemap.

    * Text files (HTML, CSS, JavaScript, JSON, SVG, XML) go out gzip-compressed to a client that accepts
      it, as GitHub Pages, Netlify or any nginx set-up sends them: the page weight the tests measure is
      what a reader downloads.
    * The sitemap names pages under ``site_url`` (``http://127.0.0.1:8000/``), but the tests serve on a
      free port. Material's instant navigation only takes over links that the sitemap lists *on the page's
      own origin*; rewriting the sitemap serves the site as if it were deployed at ``site_url``, so instant
      navigation works here as it does for readers.
    """

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/sitemap.xml":
            text = (Path(self.directory) / "sitemap.xml").read_text(encoding="utf-8")
            own_origin = f"http://{self.server.server_address[0]}:{self.server.server_address[1]}"
            body = re.sub(r"<loc>\s*https?://[^/<]+", f"<loc>{own_origin}", text).encode("utf-8")
            self._send(body, "application/xml", compressed=False)
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir() and (path / "index.html").is_file() and urlsplit(self.path).path.endswith("/"):
            path = path / "index.html"
        content_type = self.guess_type(str(path))
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (path.is_file() and wants_gzip and content_type.startswith(COMPRESSED_TYPES)):
            super().do_GET()
            return
        self._send(_gzipped(path, path.stat().st_mtime_ns), content_type, compressed=True)

    def _send(self, body: bytes, content_type: str, compressed: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if compressed:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _SiteServer(ThreadingHTTPServer):
    """The local server; a tab closed while a file was on its way is not an error worth a traceback."""

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):  # reset or broken pipe: the tab went away
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 with a free port in a background thread; yield its base URL."""
    handler = functools.partial(_SiteHandler, directory=str(directory))
    server = _SiteServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
