"""Every example in a docstring of attention_book runs, and prints what the docstring says (doctest).

The API pages show these examples; the site guard accepts them because this test runs them.
"""

from __future__ import annotations

import doctest

import pytest
from site_guard import library_modules


def examples() -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder()
    return [test for module in library_modules() for test in finder.find(module) if test.examples]


def test_the_library_has_docstring_examples() -> None:
    assert len(examples()) >= 3


@pytest.mark.parametrize("test", examples(), ids=lambda test: test.name)
def test_docstring_example(test: doctest.DocTest) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    results: list[str] = []
    runner.run(test, out=results.append)
    assert runner.failures == 0, "".join(results)
