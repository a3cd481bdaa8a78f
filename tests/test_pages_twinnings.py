"""/twinnings: the links filtered by facets, over the real curated build (the world network).

The facet counts a page shows are checked against counts made here from the graph itself (one SPARQL
query for every link's status, kind, start bounds, partner countries and graphs, counted in Python: no
query of the server's); the CSV of a view against every page of that view; the addresses; the refusals;
and, in Chromium at 390 px, a first-time visitor filtering by status and decade and downloading the view."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from playwright.sync_api import expect
from starlette.testclient import TestClient
from support.browser import ARTIFACTS, chromium
from support.processes import Server

from twinkg.server.views.twinnings import PER_PAGE

pytestmark = pytest.mark.slow

BASE = "https://w3id.org/twinkg/"
TW = BASE + "ontology#"


@dataclass
class Link:
    status: str = ""
    kind: str = ""
    earliest: str = ""
    latest: str = ""
    countries: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)

    @property
    def decade(self) -> str:
        same = self.earliest and self.latest and self.earliest[:3] == self.latest[:3]
        return f"{self.earliest[:3]}0s" if same else "unknown"

    def values(self, facet: str) -> set[str]:
        return {"status": {self.status}, "kind": {self.kind}, "country": self.countries, "decade": {self.decade},
                "source": self.sources}[facet] - {""}


@pytest.fixture(scope="module")
def graph_links(built_store: ox.Store) -> dict[str, Link]:
    """Every twinning of the graph with what the facets read, straight from the store."""
    links: dict[str, Link] = {}
    rows = built_store.query(f"""SELECT ?t ?p ?o ?g WHERE {{ GRAPH ?g {{ ?t a <{TW}Twinning> }}
        OPTIONAL {{ ?t ?p ?o VALUES ?p {{ <{TW}status> <{TW}kind> <{TW}startEarliest> <{TW}startLatest> }} }} }}""",
                             use_default_graph_as_union=True)
    for r in rows:
        link = links.setdefault(r["t"].value, Link())
        link.sources.add(r["g"].value.rsplit("/", 1)[-1])
        p, o = r["p"], r["o"]
        if p is not None:
            name = p.value.rsplit("#", 1)[-1]
            value = o.value.rsplit("/", 1)[-1]
            setattr(link, {"startEarliest": "earliest", "startLatest": "latest"}.get(name, name), value)
    for r in built_store.query(f"""SELECT ?t ?code WHERE {{ ?t a <{TW}Twinning> ; <{TW}partner>/<{TW}country> ?c .
            ?c <http://www.w3.org/2004/02/skos/core#notation> ?code }}""", use_default_graph_as_union=True):
        links[r["t"].value].countries.add(r["code"].value)
    return links


def expected(links: dict[str, Link], view: dict[str, str]) -> tuple[int, dict[str, Counter[str]]]:
    chosen = [link for link in links.values() if all(v in link.values(f) for f, v in view.items())]
    return len(chosen), {f: Counter(v for link in chosen for v in link.values(f))
                         for f in ("status", "kind", "country", "decade", "source")}


def shown(html: str) -> tuple[int, dict[str, Counter[str]]]:
    """The total and each facet's counts as the page shows them."""
    total = int(re.search(r'<strong id="total">([\d,]+)</strong>', html)[1].replace(",", ""))  # type: ignore[index]
    counts: dict[str, Counter[str]] = {}
    for name, block in re.findall(r'<details class="facet" id="facet-(\w+)".*?<ul>(.*?)</ul>', html, re.S):
        counts[name] = Counter({v: int(n.replace(",", "")) for v, n in re.findall(
            r'data-value="([^"]+)"[^>]*>[^<]*</a> <span class="count">([\d,]+)</span>', block)})
    return total, counts


def listed(html: str) -> list[str]:
    body = html.split('id="twinnings"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<td><a href="(/page/id/twinning/[^"]+)"', body)


VIEWS = [{}, {"status": "suspended"}, {"country": "DE"}, {"decade": "1940s"}, {"source": "curated"},
         {"status": "active", "country": "GB", "source": "wikidata"}, {"kind": "twin-town", "decade": "unknown"}]


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: "&".join(f"{k}={x}" for k, x in v.items()) or "every-link")
def test_facet_counts_equal_sparql_counts(curated_client: TestClient, graph_links: dict[str, Link], built_store: ox.Store,
                                          view: dict[str, str]) -> None:
    r = curated_client.get("/twinnings", params=view)
    assert r.status_code == 200, r.text
    total, counts = shown(r.text)
    want_total, want = expected(graph_links, view)
    assert total == want_total > 0
    assert counts == want
    assert total == sparql_count(built_store, list(view.items()))
    for name, counted in counts.items():
        values = sorted(counted, key=lambda v: -counted[v])
        for value in values if name != "country" else values[:3] + values[-2:]:
            # the view's links that also have this value (a link joins several countries, has two sources)
            assert counted[value] == sparql_count(built_store, [*view.items(), (name, value)]), (name, value)


def sparql_count(store: ox.Store, filters: list[tuple[str, str]]) -> int:
    """The links that have each (facet, value) of `filters`, counted by one SPARQL query over the graph."""
    parts = [f"?t a <{TW}Twinning> ."]
    for name, value in filters:
        if name in ("status", "kind"):
            parts.append(f"?t <{TW}{name}> <{BASE}vocab/{name}/{value}> .")
        elif name == "country":
            parts.append(f"?t <{TW}partner> ?p{len(parts)} . ?p{len(parts)} <{TW}country> <{BASE}vocab/country/{value}> .")
        elif name == "source":
            parts.append(f"GRAPH <{BASE}graph/{value}> {{ ?t a <{TW}Twinning> }}")
        elif value == "unknown":
            parts.append(f"""FILTER NOT EXISTS {{ ?t <{TW}startEarliest> ?e ; <{TW}startLatest> ?l
                             FILTER(SUBSTR(STR(?e), 1, 3) = SUBSTR(STR(?l), 1, 3)) }}""")
        else:
            parts.append(f"""?t <{TW}startEarliest> ?e ; <{TW}startLatest> ?l
                             FILTER(STRSTARTS(STR(?e), "{value[:3]}") && STRSTARTS(STR(?l), "{value[:3]}"))""")
    rows = list(store.query(f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ {' '.join(parts)} }}",  # type: ignore[arg-type]
                            use_default_graph_as_union=True))
    return int(rows[0]["n"].value)


def test_every_link_of_a_view_is_on_one_page_and_in_its_csv(curated_client: TestClient, graph_links: dict[str, Link]) -> None:
    view = {"status": "no-longer-listed"}
    total, _ = expected(graph_links, view)
    assert PER_PAGE < total < 10 * PER_PAGE
    pages: list[str] = []
    for n in range(1, -(-total // PER_PAGE) + 1):
        r = curated_client.get("/twinnings", params={**view, **({"page": str(n)} if n > 1 else {})})
        assert r.status_code == 200
        pages += listed(r.text)
    assert len(pages) == len(set(pages)) == total
    assert curated_client.get("/twinnings", params={**view, "page": str(n + 1)}).status_code == 400
    download = curated_client.get("/twinnings.csv", params=view)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert 'filename="twinnings-status-no-longer-listed.csv"' in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert ["/page/id/" + row["twinning_iri"].removeprefix(BASE + "id/") for row in rows] == pages  # same order
    assert {row["status"] for row in rows} == {"no-longer-listed"}
    for row in rows:
        link = graph_links[row["twinning_iri"]]
        assert set(row["countries"].split()) == link.countries and row["decade"] == link.decade
        assert (row["curated"] == "true") == ("curated" in link.sources)


def test_a_filtered_view_has_one_address(curated_client: TestClient) -> None:
    r = curated_client.get("/twinnings?decade=1940s&status=suspended")
    assert r.status_code == 301 and r.headers["location"] == "/twinnings?status=suspended&decade=1940s"
    r = curated_client.get("/twinnings?status=&kind=&country=&decade=1940s&source=&page=1")  # a form's empty fields
    assert r.status_code == 301 and r.headers["location"] == "/twinnings?decade=1940s"
    r = curated_client.get("/twinnings.csv?source=curated&country=GB")
    assert r.status_code == 301 and r.headers["location"] == "/twinnings.csv?country=GB&source=curated"
    page = curated_client.get("/twinnings?status=suspended&decade=1940s")
    assert page.status_code == 200
    assert 'href="/twinnings.csv?status=suspended&amp;decade=1940s"' in page.text
    assert 'href="/twinnings?decade=1940s"' in page.text  # drop the status filter
    assert "/page/id/twinning/coventry--volgograd" in listed(page.text)


@pytest.mark.parametrize("query, says", [
    ("status=bogus", "status 'bogus' is not in this graph's vocabulary"),
    ("kind=Twin%20Town", "kind must be a kind code"),
    ("country=de", "country must be a two-letter ISO country code"),
    ("country=ZZ", "country 'ZZ' is not in this graph's vocabulary"),
    ("decade=1945", "decade must be a decade such as 1940s, or unknown"),
    ("source=dbpedia", "source must be one of curated, wikidata"),
    ("status=active&status=suspended", "status is given twice"),
    ("colour=red", "'colour' is not a filter of the twinnings"),
    ("status=active%3E%20%7D%20SELECT", "status must be a status code"),
    ("page=0", "page must be a whole number"),
    ("status=suspended&page=2", "page 2 is past the last page of this view (1)"),
])
def test_bad_filters_are_refused_with_a_message(curated_client: TestClient, query: str, says: str) -> None:
    r = curated_client.get("/twinnings?" + query)
    assert r.status_code == 400 and says in r.text
    assert "Traceback" not in r.text
    html = curated_client.get("/twinnings?" + query, headers={"Accept": "text/html"})
    assert html.status_code == 400 and "<html" in html.text


def test_the_csv_refuses_a_page_and_bad_filters(curated_client: TestClient) -> None:
    assert curated_client.get("/twinnings.csv?page=2").status_code == 400
    assert curated_client.get("/twinnings.csv?status=bogus").status_code == 400


@pytest.mark.browser
def test_a_visitor_on_a_phone_filters_by_status_and_decade_and_downloads_the_view(curated_server: Server) -> None:
    """From the home page, without reading anything first: the nav's Twinnings, then a status and a decade
    from the facets, then the view's CSV; the page fits the phone's width at each step."""
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844}, accept_downloads=True)
        page.goto(curated_server.url + "/")
        page.get_by_role("link", name="Twinnings", exact=True).first.click()
        # the first view of a build reads the link index (seconds on a loaded machine); then milliseconds
        expect(page.locator("#total")).to_be_visible(timeout=60_000)
        expect(page).to_have_url(re.compile(r"/twinnings$"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # every link: the widest view
        page.locator("#facet-status a[data-value=suspended]").click()
        expect(page).to_have_url(re.compile(r"/twinnings\?status=suspended$"))
        expect(page.locator("#facet-status summary")).to_contain_text("status: suspended")
        page.locator("#facet-decade a[data-value='1940s']").click()
        expect(page).to_have_url(re.compile(r"/twinnings\?status=suspended&decade=1940s$"))
        expect(page.locator("#facet-decade summary")).to_contain_text("decade: 1940s")
        expect(page.locator("#twinnings")).to_contain_text("Coventry – Volgograd")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        on_page = page.locator("#twinnings tbody a").evaluate_all("links => links.map(a => a.href)")
        page.screenshot(path=str(ARTIFACTS / "twinnings-phone.png"), full_page=True)
        with page.expect_download() as info:
            page.locator("#csv").click()
        download = info.value
        assert download.suggested_filename == "twinnings-status-suspended-decade-1940s.csv"
        rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
        assert rows and {(r["status"], r["decade"]) for r in rows} == {("suspended", "1940s")}
        assert [r["twinning_iri"].removeprefix(BASE) for r in rows] == \
               [h.split("/page/", 1)[1] for h in on_page]
