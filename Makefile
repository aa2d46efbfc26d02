# The attention book: two commands do all the set-up.
#   make serve   create .venv, install the pinned dependencies, build and serve the book
#   make test    the same set-up, then a strict build and every test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The install stamp is keyed on the content of the pin file and pyproject.toml:
# running again with nothing changed installs nothing.
PIN_HASH := $(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(PIN_HASH)
# MathJax typesets the formulas at build time under Node (package-lock.json pins it).
NODE_HASH := $(shell cat package-lock.json | sha256sum | cut -c1-16)
NODE_STAMP := node_modules/.installed-$(NODE_HASH)
SCREENSHOTS := build/screenshots
# Material prints a banner about its end of life (May 2027) on every build; the README covers the move.
export NO_MKDOCS_2_WARNING := 1

.PHONY: install serve build test lint screenshots clean

install: $(STAMP) $(NODE_STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# Byte-compile on both cores afterwards rather than file by file inside pip (50 -> 45 s here). Like pip,
	# it passes over files this Python cannot compile (torch ships one written for Python 3.12).
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements.lock
	-$(BIN)/python -m compileall -q -j 0 $$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

serve: install
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

build: install
	$(BIN)/mkdocs build --strict

lint: install
	$(BIN)/ruff check attention_book tests snippets figures widgets docs build_hooks.py listing_runner.py
	$(BIN)/ruff format --check attention_book tests snippets figures widgets docs build_hooks.py listing_runner.py
	$(BIN)/mypy

# Lint runs beside the build: the build leaves a core idle while it loads and while it writes the pages.
test: install
	$(MAKE) --no-print-directory --output-sync=target -j 2 lint build
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not screenshots" --codeblocks tests docs

# Full-page screenshots of every page and widget (light and dark, desktop and phone), for a person to
# look at; not a check, so not part of `make test`.
screenshots: install build
	SCREENSHOTS=$(SCREENSHOTS) $(BIN)/python -m pytest -n 2 --dist loadgroup -m screenshots -q tests/browser
	@echo "Screenshots of every page (light/dark, desktop/phone): $(SCREENSHOTS)/"

clean:
	rm -rf site .cache build
