"""Pages at the world network's scale (the default build: curated data and both Wikidata snapshots).

In process (Starlette's TestClient) over the in-memory store (`curated_client`, shared by the session): search by any
label, alternative label, historical name or Q-id; the place index by country
and initial, paginated; a home page that no longer lists every place."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient
from support.builds import solutions
from test_server_place_pages import BASE, TW, Page

from twinkg.server.partners import PER_PAGE


def links(html: str, list_id: str) -> list[str]:
    block = html.split(f'id="{list_id}"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]+)"', block)


@pytest.mark.parametrize("q, place", [
    ("Leningrad", "saint-petersburg"),   # a historical name
    ("stalingrad", "volgograd"),         # any case
    ("Wolgograd", "volgograd"),          # the 2016 crawl's (German) label, an alternative label of the curated place
    ("Q656", "saint-petersburg"),        # a Wikidata id
    ("Kohtla-Järve", "q201391"),         # a place known only from Wikidata
])
def test_search_finds_places_by_any_name_or_qid(curated_client: TestClient, q: str, place: str) -> None:
    r = curated_client.get("/search", params={"q": q})
    assert r.status_code == 200
    assert f"/page/id/place/{place}" in links(r.text, "results")


def test_search_input_is_a_literal_not_query_text(curated_client: TestClient) -> None:
    r = curated_client.get("/search", params={"q": '") } } SELECT * WHERE { ?s ?p ?o } #\\'})
    assert r.status_code == 200 and "No place has that name" in r.text


def test_place_index_by_country_initial_and_page(curated_client: TestClient) -> None:
    namibia = curated_client.get("/places", params={"country": "NA"})  # "NA" stays Namibia
    assert namibia.status_code == 200 and "/page/id/place/q3935" in links(namibia.text, "places")  # Windhoek
    first = curated_client.get("/places", params={"initial": "s"})
    assert len(links(first.text, "places")) == 100 and 'rel="next" href="/places?initial=S&amp;page=2"' in first.text
    second = curated_client.get("/places", params={"initial": "S", "page": "2"})
    assert 'rel="prev"' in second.text and not set(links(first.text, "places")) & set(links(second.text, "places"))
    assert curated_client.get("/places", params={"page": "-1"}).status_code == 400  # a page is read as place pages read it


@pytest.mark.parametrize("params, says", [
    ({"country": "<script>"}, "country must be a two-letter ISO country code"),
    ({"country": "ZZ"}, "no place of this graph is in the country 'ZZ'"),
    ({"initial": "1"}, "initial must be one letter from A to Z"),
    ({"page": "abc"}, "page must be a whole number"),
    ({"country": "NA", "page": "2"}, "page 2 is past the last page of these places (1)"),
])
def test_place_index_refuses_what_names_no_page(curated_client: TestClient, params: dict[str, str], says: str) -> None:
    r = curated_client.get("/places", params=params)
    assert r.status_code == 400 and says in r.text and "The first page is /places" in r.text


def test_place_index_says_how_many_places_and_names_countries(curated_client: TestClient, built_store: ox.Store) -> None:
    counted = built_store.query(f"""SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a <{TW}Place> ;
        <{TW}country> <{BASE}vocab/country/NA> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l FILTER(LANG(?l) IN ("en", "und", "")) }}""",
                                use_default_graph_as_union=True)
    namibia = int(next(iter(solutions(counted)))["n"].value)
    r = curated_client.get("/places", params={"country": "NA"})
    assert f'<p class="lead" id="total"><strong>{namibia:,}</strong> places in Namibia.</p>' in r.text
    every = curated_client.get("/places")
    total = int(re.search(r'id="total"><strong>([\d,]+)</strong>', every.text)[1].replace(",", ""))  # type: ignore[index]
    assert total > 10_000 and f"page 1 of {-(-total // 100)}" in every.text
    assert '<a href="/places?country=DE">Germany</a>' in every.text


def test_home_no_longer_lists_every_place(curated_client: TestClient) -> None:
    r = curated_client.get("/")
    assert r.status_code == 200
    listed = links(r.text, "places")
    assert 0 < len(listed) <= 60 and "/page/id/place/saint-petersburg" in listed
    assert 'action="/search"' in r.text and 'href="/places?initial=A"' in r.text


def test_saint_petersburg_lists_its_twinnings_a_page_at_a_time(curated_client: TestClient, built_store: ox.Store) -> None:
    """The best-connected place of the default build: curated links first, every twinning on exactly one page."""
    spb = "https://w3id.org/twinkg/id/place/saint-petersburg"
    rows = solutions(built_store.query(f"""SELECT ?t (EXISTS {{ GRAPH <https://w3id.org/twinkg/graph/curated> {{ ?t a <{TW}Twinning> }} }}
        AS ?curated) WHERE {{ ?t <{TW}partner> <{spb}> }}""", use_default_graph_as_union=True))
    curated = {r["t"].value.replace(BASE, "/page/"): r["curated"].value == "true" for r in rows}
    assert len(curated) > 100 and 0 < sum(curated.values()) < PER_PAGE
    listed: list[str] = []
    classes: list[str] = []
    for n in range(1, -(-len(curated) // PER_PAGE) + 1):
        r = curated_client.get("/page/id/place/saint-petersburg", params={"page": n} if n > 1 else None)
        assert r.status_code == 200
        page = Page(r.text)
        listed += [str(i["twinning"]) for i in page.items]
        classes += [str(i["class"]) for i in page.items]
    assert sorted(listed) == sorted(curated) and len(set(listed)) == len(listed)
    assert classes == ["curated" if curated[t] else "wikidata-only" for t in listed]
    assert classes == sorted(classes)  # "curated" < "wikidata-only": the curated links come first
    assert curated_client.get("/page/id/place/saint-petersburg", params={"page": n + 1}).status_code == 400
