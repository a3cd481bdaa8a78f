"""One list of event types, in the ontology (issue 21): each event-type concept says what its events do to a
link (`tw:lifecycleRole`), and the status logic, the pages and the exports read that, so a new type with a
role changes statuses with no code change."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from twinkg import lifecycle, status
from twinkg.concepts import load_codes
from twinkg.config import packaged
from twinkg.dates import Date, parse_exact
from twinkg.errors import InputError
from twinkg.vocab import TW

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
