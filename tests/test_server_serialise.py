"""Answers serialised straight to the asked format keep the row-cap headers' facts right."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from support.builds import count

from twinkg.store import QueryRequest
from twinkg.store.results import evaluate

PARSE = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
         "text/tab-separated-values": ox.QueryResultsFormat.TSV,
         "application/sparql-results+xml": ox.QueryResultsFormat.XML, "text/csv": None}
QUERIES = ["SELECT * WHERE { ?s ?p ?o }", "SELECT * {}", "SELECT ?x { FILTER(false) }",
           "SELECT ?s ?x { ?s ?p ?o OPTIONAL { ?s ?q ?x FILTER(false) } }",
           "SELECT ?x { ?s ?p ?o OPTIONAL { ?s ?q ?x FILTER(false) } }"]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    p = ox.NamedNode("http://e/p")
    s.add(ox.Quad(ox.NamedNode("http://e/a"), p, ox.Literal('tricky,{"y":{"type":\n}\r\n,{}"<result>')))
    s.add(ox.Quad(ox.NamedNode("http://e/a"), p, ox.Literal("plain", language="en")))
    s.add(ox.Quad(ox.NamedNode("http://e/b"), p, ox.Literal("[{\"x\":{\"type\":1}}]")))
    return s


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("media", list(PARSE))
@pytest.mark.parametrize("cap", [1, 2, 3, 10])
def test_rows_and_truncation_are_counted_right(store: ox.Store, query: str, media: str, cap: int) -> None:
    answer = evaluate(store, QueryRequest(query, media, max_rows=cap))
    full = count(store.query(query))
    assert answer.rows == min(full, cap) and answer.truncated == (full > cap)
    if PARSE[media] is not None:
        assert count(ox.parse_query_results(answer.body, format=PARSE[media])) == answer.rows
    else:
        assert answer.body.count(b"\r\n") - 1 >= answer.rows
