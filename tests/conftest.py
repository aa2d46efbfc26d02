"""Fixtures shared by every test module: a warm interpreter to run the book's listings in."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from listing_runner import WarmPool  # noqa: E402


@pytest.fixture(scope="session")
def warm_python() -> Iterator[WarmPool]:
    """Runs a listing as its own program, forked from an interpreter that has imported the library.

    One per pytest-xdist worker (the workers already keep both cores busy).
    ``BOOK_FRESH_INTERPRETER=1`` makes it start a fresh interpreter per listing instead.
    """
    with WarmPool(workers=1) as pool:
        yield pool
