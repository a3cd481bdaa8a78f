"""Debian's headless Chromium under Playwright, for the browser tests."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from support.builds import TESTS, required

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
"""Debian's Chromium (installed by `make test`), never a downloaded one."""
ARTIFACTS = TESTS / "artifacts"
"""Screenshots of the browser tests (gitignored)."""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps"]


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium under Playwright (a clear failure, never a skip, when it is missing);
    screenshots go to ARTIFACTS."""
    from playwright.sync_api import sync_playwright

    required(Path(CHROMIUM), "Debian's chromium")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
