"""The graph as tables a researcher loads without SPARQL: links, places and events.

Rows are read from the built graphs (curated and Wikidata alike), one flat query per
aspect joined here in Python, so a link that only Wikidata knows is exported exactly
like a curated one. Status and bounds are derived by `twinkg.status` from the link's
events as of a day, the same rule the mapping uses, so a snapshot of any year is the
same computation as the build's own export.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import pyoxigraph as ox

from twinkg import status as status_rules
from twinkg.dates import OPEN_END, OPEN_START, Date, DateError, parse_exact
from twinkg.vocab import DCT, PREFIXES, RDFS, TW, WD, XSD, Iris

EARTH_RADIUS_KM = 6371.0088
"""The mean Earth radius (IUGG), the usual sphere for great-circle distances."""


_PREFIX = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items()) + """
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX p: <http://www.wikidata.org/prop/>
PREFIX ps: <http://www.wikidata.org/prop/statement/>
PREFIX pq: <http://www.wikidata.org/prop/qualifier/>
PREFIX wikibase: <http://wikiba.se/ontology#>
"""

Row = dict[str, object]

_PARTNER, _KIND, _VARIANT, _LISTED_IN, _NO_LONGER_LISTED_IN = (
    TW + n for n in ("partner", "kind", "variant", "listedIn", "noLongerListedIn"))
_SOURCE = DCT + "source"
_XSD_STRING = XSD + "string"
_TWINNING = TW + "twinning"
_EVENT_COLUMNS = {"date": TW + "date", "date_text": TW + "dateText", "label": RDFS + "label", "actors": TW + "agent",
                  "initiated_by": TW + "initiatedBy", "reasons": TW + "reason", "forms": TW + "form", "source_ids": _SOURCE}
"""The events table's columns read from each event's own statements."""
_ONE_VALUED = {"date", "date_text", "label"}


def _term_order(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> tuple[int, str, str, str]:
    """SPARQL's `ORDER BY` among one event's values: blank nodes, then IRIs, then literals, each by its text
    (for literals of one datatype the shapes allow, xsd:date or a plain string, the text orders as the value)."""
    if isinstance(term, ox.Literal):
        return 2, term.value, term.datatype.value, term.language or ""
    return (0 if isinstance(term, ox.BlankNode) else 1), term.value, "", ""


@dataclass(frozen=True)
class GraphEvent:
    """An event as the graph states it: what `status.derive` and `status.lifecycle` read."""

    id: str
    type: str
    date: Date | None
    conflicts_with: tuple[str, ...] = ()


@dataclass
class _Link:
    iri: str
    kind: str = ""
    variant: str = ""
    partners: list[str] = field(default_factory=list)
    events: list[GraphEvent] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    cited: set[str] = field(default_factory=set)
    """Sources of the link and of its events whose dates are the evidence its status rests on."""
    graphs: set[str] = field(default_factory=set)
    listed_in: set[str] = field(default_factory=set)
    """Dated sources that list the link (tw:listedIn)."""
    no_longer_listed_in: set[str] = field(default_factory=set)
    """Complete sources that cover its partners and do not list it (tw:noLongerListedIn)."""


@dataclass
class _Place:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)
    wikidata: str = ""
    country: str = ""
    wkt: str = ""
    population: tuple[int, str] | None = None
    type: str = ""
    fictional: bool = False
    country_stated: str = ""
    """The source's country where the check contradicted it (tw:countryAsStated)."""
    country_checked: bool = False
    graphs: set[str] = field(default_factory=set)


def _tail(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _local(iri: str, prefix: str) -> str:
    return iri[len(prefix):] if iri.startswith(prefix) else iri


def _select(store: ox.Store, query: str) -> Iterator[ox.QuerySolution]:
    solutions = store.query(_PREFIX + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    yield from solutions


def _date(term: ox.Literal | None) -> dt.date | None:
    return dt.date.fromisoformat(term.value) if term is not None else None


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _point(wkt: str) -> tuple[float, float] | None:
    """(latitude, longitude) of a WKT `POINT(lon lat)` (any case, with an optional CRS IRI first)."""
    text = wkt.strip()
    if text.startswith("<"):
        text = text.split(">", 1)[1].strip()
    if not text.upper().startswith("POINT"):
        return None
    try:
        lon, lat = (float(x) for x in text[text.index("(") + 1:text.rindex(")")].split())
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (latitude, longitude) points on the mean Earth sphere."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _is_true(value: str) -> bool:
    return value == "true"


def _text_ordered(values: list[ox.NamedNode | ox.BlankNode | ox.Literal]) -> bool:
    """Whether SPARQL's `ORDER BY` puts these values in the order of their text: all IRIs, or all plain strings."""
    return all(isinstance(v, ox.NamedNode) for v in values) or all(
        isinstance(v, ox.Literal) and v.datatype.value == _XSD_STRING for v in values)


def _first_values(store: ox.Store, pattern: str, wanted: Container[str], convert: Callable[[str], str | bool]) -> dict[str, str | bool]:
    """Each wanted subject's first value of `pattern` (?p … ?v) in the order of `ORDER BY ?p ?v`, converted,
    among those that convert to something (not "" or False).

    The store's sort cost more than its query (0.31 of 0.43 CPU s at ×4 for the place types,
    bench/RESULTS.md, "The exports at ×4"): where a subject's values sort as their text (IRIs, plain
    strings), they are put in order here; any other mix leaves the order to the store's sort."""
    found: dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]] = defaultdict(list)
    for p, v in _select(store, f"SELECT ?p ?v WHERE {{ {pattern} }}"):
        if p.value in wanted and convert(v.value):
            found[p.value].append(v)
    if all(len(values) == 1 or _text_ordered(values) for values in found.values()):
        return {p: convert(min(values, key=lambda v: v.value).value) for p, values in found.items()}
    first: dict[str, str | bool] = {}
    for p, v in _select(store, f"SELECT ?p ?v WHERE {{ {pattern} }} ORDER BY ?p ?v"):
        if p.value in wanted and p.value not in first and (value := convert(v.value)):
            first[p.value] = value
    return first


def _statements(store: ox.Store, predicate: str, sources: list[ox.Quad]) -> Iterable[ox.Quad]:
    """Every statement of the predicate: dct:source's from `sources`, read once for all the tables."""
    return sources if predicate == _SOURCE else store.quads_for_pattern(None, ox.NamedNode(predicate), None)


class GraphTables:
    """Everything the tables need, read once from a store holding the build's named graphs."""

    def __init__(self, store: ox.Store, iris: Iris):
        self.iris = iris
        self.graph_names = {iris.graph(n): n for n in ("ontology", "curated", "wikidata", "meta")}
        # Every dct:source statement, read once for the links', the places' and the events' (a scan each,
        # or a query for the places', read them three times).
        sources = list(store.quads_for_pattern(None, ox.NamedNode(_SOURCE), None))
        self.links = self._links(store, sources)
        self.places = self._places(store, sources, {p for link in self.links.values() for p in link.partners})
        self.events = self._event_details(store, sources)

    def _links(self, store: ox.Store, sources: list[ox.Quad]) -> dict[str, _Link]:
        links: dict[str, _Link] = {}
        # Rows are unpacked by position: a QuerySolution indexed by name costs twice as much.
        for t, g in _select(store, "SELECT ?t ?g WHERE { GRAPH ?g { ?t a tw:Twinning } }"):
            link = links.setdefault(t.value, _Link(t.value))
            link.graphs.add(self.graph_names.get(g.value, _tail(g.value)))
        # The links' own statements, one index scan per predicate with the graph stating each: a query joining
        # every row with the link's type (one per predicate) cost five times as much at world scale (bench/RESULTS.md).
        partners: dict[str, set[str]] = defaultdict(set)
        cited: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for predicate in (_PARTNER, _SOURCE, _LISTED_IN, _NO_LONGER_LISTED_IN, _KIND, _VARIANT):
            quads = _statements(store, predicate, sources)
            for subject, _, value, graph in quads:
                if isinstance(subject, ox.Triple) or isinstance(value, ox.Triple) or (owner := links.get(subject.value)) is None:
                    continue
                o = value.value
                if predicate == _PARTNER:
                    partners[owner.iri].add(o)
                elif predicate == _SOURCE:
                    owner.sources.add(o)
                    if isinstance(graph, ox.NamedNode):  # the named graphs that state it (a build writes no other)
                        owner.graphs.add(self.graph_names.get(graph.value, _tail(graph.value)))
                        cited[owner.iri][self.graph_names.get(graph.value, "")].add(o)
                elif predicate == _LISTED_IN:
                    owner.listed_in.add(o)
                elif predicate == _NO_LONGER_LISTED_IN:
                    owner.no_longer_listed_in.add(o)
                elif predicate == _KIND:
                    owner.kind = _tail(o)
                else:
                    owner.variant = o
        for iri, places in partners.items():
            links[iri].partners = sorted(places)
        # The status of a curated link rests on the curated record (Wikidata's claims only add sources), so its
        # evidence is what the curated graph cites; a link only Wikidata knows rests on Wikidata's sources.
        for t, s, g in _select(store, "SELECT DISTINCT ?t ?s ?g WHERE { GRAPH ?g { ?t tw:event/dct:source ?s } }"):
            if t.value in links:
                cited[t.value][self.graph_names.get(g.value, "")].add(s.value)
        for iri, by_graph in cited.items():
            links[iri].cited = by_graph["curated"] if "curated" in by_graph else set().union(*by_graph.values())
        conflicts: dict[str, list[str]] = defaultdict(list)
        for e, o in _select(store, "SELECT DISTINCT ?e ?o WHERE { ?e tw:conflictsWith ?o }"):
            conflicts[e.value].append(o.value)
        # the event's type is the event-type concept that names one of its classes (concepts.ttl, rdfs:seeAlso)
        for r in _select(store, f"""SELECT DISTINCT ?t ?e ?code ?lo ?hi WHERE {{
                ?e tw:twinning ?t ; a ?c . ?k skos:inScheme <{self.iris.scheme("event-type")}> ;
                rdfs:seeAlso ?c ; skos:notation ?code .
                OPTIONAL {{ ?e tw:earliest ?lo }} OPTIONAL {{ ?e tw:latest ?hi }} }}"""):
            t, e, code, lo_term, hi_term = r
            lo, hi = _date(lo_term), _date(hi_term)
            when = Date(lo or OPEN_START, hi or OPEN_END) if lo or hi else None
            if t.value in links:
                links[t.value].events.append(GraphEvent(e.value, code.value, when, tuple(sorted(conflicts[e.value]))))
        for link in links.values():
            link.events.sort(key=lambda e: e.id)
        self.source_dates = self._source_dates(store)
        self.built = self._built(store)
        return links

    @staticmethod
    def _built(store: ox.Store) -> dt.date | None:
        """The build's date (tw:statusAsOf in the meta graph): the day the curated records speak for."""
        for (d,) in _select(store, "SELECT ?d WHERE { ?s tw:statusAsOf ?d } LIMIT 1"):
            return dt.date.fromisoformat(d.value)
        return None

    @staticmethod
    def _source_dates(store: ox.Store) -> dict[str, Date]:
        dates = {}
        for r in _select(store, "SELECT ?s ?d WHERE { ?s a tw:Source ; dct:issued ?d }"):
            try:
                dates[r["s"].value] = parse_exact(r["d"].value)
            except DateError:
                continue
        return dates

    def _places(self, store: ox.Store, sources: list[ox.Quad], wanted: set[str]) -> dict[str, _Place]:
        places = {iri: _Place(iri) for iri in sorted(wanted)}
        # Each fact is read without joining the place's type (that join per row cost as much as the rest);
        # `typed` keeps only what a tw:Place states, as the join did.
        typed: dict[str, _Place] = {}
        for p, g in _select(store, "SELECT ?p ?g WHERE { GRAPH ?g { ?p a tw:Place } }"):
            if (place := places.get(p.value)) is not None:
                typed[place.iri] = place
                place.graphs.add(self.graph_names.get(g.value, _tail(g.value)))  # every graph that states it
        for p, _, _, g in sources:  # the named graphs that state a source of the place
            if isinstance(g, ox.NamedNode) and not isinstance(p, ox.Triple) and (place := typed.get(p.value)) is not None:
                place.graphs.add(self.graph_names.get(g.value, _tail(g.value)))
        for p, label in _select(store, "SELECT ?p ?l WHERE { ?p rdfs:label ?l }"):
            if (place := typed.get(p.value)) is not None:
                place.labels.setdefault(label.language or "", label.value)
        for p, item in _select(store, f"""SELECT ?p ?item WHERE {{ ?p owl:sameAs ?item . FILTER STRSTARTS(STR(?item), "{WD}") }}"""):
            if (place := typed.get(p.value)) is not None:
                place.wikidata = min(filter(None, (place.wikidata, _local(item.value, WD))))
        simple = {
            "country": "?p tw:country/skos:notation ?v",
            "wkt": "?p geo:hasGeometry/geo:asWKT ?v",
            "type": "?p tw:placeType ?v",
            "fictional": "?p tw:fictional ?v",
            "country_stated": "?p tw:countryAsStated/skos:notation ?v",
            "country_checked": "?p tw:countryChecked ?v",
        }
        for attr, pattern in simple.items():
            convert = _tail if attr == "type" else _is_true if attr in ("fictional", "country_checked") else str
            for iri, value in _first_values(store, pattern, typed, convert).items():
                setattr(typed[iri], attr, value)
        self._wikidata_facts(store, typed)
        return places

    @staticmethod
    def _wikidata_facts(store: ox.Store, places: dict[str, _Place]) -> None:
        """Where the curated data is silent, the Wikidata cache's coordinates, ISO country and population
        (of `places`, the tw:Place resources wanted)."""
        for p, wkt, iso in _select(store, """SELECT ?p ?wkt ?iso WHERE { ?p owl:sameAs ?item .
                OPTIONAL { ?item wdt:P625 ?wkt } OPTIONAL { ?item wdt:P17/wdt:P297 ?iso } } ORDER BY ?p ?wkt ?iso"""):
            place = places.get(p.value)
            if place is None:
                continue
            if not place.wkt and wkt:
                place.wkt = wkt.value
            if not place.country and iso:
                place.country = iso.value
        best: dict[str, tuple[int, str, int]] = {}
        for r in _select(store, """SELECT ?p ?pop ?when ?rank WHERE { ?p owl:sameAs ?item .
                ?item p:P1082 ?st . ?st ps:P1082 ?pop . OPTIONAL { ?st pq:P585 ?when } OPTIONAL { ?st wikibase:rank ?rank } }"""):
            if r["p"].value not in places or (r["rank"] and r["rank"].value.endswith("DeprecatedRank")):
                continue
            try:
                population = int(float(r["pop"].value))
            except ValueError:
                continue
            preferred = int(bool(r["rank"]) and r["rank"].value.endswith("PreferredRank"))
            year = r["when"].value[:4] if r["when"] else ""
            key = (preferred, year, population)
            if key > best.get(r["p"].value, (-1, "", 0)):
                best[r["p"].value] = key
        for iri, (_, year, population) in best.items():
            places[iri].population = (population, year)

    def _event_details(self, store: ox.Store, sources: list[ox.Quad]) -> dict[str, dict[str, Any]]:
        """Each event's own statements, read by one index scan per predicate of the columns.

        A query per column joining every value with the event's `tw:twinning` cost 8.8 times as much at ×4
        as at ×1 for 5.2 times the events (bench/RESULTS.md, "The ×4 build"); a scan per event read all
        of its statements, 957,180 at ×4 for the 385,000 these scans read besides the dct:source statements
        the links and places read too (bench/RESULTS.md, "The exports at ×4"). Values come in SPARQL's order
        (`_term_order`), as the queries' `ORDER BY ?v` gave them: a one-valued column (the shapes'
        `sh:maxCount 1`) takes the first."""
        values: dict[ox.NamedNode | ox.BlankNode, dict[str, set[ox.NamedNode | ox.BlankNode | ox.Literal]]] = {}
        graphs: dict[ox.NamedNode | ox.BlankNode, set[str]] = {}  # every named graph that states the event's link or its sources

        def stated_in(event: ox.NamedNode | ox.BlankNode, graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> None:
            if isinstance(graph, ox.NamedNode):
                graphs[event].add(self.graph_names.get(graph.value, _tail(graph.value)))

        for event, _, _, graph in store.quads_for_pattern(None, ox.NamedNode(_TWINNING), None):
            if isinstance(event, ox.Triple):  # a statement about a statement: no event of the tables
                continue
            if event not in values:
                values[event], graphs[event] = defaultdict(set), set()
            stated_in(event, graph)
        for column, predicate in _EVENT_COLUMNS.items():
            quads = _statements(store, predicate, sources)
            for subject, _, value, graph in quads:
                if isinstance(subject, ox.Triple) or (found := values.get(subject)) is None:
                    continue
                if not isinstance(value, ox.Triple):
                    found[column].add(value)
                if predicate == _SOURCE:
                    stated_in(subject, graph)
        details: dict[str, dict[str, Any]] = {}
        for event, columns in values.items():
            detail: dict[str, Any] = {"graph": list(graphs[event])}
            for column, found_values in columns.items():
                ordered = sorted(found_values, key=_term_order) if len(found_values) > 1 else list(found_values)
                detail[column] = ordered[0].value if column in _ONE_VALUED else [_tail(v.value) for v in ordered]
            details[event.value] = detail
        return details

    def label(self, iri: str) -> str:
        labels = self.places[iri].labels
        return labels.get("en") or labels.get("") or (labels[min(labels)] if labels else "")

    def label_language(self, iri: str) -> str:
        """The language tag of the label `label` picks ("en"; "und" for the 2016 crawl's names of unknown language)."""
        labels = self.places[iri].labels
        return "en" if "en" in labels else "" if "" in labels else min(labels) if labels else ""


@dataclass(frozen=True)
class Tables:
    twinnings: list[Row]
    places: list[Row]
    events: list[Row]
    unknown: int = 0
    """Links left out because nothing evidences them by the table's day: their state then is unknown."""


LISTING_COLUMNS = {"wikidata-p190-2016": "listed_2016", "wikidata-cities-2026": "listed_2026", "wikidata-live": "listed_live"}
"""The dated Wikidata sources (`world.snapshots`, `world.live`) and the column saying whether each lists a link."""


@dataclass(frozen=True)
class _Evidence:
    """A link's evidence as of a day: what `status.evidenced` reads and the table shows."""

    listings: list[status_rules.Listing]
    dates: list[dt.date]
    """Dates of the sources stating the link."""
    record: list[dt.date]
    """For a curated link, the build's day: its curated record is evidence of its undated events from then on."""
    listed: dict[str, bool | None]
    first_seen: dt.date | None
    last_seen: dt.date | None
    no_longer_listed_since: dt.date | None
    since: dt.date | None
    """The first day anything evidences the link."""
    curated: bool


def _evidence(data: GraphTables, link: _Link, as_of: dt.date) -> _Evidence:
    """The link's dated evidence known by `as_of`: a source dated later is not evidence for that day.

    A curated link's status rests on its curated events, so only Wikidata's listings (not their
    absence) count for it, and its undated events are evidenced from the build's day on."""
    day = data.source_dates
    seen = sorted(day[s].latest for s in link.listed_in if s in day and day[s].latest <= as_of)
    curated = "curated" in link.graphs
    silent = [] if curated else sorted(day[s].latest for s in link.no_longer_listed_in if s in day and day[s].latest <= as_of)
    gone = [d for d in silent if seen and d > seen[-1]]
    listings = sorted([status_rules.Listing(d) for d in seen] + [status_rules.Listing(d, False) for d in silent],
                      key=lambda listing: listing.date)
    dates = [day[s].latest for s in sorted(link.cited) if s in day and day[s].latest <= as_of]
    built = data.built or as_of  # a store without the meta graph is the build's own, as of its day
    record = [built] if curated and built <= as_of else []
    listed: dict[str, bool | None] = {}
    for slug, column in LISTING_COLUMNS.items():
        iri = data.iris.source(slug)
        listed[column] = (iri in link.listed_in) if iri in day and day[iri].latest <= as_of else None
    return _Evidence(listings, dates, record, listed, seen[0] if seen else None, seen[-1] if seen else None,
                     gone[0] if gone else None, status_rules.evidenced_from(link.events, listings, dates + record),
                     curated)


def tables(data: GraphTables, as_of: dt.date) -> Tables:
    """The three tables of the network as of a day (the build date, or the end of a snapshot year)."""
    link_rows: list[Row] = []
    event_rows: list[Row] = []
    neighbours: dict[str, set[str]] = defaultdict(set)
    unknown = 0
    points = {iri: _point(place.wkt) for iri, place in data.places.items()}
    partner_a, partner_b = (functools.cache(functools.partial(_partner, data, side)) for side in "ab")
    for link in sorted(data.links.values(), key=lambda lk: lk.iri):
        ev = _evidence(data, link, as_of)
        if ev.since is None or ev.since > as_of:
            unknown += 1
            continue

        def rule(events: Sequence[status_rules.Happening], day: dt.date, ev: _Evidence = ev) -> str:
            return status_rules.evidenced(events, day, ev.listings, ev.dates + ev.record)

        status = rule(link.events, as_of)
        listed = [] if ev.curated else [x.date for x in ev.listings]  # as the graph: a curated link's evidence is what it cites
        life = status_rules.lifecycle(link.events, as_of, [Date(d, d) for d in (*ev.dates, *listed)])
        common: Row = {
            "twinning_id": _tail(link.iri), "twinning_iri": link.iri, "partner_count": len(link.partners),
            "multilateral": len(link.partners) > 2, "kind": link.kind, "status": status,
            "status_as_of": _iso(life.latest_evidence),
            "status_rests_on_conflict": bool(others := status_rules.alternatives(link.events, as_of, rule)),
            "alternative_status": sorted(others),
            "start_earliest": _iso(life.start[0] if life.start else None),
            "start_latest": _iso(life.start[1] if life.start else None),
            "end_earliest": _iso(life.end[0] if life.end else None),
            "end_latest": _iso(life.end[1] if life.end else None),
            **ev.listed, "first_seen": _iso(ev.first_seen), "last_seen": _iso(ev.last_seen),
            "no_longer_listed_since": _iso(ev.no_longer_listed_since), "evidenced_from": _iso(ev.since),
            "source_ids": sorted(_tail(s) for s in link.sources), "graph": sorted(link.graphs - {"meta"}),
        }
        for a, b in combinations(link.partners, 2):
            neighbours[a].add(b)
            neighbours[b].add(a)
            pa, pb = points[a], points[b]
            ca, cb = data.places[a].country, data.places[b].country
            link_rows.append({**common, **partner_a(a), **partner_b(b),
                              "distance_km": round(great_circle_km(pa, pb), 1) if pa and pb else None,
                              "same_country": (ca == cb) if ca and cb else None})
        for event in link.events:
            if event.date is not None and event.date.earliest > as_of:
                continue
            detail = data.events.get(event.id, {})
            event_rows.append({
                "event_id": _tail(event.id), "event_iri": event.id, "twinning_id": _tail(link.iri), "type": event.type,
                "date": detail.get("date", ""), "date_text": detail.get("date_text", ""),
                "earliest": _iso(event.date.known_earliest if event.date else None),
                "latest": _iso(event.date.known_latest if event.date else None), "label": detail.get("label", ""),
                **{k: detail.get(k, []) for k in ("actors", "initiated_by", "reasons", "forms")},
                "conflicts_with": [_tail(o) for o in event.conflicts_with], "source_ids": detail.get("source_ids", []),
                "graph": sorted(detail.get("graph", [])),
            })
    place_rows = [_place_row(data, iri, len(neighbours[iri]), points[iri]) for iri in sorted(neighbours)]
    return Tables(link_rows, place_rows, event_rows, unknown)


def _partner(data: GraphTables, side: str, iri: str) -> Row:
    """The columns of a partner on one side (a or b) of a pair: the same for every pair it is in, so made once."""
    place = data.places[iri]
    return {f"place_{side}_id": _tail(iri), f"place_{side}_iri": iri, f"place_{side}_wikidata": place.wikidata,
            f"place_{side}_label": data.label(iri), f"place_{side}_country": place.country}


def _place_row(data: GraphTables, iri: str, degree: int, point: tuple[float, float] | None) -> Row:
    place = data.places[iri]
    return {
        "place_id": _tail(iri), "place_iri": iri, "wikidata": place.wikidata, "label": data.label(iri),
        "label_language": data.label_language(iri),
        "country": place.country,
        "country_checked": "corrected" if place.country_stated else "agrees" if place.country_checked else "unchecked",
        "country_stated": place.country_stated,
        "latitude": point[0] if point else None, "longitude": point[1] if point else None,
        "population": place.population[0] if place.population else None,
        "population_year": place.population[1] if place.population else "",
        "place_type": place.type, "fictional": place.fictional, "degree": degree,
        "graph": sorted(place.graphs - {"meta"}),
    }
