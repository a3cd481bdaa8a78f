"""A person in headless Chromium (Debian's, never a downloaded one): home → place → twinning → query page, served by
`twinkg serve`'s app in process over the session's embedded store (no server process: the pages and their scripts
are under test, not sockets).

Screenshots are kept in tests/artifacts/ (gitignored)."""

from __future__ import annotations

import pytest
from support.browser import APP_ORIGIN, ARTIFACTS, chromium, route_to_app
from support.inprocess import InProcessServer

pytestmark = [pytest.mark.slow, pytest.mark.browser]

def test_a_person_browses_and_queries(app_server: InProcessServer) -> None:
    from playwright.sync_api import expect

    outside: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        route_to_app(page, app_server.shared, outside)
        page.goto(APP_ORIGIN + "/")
        expect(page.locator("h1")).to_contain_text("town twinning")
        page.screenshot(path=str(ARTIFACTS / "1-home.png"), full_page=True)

        page.locator("#places a", has_text="Alpha Town").click()
        expect(page.locator("h1")).to_have_text("Alpha Town")
        expect(page.locator("svg.map")).to_be_visible()
        expect(page.locator(".timeline")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "2-place.png"), full_page=True)

        page.locator("a.twinning", has_text="Beta City").first.click()
        expect(page.locator(".kind")).to_have_text("Twinning")
        expect(page.locator("ol.events > li")).to_have_count(4)
        expect(page.locator(".conflict").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "3-twinning.png"), full_page=True)

        page.locator("header nav a", has_text="Query").click()
        example = page.locator("a.example", has_text="historical names")
        expect(example).to_be_visible()
        example.click()
        table = page.locator("#results table.results")
        expect(table).to_be_visible(timeout=10_000)
        expect(table).to_contain_text("Old Alpha")
        assert "historicalName" in page.locator("#query").input_value()
        page.screenshot(path=str(ARTIFACTS / "4-query.png"), full_page=True)
    assert outside == []  # everything is served locally: no CDN, no tiles
