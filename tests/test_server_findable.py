"""Follow your nose and be found: data documents with what points at a resource, compacted JSON-LD and
its published context, Link headers, sitemap.xml, robots.txt, and the dataset's schema.org markup."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from pyld import jsonld
from starlette.testclient import TestClient

from twinkg.build import Built
from twinkg.config import Settings
from twinkg.graphs import canonical, quads
from twinkg.server.app import create_app
from twinkg.server.config import ServerConfig
from twinkg.store.memory import MemoryStore
from twinkg.vocab import Iris

BASE = "https://w3id.org/twinkg/"
ALPHA = BASE + "id/place/alpha-town"
TW = "https://w3id.org/twinkg/ontology#"


@pytest.fixture(scope="module")
def client(mini_build: tuple[Settings, Built]) -> Iterator[TestClient]:
    settings, built = mini_build
    config = ServerConfig(store=MemoryStore(quads(built.graphs, Iris())), settings=settings, out_dir=settings.out_dir)
    with TestClient(create_app(config), follow_redirects=False) as c:
        yield c


def turtle(client: TestClient, path: str) -> set[ox.Triple]:
    r = client.get(path)
    assert r.status_code == 200, path
    return set(ox.parse(r.content, format=ox.RdfFormat.TURTLE))


def test_a_place_document_holds_its_twinnings_and_their_labels(client: TestClient) -> None:
    triples = turtle(client, "/data/id/place/alpha-town.ttl")
    pointing = {(t.subject.value, t.predicate.value) for t in triples if t.object == ox.NamedNode(ALPHA)}
    assert (BASE + "id/twinning/alpha-town--beta-city", TW + "partner") in pointing
    assert (BASE + "id/twinning/alpha-town--fableland--gamma", TW + "partner") in pointing
    labelled = {t.subject.value for t in triples if t.predicate.value.endswith("#label")}
    assert BASE + "id/twinning/alpha-town--beta-city" in labelled and BASE + "id/place/beta-city" in labelled


def test_an_actor_document_holds_its_events(client: TestClient) -> None:
    triples = turtle(client, "/data/id/actor/jane-doe.ttl")
    assert any(t.predicate.value == TW + "agent" and t.subject.value == BASE + "id/event/alpha-beta-letter" for t in triples)


def test_a_concept_document_does_not_list_every_twinning(client: TestClient) -> None:
    triples = turtle(client, "/data/vocab/status/active.ttl")
    assert not any(t.predicate.value == TW + "status" for t in triples)


def test_jsonld_document_is_compacted_and_expands_to_the_turtle_document(client: TestClient) -> None:
    r = client.get("/data/id/place/alpha-town.jsonld")
    assert r.headers["content-type"].startswith("application/ld+json")
    doc = r.json()
    assert set(doc) == {"@context", "@graph"}
    node = next(n for n in doc["@graph"] if n["id"] == ALPHA)
    assert node["type"] == "Place" or "Place" in node["type"]
    expanded = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    assert canonical(ox.parse(expanded.encode(), format=ox.RdfFormat.N_TRIPLES)) == canonical(
        turtle(client, "/data/id/place/alpha-town.ttl"))


def test_published_context_is_the_dumps(client: TestClient, mini_build: tuple[Settings, Built]) -> None:
    settings, _ = mini_build
    r = client.get("/context.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    assert r.json() == json.loads((settings.out_dir / "context.jsonld").read_text())
    assert client.get("/context.jsonld", headers={"Origin": "https://example.org"}).headers["access-control-allow-origin"] == "*"


def links(header: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for target, rel in re.findall(r'<([^>]*)>;\s*rel="([^"]+)"', header):
        out.setdefault(rel, []).append(target)
    return out


def test_link_headers(client: TestClient) -> None:
    see_other = client.get("/id/place/alpha-town", headers={"Accept": "text/turtle"})
    assert "/data/id/place/alpha-town.jsonld" in links(see_other.headers["link"])["describedby"]
    page = client.get("/page/id/place/alpha-town")
    found = links(page.headers["link"])
    assert "/data/id/place/alpha-town.ttl" in found["alternate"] and found["license"]
    data = client.get("/data/id/place/alpha-town.ttl")
    found = links(data.headers["link"])
    assert found["describes"] == [ALPHA] and "/data/id/place/alpha-town.ttl" not in found["alternate"]
    csv = client.get("/dumps/twinnings.csv")
    found = links(csv.headers["link"])
    assert found["describedby"] == ["/dumps/twinnings.csv-metadata.json", "/void"] and found["license"]
    assert links(client.get("/dumps/twinkg.ttl").headers["link"])["describedby"] == ["/void"]


def test_sitemap_lists_places_and_twinnings(client: TestClient) -> None:
    r = client.get("/sitemap.xml")
    assert r.headers["content-type"].startswith("application/xml")
    locs = re.findall(r"<loc>([^<]+)</loc>", r.text)
    assert "http://testserver/page/id/place/alpha-town" in locs
    assert "http://testserver/page/id/twinning/alpha-town--beta-city" in locs
    assert "http://testserver/dataset" in locs
    assert not any("/event/" in loc for loc in locs)


def test_robots_points_at_the_sitemap_and_keeps_crawlers_off_sparql(client: TestClient) -> None:
    text = client.get("/robots.txt").text
    assert "Sitemap: http://testserver/sitemap.xml" in text and "Disallow: /sparql" in text


def test_dataset_page_has_schema_org_markup(client: TestClient) -> None:
    html = client.get("/dataset", headers={"Accept": "text/html", "Host": "evil.example"}).text
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert block
    markup = json.loads(block.group(1).replace("<\\/", "</"))
    assert markup["@type"] == "Dataset" and markup["license"].startswith("https://creativecommons.org/")
    downloads = {d["name"]: d for d in markup["distribution"]}
    assert downloads["twinnings.csv"]["encodingFormat"] == "text/csv"
    assert downloads["twinkg.ttl"]["contentUrl"] == BASE + "dumps/twinkg.ttl"
    assert "evil.example" not in html
