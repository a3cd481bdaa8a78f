"""Phones: no page is wider than the screen at 390 px (nor at 1280 px), in headless Chromium.

Every kind of page of the real curated build is opened at both widths; the document's scrollWidth must not exceed
the viewport's width (long IRIs wrap, wide tables scroll in their own box, maps and charts scale)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import expect
from support.browser import ARTIFACTS, at_rest
from support.processes import Server

from twinkg.vocab import TW

pytestmark = [pytest.mark.slow, pytest.mark.browser]

KINDS = {"event": TW + "Event", "actor": TW + "Actor", "source": TW + "Source"}


def one_of_each(server: Server) -> dict[str, str]:
    """A page of each resource kind the curated data has, found through the SPARQL endpoint."""
    pages = {}
    for name, cls in KINDS.items():
        r = server.get("/sparql", params={"query": f"SELECT ?s WHERE {{ ?s a <{cls}> }} ORDER BY ?s LIMIT 1"},
                       headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.text
        iri = r.json()["results"]["bindings"][0]["s"]["value"]
        pages[name] = "/page/" + iri.split("/twinkg/", 1)[1]
    return pages


def page_paths(server: Server) -> dict[str, str]:
    return {
        "home": "/",
        "place": "/page/id/place/coventry",
        "twinning": "/page/id/twinning/coventry--volgograd",
        **one_of_each(server),
        "concept": "/page/vocab/status/active",
        "dataset": "/dataset",
        "query": "/query",
        "query-result": "/query?query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 50"),
        "ontology": "/ontology",
        "statistics": "/statistics",
        "places": "/places",
        "twinnings": "/twinnings",
        "twinnings-filtered": "/twinnings?status=suspended&decade=1940s",
        "search": "/search?q=grad",
        "not-found": "/page/id/place/no-such-place",
    }


@pytest.mark.parametrize("width", [390, 1280])
def test_no_page_is_wider_than_the_screen(curated_server: Server, width: int, new_context: Callable[..., Any]) -> None:
    urls = {name: curated_server.url + path for name, path in page_paths(curated_server).items()}
    too_wide = {}
    for name, page in at_rest(new_context(viewport={"width": width, "height": 900}), urls).items():
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            too_wide[name] = scroll
            page.screenshot(path=str(ARTIFACTS / f"phone-{width}-{name}.png"), full_page=True)
    assert too_wide == {}, f"pages wider than {width} px (scrollWidth by page): {too_wide}"


def test_chart_text_stays_readable_on_a_phone(curated_server: Server, new_page: Callable[..., Any]) -> None:
    """A chart wider than the screen scrolls in its own box rather than shrinking its labels (drawn at 10-11 px) below 10 px."""
    page = new_page(viewport={"width": 390, "height": 900})
    page.goto(curated_server.url + "/statistics")
    heights = page.evaluate("""() => [...document.querySelectorAll('svg.chart text')]
        .map(t => t.getBoundingClientRect().height).filter(h => h > 0)""")
    assert heights and min(heights) >= 10, min(heights)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_place_index_names_its_country(curated_server: Server) -> None:
    assert "<h1>Places in United Kingdom</h1>" in curated_server.get("/places", params={"country": "GB"}).text


COVENTRY = "https://w3id.org/twinkg/id/place/coventry"
WORKBENCH_VIEWS = {
    "map": (f"SELECT ?partner ?wkt WHERE {{ ?t a tw:Twinning ; tw:partner <{COVENTRY}>, ?partner "
            f"FILTER(?partner != <{COVENTRY}>) ?partner geo:hasGeometry/geo:asWKT ?wkt }}", "svg.result-map"),
    "chart": ("SELECT ?country (COUNT(?p) AS ?places) WHERE { ?p a tw:Place ; tw:country ?country } GROUP BY ?country",
              "svg.chart"),
    "timeline": ("SELECT ?twinning ?start WHERE { ?twinning a tw:Twinning ; tw:startEarliest ?start } LIMIT 40",
                 "svg.timeline-chart"),
    "graph": (f"SELECT ?place ?partner WHERE {{ BIND(<{COVENTRY}> AS ?place) ?t a tw:Twinning ; "
              "tw:partner ?place, ?partner FILTER(?partner != ?place) }", "svg.graph-chart"),
}


@pytest.mark.parametrize("width", [390, 1280])
def test_the_workbench_views_fit_the_screen(curated_server: Server, width: int, new_page: Callable[..., Any]) -> None:
    """Each result view of the query page, drawn (waited for, not read at its first state), keeps the page within the
    screen: wide charts scroll in their own box, maps scale."""
    too_wide = {}
    page = new_page(viewport={"width": width, "height": 900})
    for view, (query, drawn) in WORKBENCH_VIEWS.items():
        page.goto(curated_server.url + "/query?" + urlencode({"query": query, "view": view}))
        expect(page.locator("#workbench")).to_have_attribute("aria-busy", "false", timeout=20_000)
        expect(page.locator(f"#view-{view}")).to_have_attribute("aria-pressed", "true")
        expect(page.locator(drawn)).to_be_visible()
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            too_wide[view] = scroll
            page.screenshot(path=str(ARTIFACTS / f"phone-{width}-query-{view}.png"), full_page=True)
    assert too_wide == {}, f"workbench views wider than {width} px: {too_wide}"
