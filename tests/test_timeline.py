"""Issue 22's pages and dates: events in the order of their bounds, titles for untitled events, dates at their
precision, one start notion, timeline stretches coloured by the status in force, the example query's
consistent start, and `SELECT *` columns in the order the query names them."""

from __future__ import annotations

import html
import re

import pyoxigraph as ox
import pytest
from conftest import PROJECT_ROOT
from starlette.testclient import TestClient
from support.builds import solutions

from twinkg.lifecycle import EventTypes, event_types
from twinkg.server.views.model import Node, Term
from twinkg.server.views.timeline import bound_text, date_text, event_title, ordered_events, segments, span_text
from twinkg.vocab import RDF, TW


def event(iri: str, kind: str, **values: str) -> Node:
    node = Node(iri, {RDF + "type": [Term("uri", TW + "Event"), Term("uri", TW + kind)]})
    for name, value in values.items():
        node.props[TW + name] = [Term("literal", value)]
    return node


def test_bounds_read_at_the_precision_they_stand_for() -> None:
    assert span_text("1957-01-01", "1957-12-31") == "1957"
    assert span_text("1941-10-01", "1941-10-31") == "October 1941"
    assert span_text("1945-01-01", "1983-12-31") == "between 1945 and 1983"
    assert span_text("", "1990-12-31") == "by 1990"
    assert span_text("2001-01-01", "") == "from 2001 on"
    assert bound_text("1957-12-31", "latest") == "1957" and bound_text("1957-06-14", "latest") == "1957-06-14"
    assert date_text(event("e", "Exchange")) == "undated"
    assert date_text(event("e", "Establishment", date="1944", earliest="1944-01-01", latest="1944-12-31")) == "1944"
    claim = event("e", "Establishment", dateText="the 65th anniversary was marked in 2008", earliest="1943-01-01",
                  latest="1943-12-31")
    assert date_text(claim) == "1943 (the 65th anniversary was marked in 2008)"


def test_events_are_ordered_by_their_bounds_and_undated_ones_come_last() -> None:
    suspension = event("s", "Suspension", date="2013", earliest="2013-01-01", latest="2013-12-31")
    chosen = event("c", "Establishment", dateText="before 1991", latest="1990-12-31")  # only an upper bound
    sword = event("a", "Exchange")
    anniversary = event("n", "Establishment", earliest="1943-01-01", latest="1943-12-31")
    letters = event("l", "Exchange", earliest="1942-01-01", latest="1942-12-31")
    assert [e.iri for e in ordered_events([suspension, sword, chosen, anniversary, letters])] == ["l", "n", "c", "s", "a"]


def test_an_untitled_event_gets_a_title_from_its_type_and_details() -> None:
    e = event("e", "Exchange")
    e.props[TW + "form"] = [Term("uri", "https://w3id.org/twinkg/vocab/event-form/letter", labels={"en": "letter"})]
    e.props[TW + "initiatedBy"] = [Term("uri", "https://w3id.org/twinkg/id/place/coventry", labels={"en": "Coventry"})]
    assert event_title(e) == "Exchange (letter) initiated by Coventry"
    assert event_title(event("e", "Establishment")) == "Establishment"


def test_timeline_stretches_take_the_status_each_event_put_in_force() -> None:
    events = [event("x", "Exchange", earliest="1941-10-01", latest="1941-10-31"),
              event("a", "Establishment", earliest="1944-01-01", latest="1944-12-31"),
              event("s", "Suspension", date="2022-03-22", earliest="2022-03-22", latest="2022-03-22")]
    types = EventTypes(event_types())  # the package's ontology: these events are typed with its classes
    stretches = segments(events, 2026.0, lambda y: y, types)
    assert [(s["status"], round(s["x"], 2), round(s["x"] + s["w"], 2)) for s in stretches] == [
        ("active", 1944.0, 2022.22), ("suspended", 2022.22, 2026.0)]
    ended = events + [event("t", "Termination", earliest="2023-01-01", latest="2023-12-31")]
    assert [s["status"] for s in segments(ended, 2026.0, lambda y: y, types)] == ["active", "suspended"]  # none after it


# --- the pages of the default build ---------------------------------------------------



def page_events(text: str) -> list[tuple[str, str]]:
    """(date, title) of each event on a twinning page, dated list first."""
    found = re.findall(r'<strong class="date">(.*?)</strong> · <a [^>]*>[^<]*</a>: (.*?)</p>', text)
    return [(html.unescape(d), html.unescape(t)) for d, t in found]


def first_year(date: str) -> int:
    return int(re.search(r"\d{4}", date).group(0))  # type: ignore[union-attr]


@pytest.mark.parametrize("slug", ["coventry--volgograd", "milan--saint-petersburg"])
def test_twinning_events_are_in_date_order(curated_client: TestClient, slug: str) -> None:
    text = curated_client.get(f"/page/id/twinning/{slug}").text
    events = page_events(text)
    dated = [d for d, _ in events if d != "undated"]
    assert len(dated) >= 4
    years = [first_year(d.removeprefix("by ")) for d in dated]
    assert years == sorted(years)
    assert all(d == "undated" for d, _ in events[len(dated):])  # apart, after the dated ones


def test_milan_saint_petersburg_establishment_comes_before_its_suspension(curated_client: TestClient) -> None:
    titles = [t for _, t in page_events(curated_client.get("/page/id/twinning/milan--saint-petersburg").text)]
    established = next(i for i, t in enumerate(titles) if "twin cit" in t)
    suspended = next(i for i, t in enumerate(titles) if "suspends" in t)
    assert established < suspended


def test_one_start_notion_and_evidence_at_its_precision(curated_client: TestClient) -> None:
    text = curated_client.get("/page/id/twinning/coventry--volgograd").text
    assert "<dt>Since</dt>" not in text and "<dt>Started</dt>" not in text
    assert re.search(r'<dt>Founded</dt><dd class="started">1943 or 1944 \(conflicting claims\)</dd>', text)
    assert not re.search(r'as of \d{4}-12-31', text)


def test_no_event_reads_as_a_bare_type_name(curated_client: TestClient) -> None:
    text = curated_client.get("/page/id/place/coventry").text
    assert not re.search(r">(exchange|establishment|suspension)</a>", text)


def test_coventry_volgograd_bar_turns_at_the_suspension(curated_client: TestClient) -> None:
    text = curated_client.get("/page/id/place/coventry").text
    row = next(r for r in text.split('<div class="tl-row">')[1:] if "coventry--volgograd" in r.split("</a>", 1)[0])
    stretches = re.findall(r'class="tl-bar status-(\w+)"[^>]*title="([^"]*)"', row)
    assert [s for s, _ in stretches] == ["active", "suspended"]
    assert "2022-03-22" in stretches[1][1]
    assert "1943" in html.unescape(stretches[0][1])  # active from the first establishment claim, not from 1941's letters


def test_example_query_states_a_start_inside_its_bounds(built_store: ox.Store) -> None:
    text = (PROJECT_ROOT / "queries" / "coventry-partners-in-order.rq").read_text(encoding="utf-8")
    rows = list(solutions(built_store.query(text, use_default_graph_as_union=True)))
    volgograd = next(r for r in rows if r["partnerName"].value == "Volgograd")
    assert (volgograd["earliest"].value, volgograd["latest"].value) == ("1943-01-01", "1944-12-31")
    for row in rows:
        if row["formed"] is not None:
            for stated in row["formed"].value.split(" or "):
                assert row["earliest"].value[:4] <= stated[:4] <= row["latest"].value[:4], row


def test_select_star_keeps_the_pattern_order_of_variables(curated_client: TestClient) -> None:
    query = "SELECT * WHERE { ?zed ?alpha ?mid } LIMIT 1"
    r = curated_client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["head"]["vars"] == ["zed", "alpha", "mid"]
    r = curated_client.get("/sparql", params={"query": "SELECT * { ?s ?p ?o OPTIONAL { ?o ?q ?x } } LIMIT 1"},
                   headers={"Accept": "text/csv"})
    assert r.text.splitlines()[0] == "s,p,o,q,x"
    r = curated_client.get("/sparql", params={"query": "SELECT*WHERE{?b ?a ?c}LIMIT 1"}, headers={"Accept": "text/csv"})
    assert r.text.splitlines()[0] == "b,a,c"  # no space around the * to lean on
