"""A place's twinnings as its page lists them: in which order, in which groups, a page at a time.

A place of the world network has up to hundreds of partners (Saint Petersburg 126); one list of all of
them made a 244 KB page. The page lists PER_PAGE twinnings at a time under `?page=N`: the curated links
first (they carry the lifecycles, the sources people read), then those only Wikidata states; within
each, by the partner's country (places without a stated country last), then by the partner's name. The
ordering is done here on one light query's rows (one row per twinning and partner), so that only the
page's twinnings and events are then fetched in full. The data documents are not paginated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

import pyoxigraph as ox

from twinkg.errors import TwinkgError
from twinkg.server.config import ServerConfig
from twinkg.server.queries import select
from twinkg.server.urls import page_href
from twinkg.store import Row

PER_PAGE = 50
MAX_PAGE_DIGITS = 6
"""Longer numbers are refused before they are read (no place has a million pages of twinnings)."""


class BadPage(TwinkgError):
    """A `page` query parameter that names no page of the list."""


@dataclass
class Partner:
    iri: str
    label: str
    href: str
    country: str
    lang: str = ""
    """The language of `label`: "und" for the 2016 crawl's name of undetermined language, which pages mark."""


@dataclass
class Link:
    """One twinning of the place, with what orders it."""

    iri: str
    curated: bool
    partners: list[Partner] = field(default_factory=list)

    @property
    def country(self) -> str:
        return self.partners[0].country if self.partners else ""

    @property
    def sort_key(self) -> tuple[bool, bool, str, str, str]:
        name = self.partners[0].label.casefold() if self.partners else ""
        return (not self.curated, not self.country, self.country.casefold(), name, self.iri)


@dataclass
class Group:
    """Consecutive links of a page that share their provenance and their partner's country (a heading)."""

    curated: bool
    country: str
    links: list[Link]


@dataclass
class Listing:
    """One page of a place's twinnings, and what the page says about all of them."""

    page: int
    pages: int
    first: int
    """1-based position of the page's first twinning (0 when there is none)."""
    links: list[Link]
    twinnings: int
    partners: int
    curated: int

    @property
    def last(self) -> int:
        return self.first + len(self.links) - 1 if self.links else 0

    @property
    def groups(self) -> list[Group]:
        return [Group(curated, country, list(links))
                for (curated, country), links in groupby(self.links, key=lambda lk: (lk.curated, lk.country))]


def requested_page(values: list[str]) -> int:
    """The page a request names with `?page=N` (1 without one); BadPage for anything but one whole number ≥ 1."""
    if not values:
        return 1
    if len(values) > 1:
        raise BadPage(f"page is given {len(values)} times; give it once")
    value = values[0]
    if not (value.isascii() and value.isdigit()) or len(value) > MAX_PAGE_DIGITS or int(value) < 1:
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise BadPage(f"page must be a whole number from 1 to the last page (got {shown!r})")
    return int(value)


def order(links: list[Link]) -> list[Link]:
    return sorted(links, key=lambda lk: lk.sort_key)


def paginate(links: list[Link], page: int, per_page: int = PER_PAGE) -> Listing:
    """The page's slice of the ordered links; BadPage past the last page (a place without twinnings has page 1)."""
    ordered = order(links)
    pages = max(1, -(-len(ordered) // per_page))
    if page > pages:
        raise BadPage(f"page {page} is past the last page of this place's twinnings ({pages})")
    start = (page - 1) * per_page
    chunk = ordered[start:start + per_page]
    partners = {p.iri for lk in ordered for p in lk.partners}
    return Listing(page=page, pages=pages, first=start + 1 if chunk else 0, links=chunk, twinnings=len(ordered),
                   partners=len(partners), curated=sum(lk.curated for lk in ordered))


def links_of(config: ServerConfig, rows: list[Row]) -> list[Link]:
    """The place's twinnings from the rows of `LINKS_QUERY` (a row per twinning and other partner)."""
    links: dict[str, Link] = {}
    for row in rows:
        t = row.text("t")
        link = links.setdefault(t, Link(t, row.flag("curated")))
        x = row.text("x")
        if x and all(p.iri != x for p in link.partners):
            link.partners.append(Partner(x, row.text("xl", x.rsplit("/", 1)[-1]), page_href(config.base, x) or x,
                                         row.text("cl"), row.lang("xl")))
    for link in links.values():
        link.partners.sort(key=lambda p: (p.label.casefold(), p.iri))
    return list(links.values())


async def place_links(config: ServerConfig, place: str) -> list[Link]:
    """Every twinning of the place with its other partners' names and countries and whether it is curated.

    One flat group of OPTIONALs, each on the bound partner: Virtuoso 7 drops a FILTER of an OPTIONAL that holds
    OPTIONALs of its own (it listed the place among its own partners, and no partner's country). A twinning has
    two partners or more (the shapes' sh:minCount 2), so the other partner is required."""
    it = ox.NamedNode(place)
    rows = await select(config, f"""SELECT ?t ?x ?xl ?cl ?curated WHERE {{
        ?t tw:partner {it}, ?x FILTER(?x != {it})
        OPTIONAL {{ ?x rdfs:label ?en FILTER(LANG(?en) = "en") }}
        OPTIONAL {{ ?x rdfs:label ?other FILTER(LANG(?other) IN ("und", "")) }}
        BIND(COALESCE(?en, ?other) AS ?xl)
        OPTIONAL {{ ?x tw:country ?c . ?c skos:prefLabel ?cl FILTER(LANG(?cl) IN ("en", "")) }}
        BIND(EXISTS {{ GRAPH {ox.NamedNode(config.iris.graph("curated"))} {{ ?t a tw:Twinning }} }} AS ?curated)
    }}""")
    return links_of(config, rows)
