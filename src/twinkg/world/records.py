"""What a dated Wikidata source says: items with their facts, and P190 claims between them.

Plain data, filled by the readers (`snapshots`, the live cache) and read by
`world.mapping`. Every value is as the source states it; a missing value stays
missing (None), it is never guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from twinkg.dates import Date


@dataclass(frozen=True)
class Origin:
    """One dated source of Wikidata claims: a snapshot, or the live cache of `enrich --world`."""

    id: str
    """The slug of its `tw:Source` (`id/source/{id}`)."""
    title: str
    retrieved: dt.date
    url: str
    licence: str
    comment: str
    directed: bool
    """Whether it records which item states a P190 link (the 2016 crawl does; the 2026 extract is undirected)."""
    current: bool = False
    """The live cache: Wikidata's current claim. Snapshots are dated historical sources."""


@dataclass
class Item:
    """A Wikidata item as the sources describe it; the first source that gives a value wins."""

    qid: str
    english: str | None = None
    """An English label (the 2026 extract's labels are English)."""
    other: str | None = None
    """A label whose language the source does not state (the 2016 crawl preferred German)."""
    country: str | None = None
    """ISO 3166-1 alpha-2 code."""
    coordinates: tuple[float, float] | None = None
    """(latitude, longitude), WGS 84."""
    city: bool = False
    """The source lists it as an instance of city."""
    origins: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Claim:
    """One P190 statement (directed: `subject` states it), or one undirected listing of a pair."""

    subject: str
    object: str
    origin: str
    directed: bool
    deprecated: bool = False
    start: Date | None = None
    end: Date | None = None
    end_cause: str | None = None
    """The Q-id of P1534 (end cause), if given."""
    statement: str | None = None
    """The statement's IRI (`wds:…`), when the source has it."""


@dataclass(frozen=True)
class CountryCheck:
    """A stated country checked against the reference of populated places (`world.countries`)."""

    stated: str
    found: str | None
    """The reference's country, None where no same-named place lies near the coordinates."""

    @property
    def corrected(self) -> bool:
        return self.found is not None and self.found != self.stated


@dataclass
class World:
    origins: dict[str, Origin] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    claims: list[Claim] = field(default_factory=list)
    country_names: dict[str, str] = field(default_factory=dict)
    """English names of the user-assigned country codes a source uses (not in ISO 3166-1: XK Kosovo)."""
    covered: dict[str, set[str]] = field(default_factory=dict)
    """By origin id, the items the source is complete for: it would list any P190 link between two of
    them that Wikidata held then (the 2016 crawl: the items whose statements it read; the 2026
    extract: its cities; the live cache: the items whose statements were fetched). A link between
    two covered items that the source does not list was not listed then."""

    country_checks: dict[str, CountryCheck] = field(default_factory=dict)
    """By Q-id, the check of each item's stated country (`world.countries.check_countries`)."""

    def covers(self, origin: str, qid: str) -> None:
        self.covered.setdefault(origin, set()).add(qid)

    def item(self, qid: str, origin: str) -> Item:
        item = self.items.get(qid)
        if item is None:
            item = self.items[qid] = Item(qid)
        item.origins.add(origin)
        return item
