"""Dereferencing, pages, dumps, VoID, health and the access log of `twinkg serve`'s app, in process (no socket)
over the embedded store shared by the session (dereferencing over each real remote store: tests/test_server_remote.py).
The access log as the server writes it to stderr: tests/test_server_small_defects.py."""

from __future__ import annotations

import json
import logging
import re

import pyoxigraph as ox
import pytest
from support.inprocess import InProcessServer

BASE = "https://w3id.org/twinkg/"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture
def server(app_server: InProcessServer) -> InProcessServer:
    """The app over the embedded store shared by the session (over each remote store: tests/test_server_remote.py)."""
    return app_server


@pytest.mark.parametrize("accept,target", [
    (BROWSER, "/page/id/place/alpha-town"),
    ("text/html", "/page/id/place/alpha-town"),
    ("text/turtle", "/data/id/place/alpha-town.ttl"),
    ("application/ld+json", "/data/id/place/alpha-town.jsonld"),
    ("application/n-triples", "/data/id/place/alpha-town.nt"),
    ("application/rdf+xml", "/data/id/place/alpha-town.rdf"),
    ("application/n-triples;q=0.5, text/turtle;q=0.9", "/data/id/place/alpha-town.ttl"),
])
def test_ids_303_by_accept(server: InProcessServer, accept: str, target: str) -> None:
    with server.client() as c:
        r = c.get("/id/place/alpha-town", headers={"Accept": accept})
        assert r.status_code == 303
        assert r.headers["location"] == target
        assert "Accept" in r.headers["vary"]
        doc = c.get(target, headers={"Accept": accept})
        assert doc.status_code == 200


def test_unknown_ids_are_404(server: InProcessServer) -> None:
    with server.client() as c:
        for path in ("/id/place/atlantis", "/page/id/place/atlantis", "/data/id/place/atlantis.ttl",
                     "/vocab/status/nonsense", "/id/place/a%3Eb"):
            assert c.get(path, headers={"Accept": BROWSER}).status_code == 404, path
        assert c.get("/id/place/atlantis", headers={"Accept": "text/turtle"}).status_code == 404


def test_every_id_of_the_graph_dereferences(server: InProcessServer) -> None:
    with server.client() as c:
        rows = c.get("/sparql", params={"query": f'SELECT DISTINCT ?s {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{BASE}id/")) }}'},
                     headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
        assert len(rows) > 10
        for row in rows:
            local = row["s"]["value"][len(BASE):]
            r = c.get("/" + local, headers={"Accept": "text/turtle"})
            assert r.status_code == 303, local
            data = c.get(r.headers["location"])
            assert data.status_code == 200
            subjects = {t.subject.value for t in ox.parse(data.content, format=ox.RdfFormat.TURTLE)}
            assert row["s"]["value"] in subjects


def test_data_documents_use_the_base_iris(server: InProcessServer) -> None:
    with server.client() as c:
        r = c.get("/data/id/place/alpha-town.ttl")
        assert r.headers["content-type"].startswith("text/turtle")
        triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
        subjects = {t.subject.value for t in triples}
        assert BASE + "id/place/alpha-town" in subjects
        assert BASE + "id/place/alpha-town/geometry" in subjects  # sub-resources come along
        j = c.get("/data/id/place/alpha-town.jsonld")
        assert j.headers["content-type"].startswith("application/ld+json")
        json.loads(j.content)


def test_place_page(server: InProcessServer) -> None:
    with server.client() as c:
        html = c.get("/page/id/place/alpha-town").text
    assert "<h1>Alpha Town</h1>" in html
    assert "Old Alpha" in html  # historical name
    assert "Alpha-in-the-Marsh" in html and "late 1890s" in html  # an approximate end keeps its wording
    assert "rests on conflicting claims" in html  # Alpha–Gamma's status
    assert "https://www.wikidata.org/" in html or "http://www.wikidata.org/entity/Q6225" in html
    assert 'class="timeline"' in html and "status-suspended" in html
    assert "<svg class=\"map\"" in html and "Alpha Town" in html
    assert 'href="/page/id/twinning/alpha-town--beta-city"' in html
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert ld and "alpha-town" in ld.group(1)
    json.loads(ld.group(1).replace("<\\/", "</"))


def test_twinning_page_orders_events_and_marks_conflicts(server: InProcessServer) -> None:
    with server.client() as c:
        html = c.get("/page/id/twinning/alpha-town--beta-city").text
    order = [html.index(e) for e in ('id="alpha-beta-letter"', 'id="alpha-beta-telegram"', 'id="alpha-beta-established"',
                                    'id="alpha-beta-suspended"')]
    assert order == sorted(order)
    assert "Conflicting claim" in html
    assert "Jane Doe" in html and "Alpha Town Council" in html  # actors
    assert "Document A" in html  # sources
    assert "war" in html.lower()  # reason
    assert "rests on conflicting claims" not in html  # its conflict does not touch its status
    with server.client() as c:
        contested = c.get("/page/id/twinning/alpha-town--gamma").text
    assert re.search(r"⚠ rests on conflicting claims \(otherwise <a [^>]*>terminated</a>\)", contested)


@pytest.mark.parametrize("path,needle", [
    ("/page/id/actor/jane-doe", "Jane Doe"), ("/page/id/source/doc-a", "Document A"),
    ("/page/vocab/status/suspended", "suspended"), ("/ontology", "tw:Twinning"), ("/dataset", "twinkg.nq.gz"),
    ("/query", "<textarea"), ("/", "Alpha Town"),
])
def test_pages(server: InProcessServer, path: str, needle: str) -> None:
    with server.client() as c:
        r = c.get(path, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert needle in r.text


def test_ontology_as_rdf(server: InProcessServer) -> None:
    with server.client() as c:
        r = c.get("/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert any(t.subject.value == "https://w3id.org/twinkg/ontology#Twinning"
               for t in ox.parse(r.content, format=ox.RdfFormat.TURTLE))


@pytest.mark.parametrize("name,media", [
    ("twinkg.ttl", "text/turtle"), ("twinkg.nt.gz", "application/gzip"), ("twinkg.jsonld", "application/ld+json"),
    ("twinkg.nq.gz", "application/gzip"), ("void.ttl", "text/turtle"), ("SHA256SUMS", "text/plain"),
    ("twinnings.csv", "text/csv"), ("places.csv-metadata.json", "application/csvm+json"),
    ("twinkg.graphml", "application/graphml+xml"), ("twinkg.gexf", "application/gexf+xml"),
])
def test_dumps(server: InProcessServer, name: str, media: str) -> None:
    import hashlib

    on_disk = (server.extra["out_dir"] / name).read_bytes()
    with server.client() as c:
        r = c.get(f"/dumps/{name}")
        assert r.status_code == 200
        assert r.headers["content-type"].split(";")[0] == media
        assert int(r.headers["content-length"]) == len(on_disk) and r.content == on_disk
        assert r.headers["etag"] and r.headers["last-modified"]
        if name != "SHA256SUMS":
            assert hashlib.sha256(r.content).hexdigest() in (server.extra["out_dir"] / "SHA256SUMS").read_text()
        assert c.get(f"/dumps/{name}", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
        assert c.get(f"/dumps/{name}", headers={"If-Modified-Since": r.headers["last-modified"]}).status_code == 304
        assert c.get(f"/dumps/{name}", headers={"If-None-Match": '"other"'}).status_code == 200
        assert c.head(f"/dumps/{name}").headers["content-length"] == str(len(on_disk))


def test_dumps_serve_only_build_files(server: InProcessServer) -> None:
    with server.client() as c:
        for path in ("/dumps/..%2Fetc%2Fpasswd", "/dumps/.store", "/dumps/nothing.ttl"):
            assert c.get(path).status_code == 404


def test_void(server: InProcessServer) -> None:
    with server.client() as c:
        for path in ("/void", "/.well-known/void"):
            r = c.get(path)
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
            assert b"void#Dataset" in r.content or b"void:Dataset" in r.content
        r = c.get("/void", headers={"Accept": "application/ld+json"})
        assert r.headers["content-type"].startswith("application/ld+json")


def test_healthz(server: InProcessServer) -> None:
    with server.client() as c:
        r = c.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok" and r.json()["store"] == server.extra["store"]


def test_access_log_has_one_json_line_per_request(server: InProcessServer, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="twinkg.access"), server.client() as c:
        c.get("/healthz?marker=1")
        c.get("/nowhere-at-all")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "twinkg.access"]
    entry = next(e for e in lines if e["path"] == "/nowhere-at-all")
    assert entry["status"] == 404 and entry["method"] == "GET" and isinstance(entry["ms"], float)
    assert sum(1 for e in lines if e["path"] == "/nowhere-at-all") == 1
    assert any(e["path"] == "/healthz" and e["status"] == 200 for e in lines)
