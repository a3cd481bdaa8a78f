"""Reading a query's text before evaluation: form, FROM graphs, SERVICE, where a LIMIT goes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.builds import PROJECT_ROOT, count

from twinkg.query_text import QueryTextError, analyse
from twinkg.server import conneg
from twinkg.vocab import PREFIXES


@pytest.mark.parametrize("query,form,froms,named,service", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT", [], [], False),
    ("PREFIX g: <http://x/> SELECT * FROM g:a FROM NAMED <http://y> { ?s ?p ?o }", "SELECT", ["http://x/a"], ["http://y"], False),
    ("BASE <http://b/> ASK FROM <g> {}", "ASK", ["http://b/g"], [], False),
    ("CONSTRUCT { ?s ?p ?o } FROM <http://g> WHERE { ?s ?p ?o }", "CONSTRUCT", ["http://g"], [], False),
    ("SELECT * { sErViCe <http://a> { ?s ?p ?o } }", "SELECT", [], [], True),
    ('SELECT ("SERVICE FROM <x>" AS ?a) ?service { # SERVICE\n BIND(<http://e/service> AS ?service) }', "SELECT", [], [], False),
    ("DESCRIBE <http://x>", "DESCRIBE", [], [], False),
])
def test_analyse(query: str, form: str, froms: list[str], named: list[str], service: bool) -> None:
    info = analyse(query)
    assert (info.form, info.from_graphs, info.from_named_graphs, info.uses_service) == (form, froms, named, service)


@pytest.mark.parametrize("query,expected_rows", [
    ("SELECT ?x WHERE { VALUES ?x { 1 2 3 4 5 6 7 } }", 3),
    ("SELECT ?x WHERE { VALUES ?x { 1 2 3 4 5 6 7 } } LIMIT 2", 2),
    ("SELECT ?x WHERE { VALUES ?x { 1 2 3 4 5 6 7 } } LIMIT 50", 3),
    ("SELECT ?x WHERE { VALUES ?x { 1 2 3 4 5 6 7 } } ORDER BY DESC(?x) OFFSET 1", 3),
    ("SELECT ?x WHERE { ?x ?y ?z } VALUES ?x { 1 2 3 4 5 6 7 }", 0),
    ("SELECT (EXISTS { ?a ?b ?c } AS ?e) ?x WHERE { VALUES ?x { 1 2 3 4 } } # trailing comment", 3),
])
def test_limit_rewrite_is_valid_sparql(query: str, expected_rows: int) -> None:
    rewritten = analyse(query).with_limit(query, 3)
    assert count(ox.Store().query(rewritten)) == expected_rows


def test_a_stray_quote_is_a_syntax_error_not_a_string() -> None:
    with pytest.raises(QueryTextError, match="error at 1:18: unexpected character"):
        analyse('SELECT * { ?s ?p " } SERVICE <http://x/> { }')


@given(st.text(max_size=200))
def test_analyse_never_crashes_otherwise(text: str) -> None:
    try:
        analyse(text)
    except QueryTextError:
        pass


@given(st.lists(st.sampled_from(["application/sparql-results+json", "text/csv", "application/xml", "*/*", "text/*",
                                 "text/html", "image/png", "application/json;charset=utf-8"]), max_size=4),
       st.lists(st.sampled_from(["", ";q=0", ";q=0.5", ";q=1"]), min_size=4, max_size=4))
def test_negotiation_picks_an_offer_or_none(types: list[str], qs: list[str]) -> None:
    accept = ", ".join(t + q for t, q in zip(types, qs, strict=False))  # qs is the longer list
    chosen = conneg.choose(conneg.RESULT_OFFERS, accept)
    assert chosen is None or chosen in {served for _, served in conneg.RESULT_OFFERS}


@pytest.mark.parametrize("path", sorted((PROJECT_ROOT / "queries").glob("*.rq")), ids=lambda p: p.name)
def test_every_example_query_is_read(path: Path) -> None:
    assert analyse(path.read_text(), PREFIXES).form == "SELECT"


def test_limit_goes_before_the_trailing_values_not_a_comment() -> None:
    query = "SELECT ?x WHERE { ?x ?y ?z } # VALUES here is a comment\nVALUES ?x { 1 2 3 }"
    info = analyse(query)
    assert info.limit_insert_at == query.index("\nVALUES") + 1
    assert "LIMIT 3\nVALUES" in info.with_limit(query, 3)
