"""Debian's headless Chromium under Playwright, for the browser tests; `route_to_app` puts it on an app in process."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

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


def at_rest(context: Any, urls: dict[str, str]) -> dict[str, Any]:
    """Each of `urls` (by name) in a page of its own in `context` (a Playwright browser context), returned once every
    page is at rest: loaded, then Playwright's "networkidle" (no request for 500 ms, so that what the pages' scripts
    fetch has come). The pages are opened together and wait out their quiet half-second side by side, not one after
    another, in one context (a context of its own for each page costs a third of a second more)."""
    pages = {}
    for name, url in urls.items():
        page = context.new_page()
        page.goto(url)
        pages[name] = page
    for page in pages.values():
        page.wait_for_load_state("networkidle")
    return pages


APP_ORIGIN = "http://twinkg.test"
"""Where a page served by `route_to_app` seems to come from (no socket: nothing listens there)."""


def route_to_app(page: Any, app: TestClient, outside: list[str]) -> None:
    """Serve every request of a Playwright page from the app in this process (Starlette's TestClient) at
    APP_ORIGIN: the browser runs the pages' scripts under their real headers (CSP included) with no server
    process. A request to any other address is recorded in `outside` and refused."""
    def handle(route: Any) -> None:
        request = route.request
        if not request.url.startswith(APP_ORIGIN + "/"):
            outside.append(request.url)
            route.abort()
            return
        answer = app.request(request.method, request.url, headers=request.headers, content=request.post_data_buffer)
        # httpx has already decoded the body: the browser must not decode it again.
        headers = {k: v for k, v in answer.headers.items() if k not in ("content-encoding", "content-length")}
        route.fulfill(status=answer.status_code, headers=headers, body=answer.content)

    page.route("**/*", handle)
