"""Browser tests of the built site (issue #5): every page, both palettes, desktop and phone widths.

They drive Debian's Chromium through Playwright against ``site/`` served on 127.0.0.1, offline.
Run them alone with ``pytest -m browser``; they are skipped when Chromium is not installed.
"""
