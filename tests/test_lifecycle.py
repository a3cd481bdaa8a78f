"""One list of event types, in the ontology (issue 21): each event-type concept says what its events do to a
link (`tw:lifecycleRole`), and the status logic, the pages and the exports read that, so a new type with a
role changes statuses with no code change."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient
from support.inprocess import mini_app_client

from twinkg import lifecycle, status
from twinkg.build import Built
from twinkg.concepts import load_codes
from twinkg.config import Settings, packaged
from twinkg.dates import Date, parse_exact
from twinkg.errors import InputError
from twinkg.graphs import quads
from twinkg.store.memory import MemoryStore
from twinkg.vocab import RDF, RDFS, SKOS, TW, Iris

RESTORATION = """
<https://w3id.org/twinkg/vocab/event-type/restoration>
    a skos:Concept ;
    skos:inScheme <https://w3id.org/twinkg/vocab/event-type> ;
    skos:notation "restoration" ;
    skos:prefLabel "restoration"@en ;
    tw:lifecycleRole "{role}" ;
    rdfs:seeAlso tw:Restoration .
"""


@dataclass(frozen=True)
class Happened:
    type: str
    date: Date | None
    id: str = ""
    conflicts_with: tuple[str, ...] = ()


def happened(kind: str, year: str) -> Happened:
    return Happened(kind, parse_exact(year), f"{kind}-{year}")


@pytest.fixture
def ontology_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A copy of the package's ontology with a `restoration` type of the given role, read in its place."""
    def write(role: str) -> None:
        shutil.copytree(packaged("ontology"), tmp_path / "ontology")
        with open(tmp_path / "ontology" / "concepts.ttl", "a") as f:
            f.write(RESTORATION.format(role=role))
        monkeypatch.setattr(lifecycle, "packaged", lambda name: tmp_path / name)
        lifecycle.event_types.cache_clear()
    yield write
    lifecycle.event_types.cache_clear()


def test_every_event_type_is_listed_with_its_class_and_role() -> None:
    types = lifecycle.event_types()
    assert {t.code for t in types} == load_codes(packaged("ontology"))["event-type"]
    assert all(t.cls.startswith(TW) and t.label for t in types)
    # each role the status logic knows is played by some type; the types without one change nothing
    assert {t.role for t in types if t.role} == set(lifecycle.ROLES)
    assert set(status.STATUS_AFTER) | {lifecycle.PROPOSES} == set(lifecycle.ROLES)


def test_a_new_type_that_resumes_puts_a_suspended_link_back_in_force(ontology_with) -> None:  # type: ignore[no-untyped-def]
    events = [happened("establishment", "1990"), happened("suspension", "2000"), happened("restoration", "2010")]
    as_of = dt.date(2020, 1, 1)
    assert status.derive(events, as_of) == "suspended"  # unknown to the package's ontology: it changes nothing
    ontology_with("resumes")
    assert status.derive(events, as_of) == "active"
    assert status.lifecycle(events, as_of).end is None
    assert lifecycle.role_of_class({TW + "Event", TW + "Restoration"}) == "resumes"
    assert "restoration" in lifecycle.codes_with(lifecycle.RESUMES)


def test_a_new_type_that_ends_a_link_ends_it(ontology_with) -> None:  # type: ignore[no-untyped-def]
    ontology_with("ends")
    events = [happened("establishment", "1990"), happened("restoration", "2010")]
    assert status.derive(events, dt.date(2020, 1, 1)) == "terminated"
    end = status.lifecycle(events, dt.date(2020, 1, 1)).end
    assert end is not None and end[0] == dt.date(2010, 1, 1)


def test_an_unknown_role_is_refused_naming_the_concept(ontology_with) -> None:  # type: ignore[no-untyped-def]
    ontology_with("pauses")
    with pytest.raises(InputError, match="event-type/restoration.*'pauses'"):
        lifecycle.event_types()


@pytest.fixture
def one_type_ahead(mini_build: tuple[Settings, Built], tmp_path: Path) -> Iterator[TestClient]:
    """The app over the mini build as served, whose ontology knows one event type the package's does not:
    `rupture`, which ends a link, in the store's ontology graph, with an event of that type in its events.csv."""
    settings, built = mini_build
    base = settings.base
    concept, graph = ox.NamedNode(f"{base}vocab/event-type/rupture"), ox.NamedNode(f"{base}graph/ontology")
    rupture = [ox.Quad(concept, ox.NamedNode(p), o, graph) for p, o in (
        (RDF + "type", ox.NamedNode(SKOS + "Concept")), (SKOS + "inScheme", ox.NamedNode(f"{base}vocab/event-type")),
        (SKOS + "prefLabel", ox.Literal("rupture", language="en")), (TW + "lifecycleRole", ox.Literal("ends")),
        (RDFS + "seeAlso", ox.NamedNode(TW + "Rupture")))]
    out = tmp_path / "dist"
    shutil.copytree(settings.out_dir, out)
    with open(out / "events.csv", "a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerow(["alpha-beta-ruptured", f"{base}id/event/alpha-beta-ruptured", "alpha-town--beta-city",
                                "rupture", "1999", "", "1999-01-01", "1999-12-31", "", "", "", "", "", "", "doc-a", "curated"])
    with mini_app_client(out, MemoryStore(quads(built.graphs, Iris(base)) + rupture)) as client:
        yield client


def test_the_server_reads_the_event_types_of_the_build_it_serves(one_type_ahead: TestClient) -> None:
    assert lifecycle.role_of("rupture") is None  # the package's ontology knows no such type
    place = one_type_ahead.get("/page/id/place/alpha-town").text
    assert '<span class="ev-ends">●</span> rupture' in place  # the timeline's legend: the build's types and roles
    statistics = one_type_ahead.get("/statistics").text
    endings = re.search(r'<svg class="chart" id="svg-endings".*?</svg>', statistics, re.S)
    assert endings is not None and "1999" in endings.group(0)  # counted as an end: its role is the build's
