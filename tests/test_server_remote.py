"""`twinkg publish` into real SPARQL stores on loopback (Oxigraph and Virtuoso), and `twinkg serve --sparql-endpoint` over them:
the adapters (what each product needs, what it must not do) beside the protocol suite (tests/test_server_protocol.py)
and what the endpoint and the pages read through them (tests/test_server_remote_reads.py)."""

from __future__ import annotations

import dataclasses
import gzip
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from support.builds import MINI
from support.inprocess import serve_app
from support.processes import REMOTE_STORES, RemoteStoreServer, start_remote_store, start_twinkg, write_dump
from support.proxies import LoopbackProxy

from twinkg.config import Settings
from twinkg.remote import BULK_MIN_BYTES, PublishError, publish_graphs
from twinkg.store.remote import ADAPTERS, VIRTUOSO_GRAPHS
from twinkg.vocab import LOADING_GRAPHS, STAGING_GRAPHS

pytestmark = [pytest.mark.slow, pytest.mark.remote_store]

VERSION = "urn:twinkg:test:version"


@pytest.fixture(scope="module", params=REMOTE_STORES)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStoreServer]:
    root = tmp_path_factory.mktemp(request.param)
    srv = start_remote_store(request.param, root / "db", root)
    yield srv
    srv.stop()


def select(store: RemoteStoreServer, query: str) -> list[dict[str, str]]:
    r = httpx.post(store.query_url, data={"query": query}, headers={"Accept": "application/sparql-results+json"},
                   timeout=60)
    assert r.status_code == 200, r.text
    return [{k: v["value"] for k, v in row.items()} for row in r.json()["results"]["bindings"]]


def graph_counts(store: RemoteStoreServer) -> dict[str, int]:
    rows = select(store, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    own = ADAPTERS[store.kind].own_graph
    return {row["g"]: int(row["n"]) for row in rows if not own(row["g"])}


def dump_counts(out_dir: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for q in ox.parse(gzip.decompress((out_dir / "twinkg.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS):
        counts[q.graph_name.value] = counts.get(q.graph_name.value, 0) + 1
    return counts


def put(store: RemoteStoreServer, graph: str, ntriples: bytes) -> None:
    r = httpx.put(store.store_url, params={"graph": graph}, content=ntriples,
                  headers={"Content-Type": "application/n-triples"}, timeout=60)
    assert r.status_code in (200, 201, 204), r.text


def test_publish_replaces_each_graph(mini_build, store: RemoteStoreServer) -> None:  # type: ignore[no-untyped-def]
    settings, _ = mini_build
    # an old version of a graph and a graph twinkg does not own
    put(store, "https://w3id.org/twinkg/graph/curated", b"<http://e/old> <http://e/p> <http://e/o> .\n")
    put(store, "http://e/other", b"<http://e/x> <http://e/p> <http://e/o> .\n")
    result = store.publish(settings.out_dir)
    assert result.returncode == 0, result.stderr
    assert "swapped" in result.stderr
    # the mini build's graphs are small: each goes in one transaction, into Oxigraph too (its bulk loader takes the
    # graphs of BULK_MIN_BYTES or more: test_failed_upload_changes_nothing)
    assert "bulk loader" not in result.stderr.replace("\n", " "), result.stderr
    counts = graph_counts(store)
    expected = dump_counts(settings.out_dir)
    assert {g: counts.get(g) for g in expected} == expected  # the old triple is gone: replaced, not merged
    assert counts.get("http://e/other") == 1  # graphs twinkg does not publish are left alone
    assert not [g for g in counts if g.startswith("urn:twinkg:staging")]
    again = store.publish(settings.out_dir)  # idempotent
    assert again.returncode == 0 and graph_counts(store) == counts


def test_failed_swap_leaves_the_published_graphs_alone(mini_build, store: RemoteStoreServer) -> None:  # type: ignore[no-untyped-def]
    settings, _ = mini_build
    assert store.publish(settings.out_dir).returncode == 0
    before = graph_counts(store)
    result = store.publish(settings.out_dir, "--update", f"{store.url}/no-such-endpoint")
    assert result.returncode == 1 and "failed" in result.stderr
    assert graph_counts(store) == before  # no staging graph left, nothing half-replaced


def versioned_dumps(mini_out: Path, root: Path, padding: int, graph_suffix: str = "") -> dict[str, Path]:
    """Two builds of the same graphs, "A" and "B": every graph holds a version marker and `padding` triples
    of its own, so that a reader can tell from one answer whether the graphs it sees come from one build.
    With a `graph_suffix`, the graphs are the mini build's named with it appended: graphs no store holds yet."""
    graphs: dict[str, list[str]] = {}
    for q in ox.parse(gzip.decompress((mini_out / "twinkg.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(q.graph_name.value + graph_suffix, []).append(f"{q.subject} {q.predicate} {q.object} .")
    dumps = {}
    for version in ("A", "B"):
        dumps[version] = root / f"dist-{version}"
        write_dump(dumps[version], {
            g: "\n".join([*lines, f'<{VERSION}> <{VERSION}> "{version}" .',
                          *(f'<urn:twinkg:test:{version}:{i}> <{VERSION}> "{i}" .' for i in range(padding))])
            for g, lines in graphs.items()})
    return dumps


def test_readers_see_the_old_graphs_or_the_new_never_a_mix(mini_build, store: RemoteStoreServer,  # type: ignore[no-untyped-def]
                                                           tmp_path: Path) -> None:
    settings, _ = mini_build
    dumps = versioned_dumps(settings.out_dir, tmp_path, padding=1000)
    assert store.publish(dumps["A"]).returncode == 0
    graphs = set(dump_counts(dumps["A"]))
    query = f"SELECT ?g ?v (COUNT(*) AS ?n) {{ GRAPH ?g {{ ?s <{VERSION}> ?v0 . <{VERSION}> <{VERSION}> ?v }} }} GROUP BY ?g ?v"
    seen: list[tuple[tuple[str, str, int], ...]] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            rows = select(store, query)
            seen.append(tuple(sorted((r["g"], r["v"], int(r["n"])) for r in rows if r["g"] in graphs)))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        result = store.publish(dumps["B"])
    finally:
        done.set()
        for t in threads:
            t.join()
    assert result.returncode == 0, result.stderr
    kinds: Counter[str] = Counter()
    for answer in seen:
        versions = {v for _, v, _ in answer}
        assert len(versions) == 1 and len(answer) == len(graphs), answer  # one build, every graph of it
        assert all(n == 1001 for _, _, n in answer), answer  # whole graphs
        kinds[versions.pop()] += 1
    assert kinds["A"] > 0, kinds  # the readers did overlap the publish
    assert {g: n for g, n in graph_counts(store).items() if g in graphs} == dump_counts(dumps["B"])


def test_a_reader_through_twinkg_never_sees_a_publish_under_way(mini_build, store: RemoteStoreServer,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    """Between its uploads and its swap a publish leaves two builds in the store: the staging graphs hold the new
    one. A query through twinkg that brings no dataset reads the published build alone, though the store's own
    default graph (Oxigraph started with --union-default-graph, Virtuoso's every graph) holds both."""
    settings, _ = mini_build
    dumps = versioned_dumps(settings.out_dir, tmp_path, padding=0)
    assert store.publish(dumps["A"]).returncode == 0
    steps = publish_graphs(dumps["B"], store.store_url, store.update_url)
    uploads = len(dump_counts(dumps["B"]))
    lines = [next(steps) for _ in range(1 + uploads)]  # "N graphs in …", then one line per staging upload
    assert all(line.startswith("uploaded") for line in lines[1:]), lines
    assert {row["v"] for row in select(store, IN_GRAPHS)} == {"A", "B"}  # the store holds both builds now
    versions, graphs = through_twinkg(settings, store)
    assert versions == ["A"], versions
    assert graphs and not [g for g in graphs if g.startswith(STAGING_GRAPHS)], graphs
    assert [line for line in steps if line.startswith("swapped")]  # the swap, then the staging graphs are gone
    assert through_twinkg(settings, store)[0] == ["B"]


MARKER = f"SELECT DISTINCT ?v {{ <{VERSION}> <{VERSION}> ?v }} ORDER BY ?v"
IN_GRAPHS = f"SELECT DISTINCT ?g ?v {{ GRAPH ?g {{ <{VERSION}> <{VERSION}> ?v }} }}"


def through_twinkg(settings: Settings, store: RemoteStoreServer, dataset: dict[str, str] | None = None
                   ) -> tuple[list[str], set[str]]:
    """The version markers and the graphs holding one that a query through twinkg reads over the store, from an app
    started anew (it asks the store for its graphs on its first query); the markers of the protocol `dataset`
    (`default-graph-uri`) if one is given."""
    over = dataclasses.replace(settings, sparql_endpoint=store.query_url, sparql_endpoint_kind=store.kind,
                               workers=1, fast_workers=0)
    with serve_app(over) as app:
        versions = app.get("/sparql", params={"query": MARKER, **(dataset or {})},
                           headers={"Accept": "text/csv"}).text.split()[1:]
        rows = app.get("/sparql", params={"query": IN_GRAPHS}, headers={"Accept": "text/csv"}).text.split()[1:]
    return versions, {row.split(",")[0] for row in rows}


def test_a_reader_through_twinkg_never_sees_a_first_publish_under_way(mini_build, store: RemoteStoreServer,  # type: ignore[no-untyped-def]
                                                                       tmp_path: Path) -> None:
    """Into a store that holds none of its graphs (it answers a GET of each with 404), a publish has nothing to swap
    out: it loads each graph in place, with no staging graph and no swap that rewrites every triple, under a marker
    graph per graph that hides it from twinkg until the last is in. Meanwhile a query through twinkg reads none of the
    new graphs, though the store holds them all."""
    settings, _ = mini_build
    dumps = versioned_dumps(settings.out_dir, tmp_path, padding=0, graph_suffix=f"/{tmp_path.name}")
    graphs = set(dump_counts(dumps["A"]))
    steps = publish_graphs(dumps["A"], store.store_url, store.update_url)
    lines = [next(steps) for _ in range(1 + len(graphs))]  # "N graphs in …", then one line per upload
    assert all(line.startswith("loaded") for line in lines[1:]), lines
    # every graph is in the store under its own name, and its marker beside it
    assert {g: n for g, n in graph_counts(store).items() if g in graphs} == dump_counts(dumps["A"])
    assert {f"{LOADING_GRAPHS}{g}" for g in graphs} <= set(graph_counts(store))
    # (the store's other graphs may hold a version marker of an earlier test's build: the graphs tell)
    seen = through_twinkg(settings, store)[1]
    assert not seen & graphs, seen
    # nor does a query that names one as its protocol dataset: a graph twinkg does not publish (yet) reads as empty
    named = {"default-graph-uri": sorted(graphs)[0]}
    assert through_twinkg(settings, store, named)[0] == []
    assert list(steps)[-1].startswith("showed")
    seen = through_twinkg(settings, store)[1]
    assert graphs <= seen, seen
    assert through_twinkg(settings, store, named)[0] == ["A"]
    counts = graph_counts(store)
    assert {g: n for g, n in counts.items() if g in graphs} == dump_counts(dumps["A"])
    assert not [g for g in counts if g.startswith(STAGING_GRAPHS)]  # no staging graph, no marker left


def test_a_failed_first_publish_leaves_nothing(mini_build, store: RemoteStoreServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The store fails the second graph's upload of a first publish: what was loaded in place and the markers that
    hid it are deleted; the store is as it was."""
    settings, _ = mini_build
    dumps = versioned_dumps(settings.out_dir, tmp_path, padding=10, graph_suffix=f"/{tmp_path.name}")
    before = graph_counts(store)
    puts: list[str] = []
    proxy = LoopbackProxy([store.url], refuse=lambda method, path, n: method == "PUT" and not puts.append(path)  # type: ignore[func-returns-value]
                          and len(puts) == 2)
    proxied = dataclasses.replace(store, url=proxy.url)
    lines: list[str] = []
    try:
        with pytest.raises(PublishError, match="500 refused"):
            lines.extend(publish_graphs(dumps["A"], proxied.store_url, proxied.update_url))
    finally:
        proxy.close()
    assert [line for line in lines if line.startswith("loaded")], lines  # in place
    assert graph_counts(store) == before


def test_a_graph_store_url_that_answers_404_to_all_leaves_no_marker(mini_build, store: RemoteStoreServer) -> None:  # type: ignore[no-untyped-def]
    """A Graph Store URL that answers 404 to everything (a wrong one beside the right update endpoint; here a proxy in
    front) reads as a store that holds none of the graphs: the publish hides them by update, fails its first upload
    in place, and shows them again by the update endpoint, as a DELETE at that URL cannot: no marker is left to hide
    the graphs published before from every reader through twinkg."""
    settings, _ = mini_build
    assert store.publish(settings.out_dir).returncode == 0
    before = graph_counts(store)
    proxy = LoopbackProxy([store.url], refuse=lambda method, path, n: 404 if path.startswith(store.store_path) else None)
    try:
        with pytest.raises(PublishError, match=r"\?graph=https://.*: 404"):  # in place: the graph's own name
            list(publish_graphs(settings.out_dir, proxy.url + store.store_path, proxy.url + store.update_path))
    finally:
        proxy.close()
    assert graph_counts(store) == before


def test_a_failed_first_publish_deletes_only_the_graphs_it_began_to_load(mini_build, store: RemoteStoreServer,  # type: ignore[no-untyped-def]
                                                                         tmp_path: Path) -> None:
    """A store that answers 404 to a GET of graphs it holds (here a proxy in front) sends the publish in place; its
    second upload fails: the two graphs it began to load are deleted, the others are as they were published, and no
    marker is left."""
    settings, _ = mini_build
    assert store.publish(settings.out_dir).returncode == 0
    before = graph_counts(store)
    dumps = versioned_dumps(settings.out_dir, tmp_path, padding=10)
    order = list(dump_counts(dumps["A"]))  # the dump's order, the uploads' order
    assert len(order) > 2 and set(order) <= set(before), order
    puts: list[str] = []

    def refuse(method: str, path: str, n: int) -> int | None:
        if method == "PUT":
            puts.append(path)
            return 500 if len(puts) == 2 else None
        return 404 if method == "GET" else None

    proxy = LoopbackProxy([store.url], refuse=refuse)
    try:
        result = dataclasses.replace(store, url=proxy.url).publish(dumps["A"])
    finally:
        proxy.close()
    assert result.returncode == 1 and "loaded <" in result.stderr, result.stderr  # (in place)
    counts = graph_counts(store)
    assert {g: counts.get(g) for g in order[2:]} == {g: before[g] for g in order[2:]}
    assert not [g for g in counts if g.startswith(STAGING_GRAPHS)], counts
    assert store.publish(settings.out_dir).returncode == 0  # the mini build again, for the tests after this one


def test_graphs_a_killed_first_publish_left_stay_hidden_until_the_next_publish(mini_build, store: RemoteStoreServer,  # type: ignore[no-untyped-def]
                                                                                tmp_path: Path) -> None:
    """A first publish killed after its first upload leaves its markers and that graph: twinkg keeps the graph out
    of every query; the next publish (the graph is there now: staging graphs and a swap) drops the markers."""
    settings, _ = mini_build
    dumps = versioned_dumps(settings.out_dir, tmp_path, padding=0, graph_suffix=f"/{tmp_path.name}")
    ntriples = graph_ntriples(dumps["A"])
    first = sorted(ntriples)[0]
    for graph in ntriples:
        put(store, f"{LOADING_GRAPHS}{graph}", f"<{graph}> <{LOADING_GRAPHS}> <{LOADING_GRAPHS}{graph}> .\n".encode())
    put(store, first, ntriples[first])
    assert first not in through_twinkg(settings, store)[1]
    lines = list(publish_graphs(dumps["A"], store.store_url, store.update_url))
    assert lines[-1].startswith("swapped"), lines
    counts = graph_counts(store)
    assert not [g for g in counts if g.startswith(STAGING_GRAPHS)], counts
    assert {g: n for g, n in counts.items() if g in ntriples} == dump_counts(dumps["A"])
    seen = through_twinkg(settings, store)[1]
    assert set(ntriples) <= seen, seen


def test_failed_upload_changes_nothing(mini_build, store: RemoteStoreServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The store fails the second graph's upload: nothing published changes and no staging graph is left."""
    settings, _ = mini_build
    assert store.publish(settings.out_dir).returncode == 0
    before = graph_counts(store)
    # Into Oxigraph, graphs over BULK_MIN_BYTES (padding lines of 50 bytes or more), for its bulk loader; Virtuoso has
    # none, and a graph that large took it 10 s
    dumps = versioned_dumps(settings.out_dir, tmp_path, padding=BULK_MIN_BYTES // 50 if store.kind != "virtuoso" else 10)
    puts: list[str] = []
    proxy = LoopbackProxy([store.url], refuse=lambda method, path, n: method == "PUT" and not puts.append(path)  # type: ignore[func-returns-value]
                          and len(puts) == 2)
    try:
        proxied = RemoteStoreServer(proxy.url, store.proc, store.log_path, kind=store.kind,
                                    query_path=store.query_path, store_path=store.store_path,
                                    update_path=store.update_path)
        result = proxied.publish(dumps["B"])
    finally:
        proxy.close()
    assert result.returncode == 1 and "500" in result.stderr, result.stderr
    assert graph_counts(store) == before
    # the failed upload was a bulk load (no transaction) into Oxigraph, a plain PUT into Virtuoso
    assert all(("no_transaction" in path) == (store.kind != "virtuoso") for path in puts), puts


def test_serve_over_the_remote_store(mini_build, store: RemoteStoreServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings, _ = mini_build
    assert store.publish(settings.out_dir).returncode == 0
    srv = start_twinkg(settings.out_dir, MINI, tmp_path, *store.serve_args(), "--max-rows", "3")
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
            assert typo.status_code == 400 and "error at 3:" in typo.text, typo.text  # the line the user wrote
            assert c.get("/sparql", params={"query": "SELECT * FROM <https://w3id.org/twinkg/graph/curated> { ?s ?p ?o } LIMIT 1"}).status_code == 200
            # the union default graph is the published graphs, nothing of the store's own
            r = c.get("/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"})
            seen = {b["g"]["value"] for b in r.json()["results"]["bindings"]}
            assert seen and not [g for g in seen if g.startswith(VIRTUOSO_GRAPHS)]
            assert c.get("/id/place/alpha-town", headers={"Accept": "text/html"}).status_code == 303
            page = c.get("/page/id/twinning/alpha-town--beta-city")
            assert page.status_code == 200 and "Conflicting claim" in page.text
            assert c.get("/id/place/atlantis", headers={"Accept": "text/html"}).status_code == 404
            assert c.get("/dumps/twinkg.ttl").status_code == 200
    finally:
        srv.stop()


def test_virtuosos_own_time_limit_is_a_timeout(mini_build, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Virtuoso stops a runaway query at its own limit (1 s, before twinkg's 30 s) with a 500 `SR171`: the adapter
    makes it a timeout (503 saying so), not a failing store. The app runs in process (the adapter is under test,
    not the sockets: `test_serve_over_the_remote_store` runs `twinkg serve` over Virtuoso)."""
    settings, kind = mini_build[0], "virtuoso"
    store = start_remote_store(kind, tmp_path / "db", tmp_path, query_seconds=1)
    try:
        for graph, ntriples in graph_ntriples(settings.out_dir).items():
            put(store, graph, ntriples)  # plain PUTs: the store's time limit also bounds updates
        over = dataclasses.replace(settings, sparql_endpoint=store.query_url, sparql_endpoint_kind=store.kind,
                                   timeout=30.0, workers=1, fast_workers=0)
        with serve_app(over) as app:
            r = app.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"})
            assert r.status_code == 503 and "own time limit" in r.text, (r.status_code, r.text)
            assert app.get("/sparql", params={"query": "ASK { ?s a tw:Place }"}).json()["boolean"] is True
    finally:
        store.stop()


def graph_ntriples(out_dir: Path) -> dict[str, bytes]:
    graphs: dict[str, list[str]] = {}
    for q in ox.parse(gzip.decompress((out_dir / "twinkg.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(q.graph_name.value, []).append(f"{q.subject} {q.predicate} {q.object} .\n")
    return {g: "".join(lines).encode() for g, lines in graphs.items()}
