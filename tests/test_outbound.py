"""No query makes the endpoint call out: escape and comment tricks against the parse, and a fuzzer.

Each query is checked three ways against a loopback listener: the engine alone
really calls it (so the trick is live), `analyse` refuses it, and the running
server refuses it on every route, with zero connections recorded."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from netguard import Listener, listener
from support.builds import count
from support.processes import Server, mini_server

from twinkg.query_text import QueryTextError, analyse
from twinkg.vocab import PREFIXES

pytestmark = pytest.mark.slow

SVC = "SERVICE <http://127.0.0.1:{port}/x> {{ ?x ?y ?z }}"
# Each is a query pyoxigraph runs, calling the listener; the old text check let every one through.
TRICKS = {
    "escaped letter before #": "SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?q) " + SVC + " }}",
    "long escape before #": "SELECT * WHERE {{ BIND(<http://x/\\U00000041#> AS ?q) " + SVC + " }}",
    "prefixed name with \\#": "SELECT * WHERE {{ BIND(wd:a\\#b AS ?q) " + SVC + " }}",
    "prefixed name with \\~ and %": "SELECT * WHERE {{ BIND(wd:a\\~b%41 AS ?q) " + SVC + " }}",
    "in FILTER NOT EXISTS": "SELECT * WHERE {{ VALUES ?v {{ 1 }} FILTER NOT EXISTS {{ BIND(<http://x/\\u0041#> AS ?q) "
                            + SVC + " }} }}",
    "in EXISTS in BIND": "SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?q) BIND(EXISTS {{ " + SVC + " }} AS ?e) }}",
    "in MINUS": "SELECT * WHERE {{ VALUES ?x {{ 1 }} MINUS {{ BIND(<http://x/\\u0041#> AS ?q) " + SVC + " }} }}",
    "in GRAPH": "SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?q) GRAPH <http://g> {{ " + SVC + " }} }}",
    "in a subquery": "SELECT * WHERE {{ {{ SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?q) " + SVC + " }} }} }}",
    "in OPTIONAL after VALUES": "SELECT * WHERE {{ VALUES ?q {{ <http://x/\\u0041#> }} OPTIONAL {{ " + SVC + " }} }}",
    "comment ended by CR": "SELECT * WHERE {{ # a comment\r" + SVC + " }}",
    "string with an escaped quote and #": "SELECT * WHERE {{ BIND(\"a\\\"#b\" AS ?q) " + SVC + " }}",
    "string with \\u0022": "SELECT * WHERE {{ BIND(\"a\\u0022#\" AS ?q) " + SVC + " }}",
    "long string with quotes and #": "SELECT * WHERE {{ BIND('''a'b''#''' AS ?q) " + SVC + " }}",
    "SERVICE SILENT, any case": "SELECT * WHERE {{ BIND(<http://x/\\u0041#> AS ?q) sErViCe SiLeNt <http://127.0.0.1:{port}/x> "
                                "{{ ?x ?y ?z }} }}",
    "prefixed endpoint": "PREFIX r: <http://127.0.0.1:{port}/> SELECT * WHERE {{ BIND(wd:a\\#b AS ?q) "
                         "SERVICE r:x {{ ?x ?y ?z }} }}",
    "CONSTRUCT": "CONSTRUCT {{ ?x ?y ?z }} WHERE {{ BIND(<http://x/\\u0041#> AS ?q) " + SVC + " }}",
    "ASK": "ASK {{ BIND(<http://x/\\u0041#> AS ?q) " + SVC + " }}",
}
# A FROM hidden the same way: pyoxigraph does not fetch it, but it must be refused, not silently ignored.
HIDDEN_FROM = "BASE <http://x/\\u0041#> SELECT * FROM <http://127.0.0.1:{port}/g> WHERE {{ ?s ?p ?o }}"


def engine_calls(query: str, port_listener: Listener) -> int:
    """Connections the engine alone makes for this query (on an empty store)."""
    before = port_listener.settled()
    try:
        count(ox.Store().query(query, prefixes=PREFIXES))
    except (OSError, SyntaxError, RuntimeError):
        pass
    return port_listener.settled() - before


@pytest.fixture(scope="module")
def port() -> Iterator[Listener]:
    with listener() as found:
        yield found


def test_the_listener_counts_every_earlier_connection_and_not_its_own_probe(port: Listener) -> None:
    before = port.settled()
    for _ in range(5):
        socket.create_connection(("127.0.0.1", port.port)).close()
    assert port.settled() == before + 5
    assert port.settled() == before + 5


@pytest.mark.parametrize("name", list(TRICKS))
def test_each_trick_is_live_and_refused_by_the_parse(name: str, port: Listener) -> None:
    query = TRICKS[name].format(port=port.port)
    assert engine_calls(query, port) >= 1, "the engine does not call it: not a trick"
    assert analyse(query, PREFIXES).uses_service


def test_service_by_variable_is_seen_too() -> None:
    assert analyse("SELECT * WHERE { VALUES ?e { <http://127.0.0.1:1/x> } SERVICE ?e { ?x ?y ?z } }").uses_service


def test_a_hidden_from_is_seen() -> None:
    info = analyse(HIDDEN_FROM.format(port=1234), PREFIXES)
    assert info.from_graphs == ["http://127.0.0.1:1234/g"]


server = mini_server("outbound", "--timeout", "3", "--workers", "1", "--fast-workers", "1")


def test_the_server_refuses_each_trick_on_every_route_without_a_connection(server: Server, port: Listener) -> None:
    before = port.connections
    with server.client() as c:
        for name, template in {**TRICKS, "hidden FROM": HIDDEN_FROM}.items():
            query = template.format(port=port.port)
            answers = [
                c.get("/sparql", params={"query": query}),
                c.post("/sparql", data={"query": query}),
                c.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}),
            ]
            for r in answers:
                assert r.status_code == 400, (name, r.status_code, r.text[:300])
                assert str(port.port) not in r.text or "FROM" in r.text, name
            page = c.get("/query", params={"query": query}, headers={"Accept": "text/html"})
            assert page.status_code == 400, (name, page.status_code)
    time.sleep(0.3)
    assert port.connections == before


TERMS = ["<http://x/\\u0041#>", "<http://x/\\U00000023>", "<http://x/#>", "wd:a\\#b", "wd:\\#", "wd:a%23", '"#"',
         '"\\"#"', "'\\'#'", '"""#"\'"""', "'''#'\"'''", '"\\u0022#"', "'\\u0027#'", '"SERVICE <x> {"', "1", "?seed"]
GAPS = [" ", "\t", "\r\n", "\r", " # c\r", " # c\n", " #\\\r", " # SERVICE <x> {\n", " # \"\r"]
CALL = "SERVICE <http://127.0.0.1:{port}/x> { ?x ?y ?z }"
LEAVES = st.one_of(
    st.sampled_from(TERMS).map(lambda t: f"BIND({t} AS ?q)"),
    st.sampled_from(TERMS).map(lambda t: "VALUES ?w { " + t + " }"),
    st.sampled_from(TERMS).map(lambda t: f"FILTER(?seed != {t})"),
    st.just(CALL), st.just("SERVICE SILENT <http://127.0.0.1:{port}/x> { }"),
    st.sampled_from(["\\", '"', "'", "<", "#", "{", "}", "SERVICE"]),  # noise the grammar must refuse or place
)
PATTERNS = st.recursive(LEAVES, lambda inner: st.tuples(
    st.sampled_from(["{ ", "OPTIONAL { ", "MINUS { ", "FILTER NOT EXISTS { ", "GRAPH <http://g> { ", "{ SELECT * WHERE { "]),
    st.lists(st.tuples(inner, st.sampled_from(GAPS)), max_size=4),
).map(lambda t: t[0] + "".join(p + g for p, g in t[1]) + (" } }" if "SELECT" in t[0] else " }")), max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(PATTERNS, st.sampled_from(GAPS)), max_size=5))
def test_fuzzed_queries_the_parse_accepts_never_call_out(port: Listener, parts: list[tuple[str, str]]) -> None:
    body = "".join(p + g for p, g in parts).replace("{port}", str(port.port))
    query = "SELECT * WHERE { VALUES ?seed { 1 } " + body + " }"
    try:
        refused = analyse(query, PREFIXES).uses_service
    except QueryTextError:
        refused = True
    if not refused:
        assert engine_calls(query, port) == 0, query


QUIET = st.one_of(
    st.sampled_from(TERMS).map(lambda t: f"BIND({t} AS ?q)"),
    st.sampled_from(TERMS).map(lambda t: "VALUES ?w { " + t + " }"),
    st.sampled_from(TERMS).map(lambda t: f"FILTER(?seed != {t} && ?seed<2 || ?seed>=-1.5e0)"),
    st.sampled_from(["?seed tw:p/tw:q*|^tw:r+ ?o", "?seed a tw:Place ; rdfs:label ?l , 'x'@en", "[] tw:p ( 1 2 )",
                     "OPTIONAL { ?seed tw:p ?o } ", "FILTER NOT EXISTS { ?seed ?p ?o }", "BIND(-1 AS ?neg)",
                     "BIND(?seed+1 AS ?inc)", "BIND(COALESCE(?x, 1) AS ?c)"]),
)
QUIET_PATTERNS = st.recursive(QUIET, lambda inner: st.tuples(
    st.sampled_from(["{ ", "OPTIONAL { ", "MINUS { ", "GRAPH <http://g> { "]),
    st.lists(st.tuples(inner, st.sampled_from(GAPS)), max_size=3),
).map(lambda t: t[0] + "".join(p + g for p, g in t[1]) + " }"), max_leaves=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(QUIET_PATTERNS, st.sampled_from(GAPS)), max_size=4), st.sampled_from(["", " LIMIT 3"]))
def test_what_the_engine_reads_the_parse_reads_too(parts: list[tuple[str, str]], tail: str) -> None:
    """No false refusals: a query pyoxigraph accepts is accepted (these contain no SERVICE)."""
    query = "SELECT * WHERE { VALUES ?seed { 1 } " + "".join(p + g for p, g in parts) + " }" + tail
    try:
        ox.Store().query(query, prefixes=PREFIXES)
    except SyntaxError:
        return
    analyse(query, PREFIXES)
