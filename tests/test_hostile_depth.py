"""A deeply nested query is refused before any query worker parses it; no worker dies of a query's shape.

The engine's parser and evaluator recurse: 3,000 nested groups, 10,000 nested parentheses, 2,000 nested
subselects or 10,000 UNIONs overflowed a query worker's stack (a segfault), and the client read the pool's
internal exception text in a 503.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.processes import Server, children, mini_server

from twinkg.query_text import MAX_DEPTH, QueryTooDeep, analyse

pytestmark = pytest.mark.slow

server = mini_server("hostile-depth", "--workers", "1", "--fast-workers", "1", "--timeout", "20", "--quiet")

ATTACKS = {
    "3,000 nested groups": "SELECT * WHERE " + "{" * 3000 + "}" * 3000,
    "10,000 nested parentheses": "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
    "2,000 nested subselects": "SELECT * WHERE " + "{ SELECT * WHERE " * 2000 + "{}" + "}" * 2000,
    "10,000 UNIONs": "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 10_000) + " }",
    "10,000 additions": "SELECT * WHERE { FILTER(" + "+".join(["1"] * 10_000) + ") }",
    "10,000 signed additions": "SELECT * WHERE { FILTER(1" + " +1" * 10_000 + ") }",
    "10,000 BINDs": "SELECT * WHERE { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(10_000)) + " }",
    "10,000 path steps": "SELECT * WHERE { ?s " + "/".join(["<p:a>"] * 10_000) + " ?o }",
}


@pytest.mark.parametrize("name", ATTACKS)
def test_the_check_refuses_a_query_nested_too_deep_naming_the_limit(name: str) -> None:
    with pytest.raises(QueryTooDeep, match=f"limit of {MAX_DEPTH} levels"):
        analyse(ATTACKS[name])


@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{" * 100 + "}" * 100,
    "SELECT * WHERE { FILTER(" + "(" * 200 + "1" + ")" * 200 + ") }",
    "SELECT * WHERE { " + " UNION ".join(["{?s ?p ?o}"] * 100) + " }",
    "SELECT * WHERE { VALUES (?a ?b) { " + " ".join(f"({i} -{i})" for i in range(5000)) + " } }",
    "SELECT * WHERE { FILTER(?x IN (" + ", ".join(str(i) for i in range(5000)) + ")) }",
    "SELECT * WHERE { ?s ?p '" + "{(" * 5000 + "' }",  # brackets in a string do not nest
    "SELECT * WHERE { ?s ?p ?o } # " + "{" * 5000,  # nor in a comment
])
def test_a_query_within_the_limit_is_read(query: str) -> None:
    assert analyse(query).form == "SELECT"


def _refused_or_answered(srv: Server, query: str) -> httpx.Response:
    """200, 400 (too deep) or 413 (over the 1 MiB body limit); 503 only for a query stopped at the timeout
    (a shape within the limit can still be slow to evaluate: 200 nested blank nodes take seconds)."""
    r = srv.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    timed_out = r.status_code == 503 and "ran longer than" in r.text
    assert r.status_code in (200, 400, 413) or timed_out, (r.status_code, r.text[:300])
    return r


def test_the_attacks_get_400_and_no_worker_dies(server: Server) -> None:
    workers = children(server.proc.pid)
    for name, query in ATTACKS.items():
        r = _refused_or_answered(server, query)
        assert r.status_code == 400 and f"limit of {MAX_DEPTH} levels" in r.text, (name, r.text[:300])
    assert children(server.proc.pid) == workers, "a worker died of a query's shape"


def test_a_worker_death_is_a_plain_sentence(server: Server) -> None:
    """However a worker dies, the client reads a sentence, never the pool's exception (IncompleteReadError)."""
    before = children(server.proc.pid)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o } # plain"
    answers: list[httpx.Response] = []
    asking = threading.Thread(target=lambda: answers.append(server.post("/sparql", data={"query": slow})))
    asking.start()
    deadline = time.monotonic() + 15
    from support.processes import cpu_ticks

    ticks = {pid: cpu_ticks(pid) for pid in before}
    busy: set[int] = set()
    while not busy and time.monotonic() < deadline:
        time.sleep(0.3)
        busy = {pid for pid in before if cpu_ticks(pid) > ticks[pid] + 20}
    assert busy, "no worker took up the slow query"
    for pid in busy:
        os.kill(pid, signal.SIGSEGV)  # what a stack overflow does
    asking.join(30)
    assert answers and answers[0].status_code == 503, answers and answers[0].text
    text = answers[0].text
    assert "query worker ended" in text and "Error" not in text and "(" not in text, text


# Shapes: a query is a group pattern built from these, nested and chained at random, deep and wide.
_leaf = st.sampled_from(["?s ?p ?o", "", "BIND(1 AS ?x)", "FILTER(true)", "VALUES ?v { 1 2 }"])


def _wrap(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    n = st.integers(min_value=1, max_value=3000)
    return st.one_of(
        st.tuples(inner, n).map(lambda t: "{" * t[1] + t[0] + "}" * t[1]),
        st.tuples(inner, n).map(lambda t: "{ SELECT * WHERE " * t[1] + "{" + t[0] + "}" + "}" * t[1]),
        st.tuples(inner, n).map(lambda t: " UNION ".join(["{" + t[0] + "}"] * t[1])),
        st.tuples(inner, n).map(lambda t: "{" + t[0] + "}" + " OPTIONAL {?s ?p ?o}" * min(t[1], 400)),
        st.tuples(inner, n).map(lambda t: t[0] + " FILTER(" + "(" * t[1] + "1" + ")" * t[1] + ")"),
        st.tuples(inner, n).map(lambda t: t[0] + " FILTER(" + " || ".join(["true"] * t[1]) + ")"),
        st.tuples(inner, n).map(lambda t: t[0] + " FILTER(1" + " + 1" * t[1] + " > 0)"),
        st.tuples(inner, n).map(lambda t: t[0] + " ?s " + "/".join(["<p:a>"] * t[1]) + " ?o"),
        st.tuples(inner, n).map(lambda t: t[0] + " ?s <p:a> " + "[ <p:a> " * t[1] + "1" + " ]" * t[1]),
        st.tuples(inner, n).map(lambda t: t[0] + " FILTER EXISTS " + "{" * t[1] + "}" * t[1]),
    )


_shapes = st.recursive(_leaf, _wrap, max_leaves=4)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=_shapes)
def test_no_deep_or_wide_shape_kills_a_worker(server: Server, body: str) -> None:
    workers = children(server.proc.pid)
    r = _refused_or_answered(server, "SELECT * WHERE { " + body + " } LIMIT 1")
    if r.status_code != 503:  # a worker stopped at the timeout is replaced by design
        assert children(server.proc.pid) == workers, "a worker died of a query's shape"
