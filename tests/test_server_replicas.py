"""Two `twinkg serve` replicas over one remote store, behind a round-robin proxy on loopback: the web layer keeps no
state, so both give the same answers and ETags, and a publish is seen by both."""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from support.builds import MINI
from support.processes import REMOTE_STORES, RemoteStoreServer, start_remote_store, start_twinkg, write_dump
from support.proxies import LoopbackProxy

pytestmark = [pytest.mark.slow, pytest.mark.remote_store]

PATHS = [
    ("/sparql?query=SELECT%20%3Fp%20WHERE%20%7B%20%3Fp%20a%20tw%3APlace%20%7D%20ORDER%20BY%20%3Fp", "application/sparql-results+json"),
    ("/sparql?query=CONSTRUCT%20WHERE%20%7B%20%3Fs%20a%20tw%3ATwinning%20%7D", "application/n-triples"),
    ("/page/id/place/alpha-town", "text/html"),
    ("/data/id/place/alpha-town.ttl", "text/turtle"),
    ("/", "text/html"),
    ("/dumps/twinkg.nq.gz", "*/*"),
]
MARK = "https://w3id.org/twinkg/id/place/replica-test-mark"


@pytest.mark.parametrize("kind", REMOTE_STORES)
def test_replicas_behind_a_load_balancer(mini_build, kind: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings, _ = mini_build
    store: RemoteStoreServer = start_remote_store(kind, tmp_path / "db", tmp_path)
    replicas, proxy = [], None
    try:
        assert store.publish(settings.out_dir).returncode == 0
        replicas = [start_twinkg(settings.out_dir, MINI, tmp_path, *store.serve_args(), "--quiet") for _ in range(2)]
        proxy = LoopbackProxy([r.url for r in replicas])
        with httpx.Client(base_url=proxy.url, timeout=60) as c:
            for path, accept in PATHS:
                first, second = (c.get(path, headers={"Accept": accept}) for _ in range(2))
                assert first.status_code == second.status_code == 200, (path, first.text[:300])
                assert first.content == second.content, path  # the same answer from either replica
                assert first.headers.get("etag") == second.headers.get("etag"), path
                if "etag" in first.headers:  # a tag one replica gave is honoured by the other
                    again = c.get(path, headers={"Accept": accept, "If-None-Match": first.headers["etag"]})
                    assert again.status_code == 304, path
            assert "etag" in c.get("/page/id/place/alpha-town").headers
            turns = Counter(proxy.sent)
            assert set(turns) == {r.url for r in replicas} and abs(turns[replicas[0].url] - turns[replicas[1].url]) <= 1

            # a changed build is published: both replicas see it at once, nothing to restart
            changed = tmp_path / "dist-changed"
            graphs: dict[str, list[str]] = {}
            for q in ox.parse(gzip.decompress((settings.out_dir / "twinkg.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS):
                graphs.setdefault(q.graph_name.value, []).append(f"{q.subject} {q.predicate} {q.object} .")
            curated = "https://w3id.org/twinkg/graph/curated"
            graphs[curated].append(f"<{MARK}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/twinkg/ontology#Place> .")
            write_dump(changed, {g: "\n".join(lines) for g, lines in graphs.items()})
            published = store.publish(changed)
            assert published.returncode == 0, published.stderr
            ask = {"query": f"ASK {{ <{MARK}> a tw:Place }}"}
            seen = [c.get("/sparql", params=ask).json()["boolean"] for _ in range(4)]
            assert seen == [True] * 4
    finally:
        if proxy is not None:
            proxy.close()
        for r in replicas:
            r.stop()
        store.stop()
