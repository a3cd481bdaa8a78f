"""Evidence per link and time, honestly: which dated sources list a link, which no longer do,
and what a table as of a day may say about it (README, "Time, honestly").

The world tests use the default build (the real 2016 crawl and 2026 extract in data/snapshots/).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import networkx as nx
import pandas as pd
import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from twinkg import status
from twinkg.cli import app
from twinkg.config import Settings
from twinkg.dates import OPEN_START, Date, parse_exact
from twinkg.exports.tables import GraphTables, tables
from twinkg.vocab import Iris
from twinkg.world.snapshots import CITIES_2026, CRAWL_2016

TW = "PREFIX tw: <https://w3id.org/twinkg/ontology#> "
MOSCOW_RIGA = "https://w3id.org/twinkg/id/twinning/moscow--q1773"


@dataclass(frozen=True)
class Ev:
    id: str
    type: str
    date: Date | None
    conflicts_with: tuple[str, ...] = ()


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- the rule ---------------------------------------------------------------------------------


def test_a_link_only_listed_is_unknown_before_its_first_listing_and_active_after() -> None:
    listings = [status.Listing(_day("2016-09-10"))]
    assert status.evidenced([], _day("1950-12-31"), listings) == "unknown"
    assert status.evidenced([], _day("2016-12-31"), listings) == "active"
    assert status.evidenced_from([], listings) == _day("2016-09-10")


def test_a_complete_source_that_stops_listing_makes_it_no_longer_listed_not_active() -> None:
    listings = [status.Listing(_day("2016-09-10")), status.Listing(_day("2026-05-12"), listed=False)]
    assert status.evidenced([], _day("2021-12-31"), listings) == "active"
    assert status.evidenced([], _day("2026-12-31"), listings) == status.NO_LONGER_LISTED


def test_an_undated_establishment_counts_only_from_the_first_dated_evidence() -> None:
    """`derive` has it active in any year; the evidence rule does not before the 2015 source."""
    events = [Ev("e", "establishment", None)]
    assert status.derive(events, _day("1950-12-31")) == "active"
    assert status.evidenced(events, _day("1950-12-31"), evidence=[_day("2015-06-01")]) == "unknown"
    assert status.evidenced(events, _day("2016-12-31"), evidence=[_day("2015-06-01")]) == "active"


def test_events_outrank_listings() -> None:
    ended = [Ev("e", "establishment", parse_exact("1990")), Ev("t", "termination", parse_exact("2010"))]
    listed = [status.Listing(_day("2016-09-10"))]
    assert status.evidenced(ended, _day("2020-12-31"), listed) == "terminated"
    assert status.evidenced([Ev("p", "proposal", parse_exact("2000"))], _day("2020-12-31"), listed) == "proposed"


def test_an_event_open_at_its_start_is_evidence_from_its_latest_bound() -> None:
    """"In force before July 2020": not evidence for 2019."""
    events = [Ev("e", "establishment", Date(OPEN_START, _day("2020-07-31")))]
    assert status.derive(events, _day("2019-12-31")) == "active"
    assert status.evidenced(events, _day("2019-12-31")) == "unknown"
    assert status.evidenced(events, _day("2020-12-31")) == "active"
    assert status.evidenced_from(events) == _day("2020-07-31")


# --- the default build ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(curated_dist: Settings, built_store: ox.Store) -> tuple[Settings, ox.Store]:
    return curated_dist, built_store


def _values(store: ox.Store, iri: str, prop: str) -> list[str]:
    rows = store.query(TW + f"SELECT ?v WHERE {{ <{iri}> tw:{prop} ?v }}", use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    return sorted(r["v"].value for r in rows)


def test_moscow_riga_is_no_longer_listed_since_the_2026_extract_and_not_active(world: tuple[Settings, ox.Store]) -> None:
    settings, store = world
    assert CITIES_2026.retrieved == _day("2026-05-12")  # the extract's date (TidyTuesday 2026-05-12)
    assert _values(store, MOSCOW_RIGA, "status") == ["https://w3id.org/twinkg/vocab/status/no-longer-listed"]
    assert _values(store, MOSCOW_RIGA, "noLongerListedSince") == [CITIES_2026.retrieved.isoformat()]
    assert _values(store, MOSCOW_RIGA, "firstSeen") == _values(store, MOSCOW_RIGA, "lastSeen") == ["2016-09-10"]
    assert _values(store, MOSCOW_RIGA, "listedIn") == ["https://w3id.org/twinkg/id/source/" + CRAWL_2016.id]
    rows = pd.read_csv(settings.out_dir / "twinnings.csv", dtype=str, keep_default_na=False)
    row = rows[rows.twinning_id == "moscow--q1773"].iloc[0]
    assert (row.status, row.listed_2016, row.listed_2026, row.listed_live) == ("no-longer-listed", "true", "false", "")
    assert (row.first_seen, row.last_seen, row.no_longer_listed_since) == ("2016-09-10", "2016-09-10", "2026-05-12")
    assert row.status_as_of == "2026-05-12"


def test_every_wikidata_only_link_stopped_listing_in_2026_has_both_partners_in_the_extract(
        world: tuple[Settings, ox.Store]) -> None:
    settings, _ = world
    rows = pd.read_csv(settings.out_dir / "twinnings.csv", dtype=str, keep_default_na=False)
    gone = rows[rows.status == "no-longer-listed"]
    cities = set(pd.read_csv(settings.snapshots_dir / "wikidata-cities-2026" / "cities.csv", dtype=str,
                             keep_default_na=False).id)
    assert len(gone) > 250
    assert set(gone.place_a_wikidata) <= cities and set(gone.place_b_wikidata) <= cities
    assert (gone.listed_2026 == "false").all() and (gone.listed_2016 == "true").all()
    assert not (rows[rows.listed_2026 == "true"].status == "no-longer-listed").any()


def test_no_undated_establishment_events_are_published_for_listings(world: tuple[Settings, ox.Store]) -> None:
    """An undated establishment said no more than the listing: the listing is the evidence now."""
    _, store = world
    rows = store.query(TW + """SELECT (COUNT(*) AS ?n) WHERE { ?e a tw:Establishment .
        FILTER NOT EXISTS { ?e tw:earliest ?a } FILTER NOT EXISTS { ?e tw:latest ?b }
        FILTER NOT EXISTS { GRAPH <https://w3id.org/twinkg/graph/curated> { ?e a tw:Establishment } } }""",
                       use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    assert int(next(iter(rows))["n"].value) == 0
    listed = store.query(TW + "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t tw:listedIn ?s }", use_default_graph_as_union=True)
    assert isinstance(listed, ox.QuerySolutions)
    assert int(next(iter(listed))["n"].value) > 20000


def test_as_of_1950_keeps_only_evidenced_links_and_counts_the_unknown(world: tuple[Settings, ox.Store]) -> None:
    settings, store = world
    data = GraphTables(store, Iris(settings.base))
    old = tables(data, _day("1950-12-31"))
    assert old.unknown > 20000
    assert old.twinnings and all(r["evidenced_from"] and str(r["evidenced_from"]) <= "1950-12-31" for r in old.twinnings)
    assert all(r["first_seen"] == "" and r["listed_2016"] is None for r in old.twinnings)  # 2016 is not evidence for 1950
    recent = {r["twinning_id"]: r for r in tables(data, _day("2021-12-31")).twinnings}
    assert recent["moscow--q1773"]["status"] == "active"  # listed in 2016, and 2026 is not evidence for 2021
    assert recent["moscow--q1773"]["listed_2026"] is None


def test_export_as_of_says_how_many_links_are_unknown(world: tuple[Settings, ox.Store], tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings, _ = world
    result = CliRunner().invoke(app, ["export", "--as-of", "1950", "--out", str(settings.out_dir), "--to", str(tmp_path / "x"),
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "unknown then" in result.output
    twinnings = pd.read_csv(tmp_path / "x" / "twinnings.csv", dtype=str, keep_default_na=False)
    assert len(set(twinnings.twinning_id)) < 100
    assert "unknown then" in (tmp_path / "x" / "twinnings.csv-metadata.json").read_text()


def test_gexf_edges_live_from_their_first_evidence_to_when_they_were_no_longer_listed(
        world: tuple[Settings, ox.Store]) -> None:
    settings, _ = world
    ns = {"g": "http://www.gexf.net/1.2draft"}
    for _, edge in ET.iterparse(settings.out_dir / "twinkg.gexf"):
        if edge.tag.endswith("edge") and edge.get("label") == "moscow--q1773":
            assert (edge.get("start"), edge.get("end")) == ("2016-09-10", "2026-05-12")
            values = {v.get("for"): v.get("value") for v in edge.iterfind("g:attvalues/g:attvalue", ns)}
            assert values["source_ids"] == CRAWL_2016.id
            break
    else:
        pytest.fail("no Moscow–Riga edge")


def test_graphml_edges_carry_sources_and_listings(world: tuple[Settings, ox.Store]) -> None:
    settings, _ = world
    graph = nx.read_graphml(settings.out_dir / "twinkg.graphml")
    edge = graph.edges["moscow", "q1773"]
    assert edge["source_ids"] == CRAWL_2016.id
    assert (edge["listed_2016"], edge["listed_2026"]) == (True, False)
    assert edge["no_longer_listed_since"] == "2026-05-12"


def test_graph_column_lists_every_graph_stating_the_link(world: tuple[Settings, ox.Store]) -> None:
    settings, store = world
    rows = pd.read_csv(settings.out_dir / "twinnings.csv", dtype=str, keep_default_na=False)
    stated = store.query(TW + """SELECT DISTINCT ?t WHERE { GRAPH <https://w3id.org/twinkg/graph/curated> { ?t a tw:Twinning }
        GRAPH <https://w3id.org/twinkg/graph/wikidata> { ?t ?p ?o } }""", use_default_graph_as_union=True)
    assert isinstance(stated, ox.QuerySolutions)
    both = {r["t"].value.rsplit("/", 1)[1] for r in stated}
    assert len(both) >= 20
    assert set(rows[rows.twinning_id.isin(both)].graph) == {"curated;wikidata"}


def test_pandas_with_the_documented_options_keeps_namibia(world: tuple[Settings, ox.Store]) -> None:
    """README and CSVW metadata: keep_default_na=False (with na_values=[""]) keeps Namibia's code "NA"."""
    settings, _ = world
    places = pd.read_csv(settings.out_dir / "places.csv", keep_default_na=False, na_values=[""])
    assert (places.country == "NA").sum() > 0
    assert pd.read_csv(settings.out_dir / "places.csv").country.eq("NA").sum() == 0  # pandas' defaults lose it
    metadata = (settings.out_dir / "places.csv-metadata.json").read_text()
    assert "keep_default_na=False" in metadata


def test_places_say_their_label_language_and_every_graph_stating_them(world: tuple[Settings, ox.Store]) -> None:
    settings, _ = world
    places = pd.read_csv(settings.out_dir / "places.csv", dtype=str, keep_default_na=False).set_index("place_id")
    assert places.loc["moscow", "graph"] == "curated;wikidata"  # curated, with the snapshots' facts beside it
    assert places.loc["q1773", ["label", "label_language", "graph"]].tolist() == ["Riga", "en", "wikidata"]
    undetermined = places[places.label_language == "und"]
    assert len(undetermined) > 1000 and (places.label_language != "").all()


def test_a_clique_of_listed_links_is_one_multilateral_link(world: tuple[Settings, ox.Store]) -> None:
    """The 27 places Wikidata lists as twinned each with every other (Douzelage's members) are one link."""
    settings, _ = world
    rows = pd.read_csv(settings.out_dir / "twinnings.csv", dtype=str, keep_default_na=False)
    big = rows[rows.partner_count.astype(int) > 3]
    assert big.twinning_id.nunique() == 1 and set(big.partner_count) == {"27"}
    assert len(big) == 27 * 26 // 2 and (big.multilateral == "true").all()
    assert {"Sigulda", "Granville", "Holstebro"} <= set(big.place_a_label) | set(big.place_b_label)


def _graphs_stating(store: ox.Store, cls: str) -> dict[str, str]:
    rows = store.query(TW + f"""SELECT ?x (GROUP_CONCAT(DISTINCT ?name; separator=";") AS ?gs) WHERE {{
        {{ SELECT DISTINCT ?x ?name WHERE {{ ?x a tw:{cls} . GRAPH ?g {{ ?x ?p ?o }}
           BIND (STRAFTER(STR(?g), "/graph/") AS ?name) }} ORDER BY ?name }} }} GROUP BY ?x""",
                       use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    return {r["x"].value.rsplit("/", 1)[1]: ";".join(sorted(r["gs"].value.split(";"))) for r in rows}


def test_every_rows_graph_lists_every_graph_stating_it(world: tuple[Settings, ox.Store]) -> None:
    settings, store = world
    for table, key, cls in (("twinnings.csv", "twinning_id", "Twinning"), ("events.csv", "event_id", "Event")):
        rows = pd.read_csv(settings.out_dir / table, dtype=str, keep_default_na=False)
        stating = _graphs_stating(store, cls)
        assert {row[key]: row["graph"] for _, row in rows.iterrows()} == {k: stating[k] for k in rows[key]}, table
