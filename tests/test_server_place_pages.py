"""A place with hundreds of partners, in process (Starlette's TestClient over the in-memory store).

The graph is made here: one hub place with 6 curated twinnings (one of them three-way) and 255 that only
Wikidata states, partners in six countries and some without a country. The expected order, counts and
pages are computed here from what was generated, without the server's code, and every HTML check parses
the page (html.parser) rather than searching it for substrings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient
from support.builds import MINI

from twinkg.config import Settings
from twinkg.server.app import create_app
from twinkg.server.config import ServerConfig
from twinkg.server.partners import PER_PAGE
from twinkg.store.memory import MemoryStore

BASE = "https://w3id.org/twinkg/"
TW = "https://w3id.org/twinkg/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
NOTATION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#notation")
CURATED, WIKIDATA = ox.NamedNode(BASE + "graph/curated"), ox.NamedNode(BASE + "graph/wikidata")
COUNTRIES = {"DE": "Germany", "FR": "France", "JP": "Japan", "BR": "Brazil", "ZA": "South Africa", "AT": "Austria"}
HUB = "hub"


def tw(name: str) -> ox.NamedNode:
    return ox.NamedNode(TW + name)


@dataclasses.dataclass
class Made:
    """One generated twinning of the hub: what the page must show about it."""

    slug: str
    curated: bool
    partners: list[tuple[str, str, str]]  # (slug, label, country name or "")


def generate() -> tuple[list[ox.Quad], list[Made]]:
    quads: list[ox.Quad] = []
    made: list[Made] = []

    def add(s: str, p: ox.NamedNode, o: ox.NamedNode | ox.Literal, graph: ox.NamedNode) -> None:
        quads.append(ox.Quad(ox.NamedNode(BASE + s), p, o, graph))

    for country, name in COUNTRIES.items():
        add(f"vocab/country/{country}", PREF, ox.Literal(name, language="en"), WIKIDATA)
        add(f"vocab/country/{country}", NOTATION, ox.Literal(country), WIKIDATA)
    places: dict[str, tuple[str, str]] = {}

    def place(slug: str, label: str, code: str | None, graph: ox.NamedNode, lang: str = "en") -> None:
        add(f"id/place/{slug}", RDF_TYPE, tw("Place"), graph)
        add(f"id/place/{slug}", LABEL, ox.Literal(label, language=lang), graph)
        if code:
            add(f"id/place/{slug}", tw("country"), ox.NamedNode(f"{BASE}vocab/country/{code}"), graph)
        places[slug] = (label, COUNTRIES[code] if code else "")

    def twinning(partners: list[str], graph: ox.NamedNode, year: int | None) -> None:
        slug = "--".join(sorted(partners))
        t = f"id/twinning/{slug}"
        add(t, RDF_TYPE, tw("Twinning"), graph)
        add(t, LABEL, ox.Literal(" – ".join(places[p][0] for p in partners), language="en"), graph)
        add(t, tw("status"), ox.NamedNode(BASE + "vocab/status/active"), graph)
        for p in partners:
            add(t, tw("partner"), ox.NamedNode(f"{BASE}id/place/{p}"), graph)
        event = f"id/event/{slug}-established"
        add(t, tw("event"), ox.NamedNode(BASE + event), graph)
        add(event, RDF_TYPE, tw("Establishment"), graph)
        add(event, tw("twinning"), ox.NamedNode(BASE + t), graph)
        if year:
            add(event, tw("earliest"), ox.Literal(f"{year}-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")), graph)
            add(event, tw("latest"), ox.Literal(f"{year}-12-31", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")), graph)
        made.append(Made(slug, graph == CURATED, [(p, *places[p]) for p in partners if p != HUB]))

    place(HUB, "Hubville", "DE", CURATED)
    codes = list(COUNTRIES) + [None]
    for i, (code, label) in enumerate([("FR", "Zed"), ("JP", "Aomori"), ("DE", "Bonn"), ("FR", "Arles"), (None, "Nowhere")]):
        place(f"c{i}", label, code, CURATED)
        twinning([HUB, f"c{i}"], CURATED, 1950 + i)
    place("m1", "Middle", "AT", CURATED)
    place("m2", "Another", "AT", CURATED)
    twinning([HUB, "m1", "m2"], CURATED, 1990)
    for i in range(255):
        code = codes[(i * 5) % len(codes)]
        # names that sort differently from their numbers, some only with the 2016 crawl's undetermined language
        place(f"q{1000 + i}", f"Town {(i * 37) % 255:03d}", code, WIKIDATA, lang="und" if i % 9 == 0 else "en")
        twinning([HUB, f"q{1000 + i}"], WIKIDATA, 2000 + i % 20 if i % 4 == 0 else None)
    return quads, made


def expected_order(made: list[Made]) -> list[str]:
    """Curated first; then by the (first) partner's country, no country last; then the partner's name."""
    def key(m: Made) -> tuple[bool, bool, str, str]:
        first = sorted(m.partners, key=lambda p: p[1].casefold())[0]
        return (not m.curated, not first[2], first[2].casefold(), first[1].casefold())
    return [f"/page/id/twinning/{m.slug}" for m in sorted(made, key=key)]


class Page(HTMLParser):
    """The parts of a place page these tests read: the twinning list items, their classes and links, the
    group headings, the pager, the count, and the statement rows."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.items: list[dict[str, object]] = []
        self.headings: list[str] = []
        self.pager: list[tuple[str, str]] = []  # (rel or "", href)
        self.current: list[str] = []
        self.count = ""
        self.scripts: list[str] = []
        self.rows: dict[str, list[str]] = {}
        self.text: list[str] = []
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._row: str | None = None
        self.feed(html)

    def _inside(self, tag: str, cls: str | None = None) -> dict[str, str] | None:
        for t, a in reversed(self._stack):
            if t == tag and (cls is None or cls in a.get("class", "").split()):
                return a
        return None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script":
            self.scripts.append(a.get("type", ""))
        if tag == "li" and self._inside("ul", "twinnings") is not None and self._inside("li") is None:
            self.items.append({"class": a.get("class", ""), "partners": [], "twinning": None})
        if tag == "a" and self.items and self._inside("ul", "twinnings") is not None:
            if "partner" in a.get("class", ""):
                partners = self.items[-1]["partners"]
                assert isinstance(partners, list)
                partners.append(a["href"])
            elif "twinning" in a.get("class", ""):
                self.items[-1]["twinning"] = a["href"]
        if tag == "a" and self._inside("nav") is not None and self._inside("section") is not None:
            self.pager.append((a.get("rel", ""), a["href"]))
        if tag not in ("br", "input", "link", "meta", "img", "path", "circle", "line", "rect"):
            self._stack.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        text = data.strip()
        if not text:
            return
        self.text.append(text)
        if self._inside("h3", "partner-group") is not None:
            self.headings.append(text)
        elif self._inside("p", "count") is not None:
            self.count += " " + " ".join(text.split())
        elif self._inside("nav") is not None and self._inside("span") is not None:
            self.current.append(text)
        if self._inside("table", "statements") is not None:
            if self._inside("th") is not None:
                self._row = text
                self.rows[text] = []
            elif self._row is not None:
                self.rows[self._row].append(text)


@pytest.fixture(scope="module")
def world() -> tuple[list[ox.Quad], list[Made]]:
    return generate()


@pytest.fixture(scope="module")
def client(world: tuple[list[ox.Quad], list[Made]]) -> Iterator[TestClient]:
    settings = dataclasses.replace(Settings(), data_dir=MINI, out_dir=Path("/nonexistent"))
    config = ServerConfig(store=MemoryStore(world[0]), settings=settings, out_dir=None)
    with TestClient(create_app(config), follow_redirects=False) as c:
        yield c


def page(client: TestClient, number: int | None = None) -> Page:
    r = client.get("/page/id/place/hub", params={"page": number} if number else None)
    assert r.status_code == 200, r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    return Page(r.text)


def test_the_pages_list_every_twinning_once_in_the_documented_order(client: TestClient, world: tuple[list[ox.Quad], list[Made]]) -> None:
    made = world[1]
    pages = -(-len(made) // PER_PAGE)
    assert len(made) == 261 and pages == 6
    listed: list[str] = []
    for n in range(1, pages + 1):
        p = page(client, n)
        assert len(p.items) == (PER_PAGE if n < pages else len(made) - PER_PAGE * (pages - 1))
        listed += [str(i["twinning"]) for i in p.items]
        assert p.current == [str(n)]
    assert listed == expected_order(made)


def test_curated_links_come_first_and_are_marked(client: TestClient, world: tuple[list[ox.Quad], list[Made]]) -> None:
    first = page(client)
    classes = [i["class"] for i in first.items]
    assert classes == ["curated"] * 6 + ["wikidata-only"] * (PER_PAGE - 6)
    assert first.headings[:5] == ["Curated · Austria", "Curated · France", "Curated · Germany", "Curated · Japan",
                                  "Curated · country not stated"]
    assert first.headings[5].startswith("Only in Wikidata · ")
    three_way = next(i for i in first.items if i["twinning"] == "/page/id/twinning/hub--m1--m2")
    assert three_way["partners"] == ["/page/id/place/m2", "/page/id/place/m1"]  # Another, Middle: by name
    last = page(client, 6)
    assert last.headings[-1] == "Only in Wikidata · country not stated"
    assert all(i["class"] == "wikidata-only" for i in last.items)


def test_counts_and_the_pager(client: TestClient, world: tuple[list[ox.Quad], list[Made]]) -> None:
    partners = {p[0] for m in world[1] for p in m.partners}
    first = page(client)
    assert first.count.split() == (f"261 twinnings with {len(partners)} partners: 6 curated (with their lifecycles "
                                   "and sources), 255 stated only by Wikidata. Page 1 of 6: twinnings 1–50.").split()
    assert ("next", "/page/id/place/hub?page=2#twinnings") in first.pager
    assert not any(rel == "prev" for rel, _ in first.pager)
    third = page(client, 3)
    assert "Page 3 of 6: twinnings 101–150." in " ".join(third.count.split())
    assert ("prev", "/page/id/place/hub?page=2#twinnings") in third.pager
    assert ("next", "/page/id/place/hub?page=4#twinnings") in third.pager
    assert ("", "/page/id/place/hub#twinnings") in third.pager  # page 1 has one address: the page's own
    last = page(client, 6)
    assert not any(rel == "next" for rel, _ in last.pager)


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=1.5", "page=%2B2", "page=", "page=%20",
                                   "page=" + "9" * 40, "page=7", "page=1&page=2", "page=%D9%A3"])
def test_bad_page_parameters_are_400_with_a_message(client: TestClient, query: str) -> None:
    r = client.get("/page/id/place/hub?" + query)
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
    assert "page" in r.text and "/page/id/place/hub" in r.text and len(r.text) < 300
    html = client.get("/page/id/place/hub?" + query, headers={"Accept": "text/html"})
    assert html.status_code == 400 and html.headers["content-type"].startswith("text/html")
    assert any(t.startswith("page ") for t in Page(html.text).text)


def test_statement_tables_show_a_few_values_of_each_property(client: TestClient) -> None:
    rows = page(client).rows
    partner_of = rows["tw:partner of"]
    assert len([t for t in partner_of if t.startswith("Hubville – ") or " – Hubville" in t]) == 20
    assert "… and 241 more (all in the data documents)" in partner_of


def test_the_data_documents_stay_complete(client: TestClient, world: tuple[list[ox.Quad], list[Made]]) -> None:
    hub = ox.NamedNode(BASE + "id/place/hub")
    ttl = client.get("/data/id/place/hub.ttl")
    assert ttl.status_code == 200
    twinnings = {t.subject.value for t in ox.parse(ttl.content, format=ox.RdfFormat.TURTLE)
                 if t.predicate == tw("partner") and t.object == hub}
    assert twinnings == {BASE + "id/twinning/" + m.slug for m in world[1]}
    document = client.get("/data/id/place/hub.jsonld").json()
    nodes = document["@graph"] if "@graph" in document else [document]
    assert sum(1 for n in nodes if "partner" in n) == len(world[1])
    embedded = page(client, 2).scripts
    # no inline script but the data; the modules (the header's search box, the map's zoom) only enhance a page that
    # works without JavaScript (tests/test_pages_search.py, test_pages_maps.py)
    assert [t for t in embedded if t != "module"] == ["application/ld+json"]


def test_home_lists_the_best_connected_places_ties_by_name(client: TestClient, world: tuple[list[ox.Quad], list[Made]]) -> None:
    degree: dict[str, int] = {HUB: len(world[1])}
    labels = {HUB: "Hubville"}
    for m in world[1]:
        for slug, label, _ in m.partners:
            degree[slug] = degree.get(slug, 0) + 1
            labels[slug] = label
    expected = sorted(degree, key=lambda s: (-degree[s], labels[s].casefold()))[:60]
    html = client.get("/").text
    assert 'id="network-map"' not in html and client.get("/network.svg").status_code == 404  # no build tables
    block = html.split('id="places"', 1)[1].split("</ul>", 1)[0]
    listed = [href.rsplit("/", 1)[1] for href in _hrefs(block)]
    assert listed == expected


def _hrefs(html: str) -> list[str]:
    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.found += [v for k, v in attrs if tag == "a" and k == "href" and v]
    links = Links()
    links.feed(html)
    return links.found
