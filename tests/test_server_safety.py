"""Safety of the public endpoint: read-only, no outbound calls, a timeout that stops the work, caps, CORS."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from netguard import Listener
from support.processes import Server, children, mini_server

pytestmark = pytest.mark.slow

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


server = mini_server("safety", "--timeout", "2", "--max-rows", "5", "--max-request-bytes", "4096", "--workers", "2")
"""On the embedded store; what of this depends on the store (datasets, caps, timeouts) is tested over each remote
store in tests/test_server_remote.py."""


@pytest.fixture()
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.close()


def get(server: Server, query: str, **params: str) -> httpx.Response:
    with server.client() as c:
        return c.get("/sparql", params={"query": query, **params})


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ # a comment\n sErViCe SILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
    "PREFIX r: <http://127.0.0.1:{port}/> SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE r:sparql {{ ?s ?p ?o }} }} }}",
    "SELECT * FROM <http://127.0.0.1:{port}/data.ttl> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <http://127.0.0.1:{port}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "PREFIX r: <http://127.0.0.1:{port}/> CONSTRUCT {{ ?s ?p ?o }} FROM r:data.ttl WHERE {{ ?s ?p ?o }}",
    "ASK FROM <http://127.0.0.1:{port}/data.ttl> {{ }}",
])
def test_service_and_remote_from_are_refused_without_any_connection(server: Server, listener: Listener,
                                                                    template: str) -> None:
    r = get(server, template.format(port=listener.port))
    assert r.status_code == 400, r.text
    assert "SERVICE" in r.text or "FROM" in r.text
    time.sleep(0.3)
    assert listener.connections == 0


def test_protocol_dataset_outside_the_store_is_empty_and_never_fetched(server: Server, listener: Listener) -> None:
    r = get(server, "SELECT * WHERE { ?s ?p ?o }", **{"default-graph-uri": f"http://127.0.0.1:{listener.port}/g"})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    time.sleep(0.3)
    assert listener.connections == 0


def test_words_inside_strings_comments_and_names_are_not_keywords(server: Server) -> None:
    r = get(server, 'SELECT ("SERVICE <http://x/>" AS ?a) ?service WHERE { # SERVICE <http://x/> {}\n'
                    " BIND(<http://e/service> AS ?service) }")
    assert r.status_code == 200, r.text


def test_from_a_graph_of_the_store_is_allowed(server: Server) -> None:
    r = get(server, "SELECT (COUNT(*) AS ?n) FROM tw:x WHERE { ?s ?p ?o }".replace(
        "tw:x", "<https://w3id.org/twinkg/graph/curated>"))
    assert r.status_code == 200, r.text
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) > 0


def test_read_only(server: Server) -> None:
    with server.client() as c:
        r = c.post("/sparql", content="INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
                   headers={"Content-Type": "application/sparql-update"})
        assert r.status_code == 403 and "read-only" in r.text
        r = c.post("/sparql", data={"update": "CLEAR ALL"})
        assert r.status_code == 403
        r = c.get("/sparql", params={"update": "CLEAR ALL"})
        assert r.status_code == 403
        r = c.post("/sparql", data={"query": "DELETE WHERE { ?s ?p ?o }"})
        assert r.status_code == 400
        r = c.get("/sparql", params={"query": "ASK { ?s a tw:Place }"})
        assert r.json()["boolean"] is True


def test_syntax_errors_are_400_with_a_message(server: Server) -> None:
    r = get(server, "SELEKT * WHERE { ?s ?p ?o }")
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("text/plain")
    assert "syntax" in r.text.lower()
    r = get(server, 'SELECT * WHERE { ?s ?p "unterminated }')
    assert r.status_code == 400


def test_timeout_stops_the_work_and_other_requests_are_answered(server: Server) -> None:
    before = children(server.proc.pid)
    assert len(before) == 6  # --workers 2, 2 fast-lane workers, and the 2 store-less workers that parse queries
    with ThreadPoolExecutor(4) as pool:
        started = time.monotonic()
        runaway = pool.submit(get, server, RUNAWAY)
        time.sleep(0.2)
        quick = []  # (status, whether the runaway still ran when the answer came)
        while not runaway.done():
            r = get(server, "ASK { ?s a tw:Twinning }")
            quick.append((r.status_code, not runaway.done()))
            time.sleep(0.05)
        slow = runaway.result()
        took = time.monotonic() - started
    assert slow.status_code == 503, slow.text
    assert "stopped" in slow.text
    assert took > 1.8  # stopped at its limit, not before (the runaway alone would run for hours)
    assert quick and all(status == 200 for status, _ in quick)
    assert any(during for _, during in quick)  # answered beside the runaway, not queued behind it
    deadline = time.monotonic() + 60  # the replacement starts (slowly on a loaded machine)
    while len(children(server.proc.pid)) < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    after = children(server.proc.pid)
    gone = before - after
    assert len(gone) == 1, (before, after)
    assert not Path(f"/proc/{gone.pop()}").exists()  # killed and reaped: the work really stopped
    assert len(after) == 6
    assert get(server, "ASK {}").status_code == 200


def test_row_cap_is_announced(server: Server) -> None:
    r = get(server, "SELECT * WHERE { ?s ?p ?o }")
    assert r.status_code == 200
    assert r.headers["x-sparql-max-rows"] == "5"
    assert r.headers["x-sparql-truncated"] == "true"
    assert len(r.json()["results"]["bindings"]) == 5
    r = get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    assert r.headers["x-sparql-truncated"] == "false" and r.headers["x-sparql-rows"] == "3"
    r = get(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 3000", format="csv")
    assert r.headers["x-sparql-truncated"] == "true" and len(r.text.strip().splitlines()) == 6
    r = get(server, "CONSTRUCT WHERE { ?s ?p ?o }", format="nt")
    assert r.headers["x-sparql-truncated"] == "true" and len(r.text.strip().splitlines()) == 5


def test_request_size_cap(server: Server) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000
    with server.client() as c:
        assert c.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"}).status_code == 413
        assert c.post("/sparql", data={"query": big}).status_code == 413
        assert c.get("/sparql", params={"query": big}).status_code == 414
        assert c.post("/sparql", content=big[:1000], headers={"Content-Type": "application/sparql-query"}).status_code == 200


def test_cors(server: Server) -> None:
    with server.client() as c:
        pre = c.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST",
                                             "Access-Control-Request-Headers": "Content-Type"})
        assert pre.status_code == 200
        assert pre.headers["access-control-allow-origin"] == "*"
        assert "POST" in pre.headers["access-control-allow-methods"]
        r = c.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
        assert r.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in r.headers
        assert "X-SPARQL-Truncated" in r.headers["access-control-expose-headers"]
