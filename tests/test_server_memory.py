"""Memory is bounded: a byte cap on answers (announced like the row cap), answers streamed from a file so
that slow readers hold little in the web process, and a memory ceiling per query worker."""

from __future__ import annotations

import dataclasses
import io
import json
import socket
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient
from support.builds import count
from support.processes import Server, children, cpu_ticks, mini_server, open_window, rss_kib

from twinkg.build import Built
from twinkg.config import Settings
from twinkg.graphs import quads
from twinkg.server.app import create_app
from twinkg.server.config import ServerConfig
from twinkg.store.memory import MemoryStore
from twinkg.vocab import Iris

pytestmark = pytest.mark.slow

CAP = 3000
BIG = ("SELECT ?s ?p ?o ?x WHERE { ?s ?p ?o . ?a ?b ?c "
       "BIND(CONCAT(STR(?s), STR(?p), STR(?o), STR(?s), STR(?p), STR(?o)) AS ?x) } LIMIT 12000")


@pytest.fixture(scope="module")
def capped(mini_build: tuple[Settings, Built]) -> Iterator[TestClient]:
    settings, built = mini_build
    store = MemoryStore(quads(built.graphs, Iris(settings.base)))
    small = dataclasses.replace(settings, max_answer_bytes=CAP)
    with TestClient(create_app(ServerConfig(store=store, settings=small, out_dir=settings.out_dir))) as c:
        yield c


@pytest.mark.parametrize("fmt, parse", [
    ("json", lambda b: len(json.loads(b)["results"]["bindings"])),
    ("xml", lambda b: count(ox.parse_query_results(b, format=ox.QueryResultsFormat.XML))),
    ("tsv", lambda b: count(ox.parse_query_results(b, format=ox.QueryResultsFormat.TSV))),
    ("csv", lambda b: b.count(b"\r\n") - 1),
])
def test_select_answers_are_cut_at_the_byte_cap(capped: TestClient, fmt: str, parse) -> None:  # type: ignore[no-untyped-def]
    r = capped.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2000", "format": fmt})
    assert r.status_code == 200
    assert r.headers["x-sparql-max-bytes"] == str(CAP) and r.headers["x-sparql-truncated"] == "true"
    assert 0 < len(r.content) <= CAP
    assert parse(r.content) == int(r.headers["x-sparql-rows"]) > 0  # whole rows, a valid document


@pytest.mark.parametrize("fmt, rdf", [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES),
                                      ("jsonld", ox.RdfFormat.JSON_LD), ("rdf", ox.RdfFormat.RDF_XML)])
def test_construct_answers_are_cut_at_the_byte_cap(capped: TestClient, fmt: str, rdf: ox.RdfFormat) -> None:
    r = capped.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": fmt})
    assert r.status_code == 200 and r.headers["x-sparql-truncated"] == "true"
    assert 0 < len(r.content) <= CAP
    assert len(list(ox.parse(io.BytesIO(r.content), format=rdf))) == int(r.headers["x-sparql-rows"]) > 0


def test_small_answers_are_whole_and_announce_the_cap(capped: TestClient) -> None:
    r = capped.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"})
    assert r.headers["x-sparql-max-bytes"] == str(CAP) and r.headers["x-sparql-truncated"] == "false"
    assert len(r.json()["results"]["bindings"]) == 2


server = mini_server("memory", "--max-rows", "200000", "--worker-memory-mb", "700", "--workers", "1", "--read-timeout", "60",
                     "--fast-workers", "1", "--max-queries-per-client", "32", "--timeout", "60", "--quiet")
READERS = 12


def slow_readers(srv: Server, n: int, query: str) -> list[socket.socket]:
    """n clients that ask for a large answer and then read nothing."""
    host, port = srv.url.removeprefix("http://").split(":")
    body = ("query=" + query.replace("%", "%25").replace("&", "%26").replace("+", "%2B").replace(" ", "+")).encode()
    out = []
    for _ in range(n):
        s = socket.create_connection((host, int(port)))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: text/tab-separated-values\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        out.append(s)
    return out


def wait_until_idle(srv: Server) -> None:
    """Until the workers have used no CPU for a second (every query answered), looked at every 0.1 s."""
    last, quiet_since = -1, time.monotonic()
    deadline = quiet_since + 120
    while time.monotonic() < deadline:
        now = sum(cpu_ticks(c) for c in children(srv.proc.pid))
        if now != last:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= 1:
            return
        time.sleep(0.1)


def test_slow_readers_hold_little_memory_in_the_web_process(server: Server) -> None:
    size = len(server.post("/sparql", data={"query": BIG}, headers={"Accept": "text/tab-separated-values"})
               .content)
    assert size > 2 << 20
    before = rss_kib(server.proc.pid)
    readers = slow_readers(server, READERS, BIG)
    try:
        wait_until_idle(server)  # every answer evaluated and its first chunks sent
        grown = rss_kib(server.proc.pid) - before
        # Held in the web process, the answers would take READERS × size; streamed, a few chunks each.
        assert grown * 1024 < READERS * size / 10, (grown, size)
        first = readers[0]
        first.settimeout(30)
        open_window(first)
        got = 0
        while chunk := first.recv(1 << 20):  # a reader that does read gets the whole answer
            got += len(chunk)
            if got > size:
                break
        assert got > size
    finally:
        for s in readers:
            s.close()
    assert server.get("/healthz").status_code == 200


def test_a_query_over_the_worker_memory_ceiling_is_503_and_the_worker_replaced(server: Server) -> None:
    pid = server.proc.pid
    before = children(pid)
    doublings = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(26))
    hog = f'SELECT (STRLEN(?x26) AS ?n) WHERE {{ BIND("{"a" * 64}" AS ?x0) {doublings} }}'  # 4 GiB by doubling
    r = server.get("/sparql", params={"query": hog})
    assert r.status_code == 503 and "MiB a query may use" in r.text, r.text
    deadline = time.monotonic() + 30
    while len(children(pid)) < len(before) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(children(pid)) == len(before)
    assert server.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
