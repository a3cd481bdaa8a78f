"""`twinkg publish` into a real `oxigraph serve` on loopback, and `twinkg serve --sparql-endpoint` over it."""

from __future__ import annotations

import gzip
import subprocess

import pyoxigraph as ox
import pytest

from conftest import MINI
from conftest_server import BIN, Server, start_oxigraph, start_twinkg


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Server:
    root = tmp_path_factory.mktemp("oxigraph")
    srv = start_oxigraph(root / "db", root, "--union-default-graph")
    yield srv
    srv.stop()


def graph_counts(oxigraph: Server) -> dict[str, int]:
    with oxigraph.client() as c:
        r = c.get("/query", params={"query": "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
                  headers={"Accept": "application/sparql-results+json"})
    return {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


def dump_counts(out_dir) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts: dict[str, int] = {}
    with gzip.open(out_dir / "twinkg.nq.gz") as f:
        for q in ox.parse(f, format=ox.RdfFormat.N_QUADS):
            counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
    return counts


def publish(out_dir, oxigraph: Server, *extra: str) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    return subprocess.run([str(BIN / "twinkg"), "publish", "--to", f"{oxigraph.url}/store", "--out", str(out_dir), *extra],
                          capture_output=True, text=True, timeout=120)


def test_publish_replaces_each_graph(mini_build, oxigraph: Server) -> None:  # type: ignore[no-untyped-def]
    settings, _ = mini_build
    with oxigraph.client() as c:  # an old version of a graph and a graph twinkg does not own
        c.put("/store", params={"graph": "https://w3id.org/twinkg/graph/curated"},
              content=b"<http://e/old> <http://e/p> <http://e/o> .\n", headers={"Content-Type": "application/n-triples"})
        c.put("/store", params={"graph": "http://e/other"},
              content=b"<http://e/x> <http://e/p> <http://e/o> .\n", headers={"Content-Type": "application/n-triples"})
    result = publish(settings.out_dir, oxigraph)
    assert result.returncode == 0, result.stderr
    assert "swapped" in result.stderr
    counts = graph_counts(oxigraph)
    expected = {g: n for g, n in dump_counts(settings.out_dir).items()}
    assert {g: counts.get(g) for g in expected} == expected  # the old triple is gone: replaced, not merged
    assert counts.get("http://e/other") == 1  # graphs twinkg does not publish are left alone
    assert not [g for g in counts if g.startswith("urn:twinkg:staging")]
    again = publish(settings.out_dir, oxigraph)  # idempotent
    assert again.returncode == 0 and graph_counts(oxigraph) == counts


def test_failed_publish_leaves_the_published_graphs_alone(mini_build, oxigraph: Server) -> None:  # type: ignore[no-untyped-def]
    settings, _ = mini_build
    assert publish(settings.out_dir, oxigraph).returncode == 0
    before = graph_counts(oxigraph)
    result = publish(settings.out_dir, oxigraph, "--update", f"{oxigraph.url}/no-such-endpoint")
    assert result.returncode == 1 and "failed" in result.stderr
    assert graph_counts(oxigraph) == before  # no staging graph left, nothing half-replaced


def test_serve_over_the_remote_store(mini_build, oxigraph: Server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings, _ = mini_build
    assert publish(settings.out_dir, oxigraph).returncode == 0
    srv = start_twinkg(settings.out_dir, MINI, tmp_path, "--sparql-endpoint", f"{oxigraph.url}/query", "--max-rows", "3")
    try:
        with srv.client() as c:
            assert c.get("/healthz").json()["store"] == "remote"
            r = c.get("/sparql", params={"query": "SELECT ?p WHERE { ?p a tw:Place } ORDER BY ?p"})
            assert r.status_code == 200 and r.headers["x-sparql-truncated"] == "true"
            assert len(r.json()["results"]["bindings"]) == 3
            r = c.get("/sparql", params={"query": "ASK { <https://w3id.org/twinkg/id/place/alpha-town> a tw:Place }"},
                      headers={"Accept": "application/sparql-results+xml"})
            assert r.headers["content-type"].startswith("application/sparql-results+xml") and b"true" in r.content
            assert c.get("/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"}).status_code == 400
            typo = c.get("/sparql", params={"query": "SELECT ?p WHERE {\n  ?p a tw:Place .\n  FILTR (?p)\n}"})
            assert typo.status_code == 400 and "error at 3:" in typo.text  # the line the user wrote
            assert c.get("/sparql", params={"query": "SELECT * FROM <https://w3id.org/twinkg/graph/curated> { ?s ?p ?o } LIMIT 1"}).status_code == 200
            assert c.get("/id/place/alpha-town", headers={"Accept": "text/html"}).status_code == 303
            page = c.get("/page/id/twinning/alpha-town--beta-city")
            assert page.status_code == 200 and "Conflicting claim" in page.text
            assert c.get("/id/place/atlantis", headers={"Accept": "text/html"}).status_code == 404
            assert c.get("/dumps/twinkg.ttl").status_code == 200
    finally:
        srv.stop()
