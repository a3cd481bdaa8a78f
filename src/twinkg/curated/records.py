"""The curated records, as the loader hands them to the mapping.

Records hold checked values only: references resolve, dates are parsed and
codes exist. Each keeps where it came from so later stages can still point a
person at the file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from twinkg.dates import Date


@dataclass(frozen=True)
class Where:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    where: Where
    author: str | None = None
    publisher: str | None = None
    language: str | None = None
    date: Date | None = None
    url: str | None = None
    comment: str | None = None
    original_language: str | None = None
    """The language the source was written in, when the text read is a translation."""
    translation: str | None = None
    """A code of the translation scheme (machine, human, unspecified) for a translated text."""


@dataclass(frozen=True)
class PlaceName:
    """A name a place bore for a period (Stalingrad, 1925–1961)."""

    name: str
    sources: tuple[str, ...]
    language: str | None = None
    valid_from: Date | None = None
    valid_until: Date | None = None


@dataclass(frozen=True)
class Place:
    id: str
    label: str
    country: str | None
    sources: tuple[str, ...]
    where: Where
    labels: dict[str, str] = field(default_factory=dict)
    alt_labels: tuple[str, ...] = ()
    names: tuple[PlaceName, ...] = ()
    wikidata: str | None = None
    coordinates: tuple[float, float] | None = None
    """(latitude, longitude) in WGS 84."""
    type: str = "city"
    fictional: bool = False
    comment: str | None = None


@dataclass(frozen=True)
class Role:
    """A role an actor held for a period ("Mayor of Coventry", 1943–1944)."""

    label: str
    sources: tuple[str, ...]
    place: str | None = None
    valid_from: Date | None = None
    valid_until: Date | None = None


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    type: str
    """person, organisation, government or council."""
    sources: tuple[str, ...]
    where: Where
    alt_labels: tuple[str, ...] = ()
    wikidata: str | None = None
    country: str | None = None
    roles: tuple[Role, ...] = ()
    comment: str | None = None


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    """A code of the event-type scheme (twinkg.lifecycle lists them, with what each does to the link)."""
    sources: tuple[str, ...]
    where: Where
    label: str | None = None
    date: Date | None = None
    agents: tuple[str, ...] = ()
    initiated_by: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    forms: tuple[str, ...] = ()
    conflicts_with: tuple[str, ...] = ()
    comment: str | None = None


@dataclass(frozen=True)
class OrderClaim:
    """A source's claim of where a link stands in an order: the first of Leningrad's, after Turku, ..."""

    rank: str
    """A code of the order-rank scheme: first, latest, after, not-first."""
    text: str
    """The source's words."""
    sources: tuple[str, ...]
    among: str | None = None
    """The place whose links are ordered."""
    among_country: str | None = None
    """The country whose places' links are ordered."""
    after: tuple[str, ...] = ()
    """Slugs of twinnings formed before this one, by the claim."""


@dataclass(frozen=True)
class Twinning:
    slug: str
    partners: tuple[str, ...]
    kind: str
    sources: tuple[str, ...]
    where: Where
    events: tuple[Event, ...] = ()
    variant: str | None = None
    comment: str | None = None
    order: tuple[OrderClaim, ...] = ()


@dataclass(frozen=True)
class Dataset:
    sources: tuple[Source, ...]
    places: tuple[Place, ...]
    actors: tuple[Actor, ...]
    twinnings: tuple[Twinning, ...]

    def partner_qids(self, qids: Mapping[str, str] | None = None) -> dict[str, set[str]]:
        """Place id → the Wikidata ids of the places the curated data twins it with.

        Reconciliation corroborates a candidate by an existing P190 link to one of these; `qids` (place id → Q-id)
        defaults to the curated Q-ids, and the offline reconciler passes the ones it has verified so far."""
        known = qids if qids is not None else {p.id: p.wikidata for p in self.places if p.wikidata}
        out: dict[str, set[str]] = {}
        for twinning in self.twinnings:
            for a in twinning.partners:
                out.setdefault(a, set()).update(q for b in twinning.partners if b != a and (q := known.get(b)))
        return out
