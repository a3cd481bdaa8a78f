"""Search as you type: the place-name index (server/names.py), its JSON route /search.json over the real curated
build, and the header's search box in Chromium (keyboard only), which still works as a plain form without
JavaScript."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pyoxigraph as ox
import pytest
from playwright.sync_api import expect
from support.browser import chromium
from support.processes import Server

from twinkg.server.names import Name, NameIndex, PlaceFacts, normalised
from twinkg.server.views import suggest
from twinkg.store import Row


def index() -> NameIndex:
    places = [PlaceFacts("p/kyiv", "Kyiv", "Ukraine", "UA", "city", 49, "Q1899"),
              PlaceFacts("p/volgograd", "Volgograd", "Russia", "RU", "city", 29, "Q914"),
              PlaceFacts("p/paris-tx", "Paris", "United States", "US", "city", 2),
              PlaceFacts("p/paris", "Paris", "France", "FR", "city", 80),
              PlaceFacts("p/bad-kissingen", "Bad Kissingen", "Germany", "DE", "town", 5),
              PlaceFacts("p/sfantu", "Sfântu Gheorghe", "Romania", "RO", "city", 8)]
    names = [(0, Name("Kyiv")), (0, Name("Kiev", "alternative")), (1, Name("Volgograd")),
             (1, Name("Stalingrad", "former", period="1925–1961")), (1, Name("Wolgograd", "alternative", "de")),
             (2, Name("Paris")), (3, Name("Paris")), (4, Name("Bad Kissingen")),
             (5, Name("Sfântu Gheorghe")), (5, Name("Sankt Georgen", "undetermined", "und"))]
    return NameIndex(places, names)


def labels(found: list[Any]) -> list[str]:
    return [f"{s.place.label}/{s.place.country_code}" for s in found]


def test_names_are_compared_without_case_accents_or_punctuation() -> None:
    assert normalised("  Sfântu-Gheorghe ") == "sfantu gheorghe"
    assert normalised("KYÏV") == "kyiv"
    assert labels(index().suggest("sfantu")) == ["Sfântu Gheorghe/RO"]


def test_any_name_finds_its_place_and_says_which_name_matched() -> None:
    idx = index()
    stalingrad = idx.suggest("Stalingrad")
    assert labels(stalingrad) == ["Volgograd/RU"]
    assert stalingrad[0].matched == Name("Stalingrad", "former", period="1925–1961")
    assert idx.suggest("kiev")[0].matched.how == "alternative"  # type: ignore[union-attr]
    assert idx.suggest("sankt geo")[0].matched.how == "undetermined"  # type: ignore[union-attr]
    assert idx.suggest("Kyiv")[0].matched is None  # its own label: nothing more to say
    assert labels(idx.suggest("q914")) == ["Volgograd/RU"]  # a Q-id, any case
    assert idx.suggest("Q5") == [] and idx.suggest("   ") == []


def test_namesakes_best_connected_first_and_name_starts_before_inner_matches() -> None:
    idx = index()
    assert labels(idx.suggest("paris")) == ["Paris/FR", "Paris/US"]
    # "kis": Bad Kissingen at a word start; "gra": Volgograd only inside a word, after nothing better
    assert labels(idx.suggest("kis")) == ["Bad Kissingen/DE"]
    assert labels(idx.suggest("ki")) == ["Kyiv/UA", "Bad Kissingen/DE"]  # Kiev starts with it; Kissingen's word does
    assert labels(idx.suggest("gra")) == ["Volgograd/RU"]
    assert len(idx.suggest("a", limit=2)) == 2


def test_the_index_is_built_once_per_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []

    async def select(config: Any, query: str) -> list[Row]:
        asked.append(query)
        if query == suggest.NAMES:
            return [Row({"p": ox.NamedNode("http://example.org/p/a"), "name": ox.Literal("Alpha"), "how": ox.Literal("name")})]
        return []

    monkeypatch.setattr(suggest, "select", select)
    digest = ["one"]
    cache = SimpleNamespace(digest=lambda config: digest[0])
    holder = suggest.IndexHolder()

    async def twice() -> None:
        await asyncio.gather(holder.get(None, cache), holder.get(None, cache))  # type: ignore[arg-type]

    asyncio.run(twice())
    assert len(asked) == 3  # names, facts, links: once for two requests
    asyncio.run(holder.get(None, cache))  # type: ignore[arg-type]
    assert len(asked) == 3
    digest[0] = "two"  # a new build served
    asyncio.run(holder.get(None, cache))  # type: ignore[arg-type]
    assert len(asked) == 6


def suggestions(server: Server, q: str) -> list[dict[str, Any]]:
    r = server.get("/search.json", params={"q": q})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    found: list[dict[str, Any]] = r.json()["suggestions"]
    return found


@pytest.mark.slow
def test_the_route_over_the_curated_build(curated_server: Server) -> None:
    kyiv = suggestions(curated_server, "Kyiv")[0]
    assert kyiv["href"] == "/page/id/place/kyiv" and kyiv["countryCode"] == "UA" and kyiv["country"] == "Ukraine"
    assert kyiv["type"] == "city" and kyiv["links"] > 10
    volgograd = suggestions(curated_server, "stalingrad")[0]
    assert volgograd["href"] == "/page/id/place/volgograd"
    assert volgograd["matched"]["name"] == "Stalingrad" and volgograd["matched"]["how"] == "former"
    assert suggestions(curated_server, "Q656")[0]["href"] == "/page/id/place/saint-petersburg"
    # a name of undetermined language (the 2016 crawl's @und labels) that is not the place's display label
    r = curated_server.get("/sparql", headers={"Accept": "application/sparql-results+json"}, params={"query": """
        SELECT ?p ?name WHERE { ?p a tw:Place ; rdfs:label ?name ; rdfs:label ?en
        FILTER(LANG(?name) = "und" && LANG(?en) = "en" && LCASE(STR(?en)) != LCASE(STR(?name))) } ORDER BY ?p LIMIT 1"""})
    row = r.json()["results"]["bindings"][0]
    found = [s for s in suggestions(curated_server, row["name"]["value"]) if s["iri"] == row["p"]["value"]]
    assert found and found[0]["matched"]["how"] == "undetermined"
    assert curated_server.get("/search.json", params={"q": ""}).json()["suggestions"] == []


@pytest.mark.slow
@pytest.mark.browser
def test_typing_in_the_header_with_the_keyboard(curated_server: Server) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 800})
        page.goto(curated_server.url + "/statistics")
        box = page.locator("header #site-q")
        box.focus()
        page.keyboard.type("Kyi", delay=50)
        options = page.locator("#site-q-list [role=option]")
        # The list first answers whatever prefix was typed when the debounce fired ("K" on a slow machine);
        # wait for the answer to the whole word rather than read the first list that appears.
        expect(options.first).to_contain_text("Kyiv")
        assert "Ukraine" in options.first.inner_text()
        assert box.get_attribute("aria-expanded") == "true"
        page.keyboard.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
        page.keyboard.press("Enter")
        page.wait_for_url("**/page/id/place/kyiv")

        box = page.locator("header #site-q")
        box.focus()
        page.keyboard.type("Stalingrad", delay=30)
        expect(options.first).to_contain_text("Stalingrad")
        assert "Volgograd" in options.first.inner_text()
        page.keyboard.press("Escape")
        assert page.locator("#site-q-list").is_hidden() and box.get_attribute("aria-expanded") == "false"
        page.keyboard.press("ArrowDown")  # opens the list again
        options.first.wait_for()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_url("**/page/id/place/volgograd")


@pytest.mark.slow
@pytest.mark.browser
def test_without_javascript_the_header_box_is_a_plain_search_form(curated_server: Server) -> None:
    with chromium() as browser:
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(curated_server.url + "/dataset")
        page.locator("header #site-q").fill("Stalingrad")
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=Stalingrad")
        assert page.locator("#results a[href='/page/id/place/volgograd']").count() == 1
