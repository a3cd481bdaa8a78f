"""What `twinkg serve`'s endpoint and pages read through each real remote store's adapter (Oxigraph, Virtuoso): the
safety that rests on the store (datasets, caps, timeouts), dereferencing, and pages that say what they say over the
embedded store. The app runs in process over the mini build published once into each store; the same checks on the
embedded store are in tests/test_server_safety.py and tests/test_server_linked_data.py."""

from __future__ import annotations

import dataclasses
import gzip
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
from netguard import listener
from support.inprocess import InProcessServer, Page, serve_app
from support.processes import REMOTE_STORES, STORE_SECONDS, RemoteStoreServer, start_remote_store

pytestmark = [pytest.mark.slow, pytest.mark.remote_store]

TIMEOUT = 5
"""twinkg's --timeout here: the runaway is abandoned at it; the other queries (a dereference on Virtuoso under load)
must answer within it."""
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


@pytest.fixture(scope="module", params=REMOTE_STORES)
def store(request, mini_build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStoreServer]:  # type: ignore[no-untyped-def]
    """A real store holding the mini build, with its own query time limit (what stops a query twinkg gave up on)."""
    root = tmp_path_factory.mktemp(request.param)
    srv = start_remote_store(request.param, root / "db", root, query_seconds=STORE_SECONDS)
    try:
        published = srv.publish(mini_build[0].out_dir)
        assert published.returncode == 0, published.stderr
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def app(mini_build, store: RemoteStoreServer) -> Iterator[InProcessServer]:  # type: ignore[no-untyped-def]
    settings, _ = mini_build
    over = dataclasses.replace(settings, sparql_endpoint=store.query_url, sparql_endpoint_kind=store.kind, timeout=TIMEOUT,
                               max_rows=5, workers=1, fast_workers=0)
    with serve_app(over) as server:
        yield server



def test_a_dataset_outside_the_store_is_empty_and_never_fetched(app: InProcessServer) -> None:
    """Virtuoso would fetch a graph it does not hold from the web: the adapter must never let it."""
    with listener() as outside:
        for params in ({"default-graph-uri": f"http://127.0.0.1:{outside.port}/g"},
                       {"named-graph-uri": f"http://127.0.0.1:{outside.port}/g"}):
            r = app.get("/sparql", params={"query": "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", **params})
            assert r.status_code == 200 and r.json()["results"]["bindings"] == [], r.text
        r = app.get("/sparql", params={"query": f"SELECT * FROM <http://127.0.0.1:{outside.port}/data.ttl> WHERE {{ ?s ?p ?o }}"})
        assert r.status_code == 400 and "FROM" in r.text
        time.sleep(0.3)
        assert outside.connections == 0


def test_from_a_graph_of_the_store_is_allowed(app: InProcessServer) -> None:
    r = app.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/twinkg/graph/curated> WHERE { ?s ?p ?o }"})
    assert r.status_code == 200, r.text
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_the_row_cap_holds_in_each_format(app: InProcessServer) -> None:
    r = app.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.headers["x-sparql-max-rows"] == "5" and r.headers["x-sparql-truncated"] == "true"
    assert len(r.json()["results"]["bindings"]) == 5
    r = app.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3"})
    assert r.headers["x-sparql-truncated"] == "false" and r.headers["x-sparql-rows"] == "3"
    r = app.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3000", "format": "csv"})
    assert r.headers["x-sparql-truncated"] == "true" and len(r.text.strip().splitlines()) == 6
    r = app.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "nt"})
    assert r.headers["x-sparql-truncated"] == "true" and len(r.text.strip().splitlines()) == 5


def test_every_id_of_the_graph_dereferences(app: InProcessServer, mini_build) -> None:  # type: ignore[no-untyped-def]
    """Each resource's data document comes whole out of the store, in every format."""
    settings, _ = mini_build
    base = settings.base + "id/"
    ids = sorted({q.subject.value for q in ox.parse(gzip.decompress((settings.out_dir / "twinkg.nq.gz").read_bytes()),
                                                      format=ox.RdfFormat.N_QUADS)
                  if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(base)})
    assert len(ids) > 10
    for iri in ids:
        r = app.get("/" + iri.removeprefix(settings.base), headers={"Accept": "text/turtle"})
        assert r.status_code == 303, (iri, r.status_code)
        doc = app.get(r.headers["location"])
        assert doc.status_code == 200, iri
        assert iri in {t.subject.value for t in ox.parse(doc.content, format=ox.RdfFormat.TURTLE)}


@pytest.mark.parametrize("path", ["/", "/page/id/place/alpha-town", "/page/id/twinning/alpha-town--beta-city",
                                  "/page/id/actor/jane-doe", "/page/id/source/doc-a", "/page/vocab/status/suspended",
                                  "/ontology", "/void", "/page/id/place/atlantis"])
def test_pages_say_what_they_say_over_the_embedded_store(app: InProcessServer, app_server: InProcessServer,
                                                         path: str) -> None:
    """The pages' queries answer over the store as over the embedded store: the same title, links and
    conflict marks (tests/test_server_linked_data.py checks what the pages say). Not the same bytes: a store
    may list unordered values in another order, and Virtuoso rewrites a WKT literal as its own geometry type."""
    remote, embedded = app.get(path, headers={"Accept": "text/html"}), app_server.get(path, headers={"Accept": "text/html"})
    assert (remote.status_code, remote.headers["content-type"]) == (embedded.status_code, embedded.headers["content-type"])
    ours, theirs = Page(remote.text), Page(embedded.text)
    assert (ours.title, sorted(ours.links), ours.misnested) == (theirs.title, sorted(theirs.links), theirs.misnested)
    assert remote.text.count("Conflicting claim") == embedded.text.count("Conflicting claim")


def test_a_runaway_query_is_abandoned_and_others_are_answered(app: InProcessServer) -> None:
    """twinkg gives up at its --timeout (503 saying so) and keeps answering.

    The store works on the runaway until its own time limit (STORE_SECONDS): no other test may share the store with
    it (on a loaded machine Virtuoso answered a dereference in over 5 s meanwhile), so this is the module's last test
    for each store, which is stopped right after it (pytest runs a module's tests store by store, in file order)."""
    # A client's queries run one at a time until one has finished (server.fairness): this one has had an answer.
    assert app.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    with ThreadPoolExecutor(2) as pool:
        runaway = pool.submit(app.get, "/sparql", params={"query": RUNAWAY})
        time.sleep(0.2)
        quick = []
        while not runaway.done():
            quick.append(app.get("/sparql", params={"query": "ASK { ?s a tw:Twinning }"}).status_code)
            time.sleep(0.05)
        slow = runaway.result()
    assert slow.status_code == 503 and f"did not answer within {TIMEOUT} s" in slow.text, slow.text
    assert quick and all(status == 200 for status in quick), quick
    assert app.get("/sparql", params={"query": "ASK {}"}).status_code == 200
