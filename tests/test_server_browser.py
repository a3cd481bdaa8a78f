"""A person in headless Chromium (Debian's, never a downloaded one): home → place → twinning → query page.

Screenshots are kept in tests/artifacts/ (gitignored)."""

from __future__ import annotations

import pytest
from support.browser import ARTIFACTS, chromium
from support.processes import Server, mini_server

pytestmark = [pytest.mark.slow, pytest.mark.browser]

server = mini_server("browser")


def test_a_person_browses_and_queries(server: Server) -> None:
    from playwright.sync_api import expect

    outside: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None)
        page.goto(server.url + "/")
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
