"""Wikidata's P190 claims, merged with the curated records, as triples of the Wikidata named graph.

The rules (docs/data-model.md, "Wikidata's twinning network"):

* Identity. A place known only from Wikidata gets the slug of its Q-id
  (`id/place/q201391`); a curated place with that Q-id is the same resource
  (its curated IRI), and its Q-id IRI says `dct:isReplacedBy` it, so an IRI
  published before the place was curated still leads to it.
* Every unordered pair with a non-deprecated claim is one `tw:Twinning`. A
  curated twinning whose partners include both places *is* that twinning: the
  claims become more sources of it; a dated claim that disagrees with the
  curated events becomes an event of its own, in conflict with them
  (`tw:conflictsWith`), as the curated data keeps conflicting claims.
* A pair only Wikidata knows gets kind "not stated", an event that starts it
  (START; dated by P580 where a claim has it), an event that ends it (END) per distinct P582
  (reason from P1534 where it maps to a reason concept, else "not stated"),
  and `tw:statedOnlyBy` when the latest directed source has it on one item only.
* Deprecated claims make nothing; they are reported. Nothing is invented:
  values the sources do not give are left out or stated as "not stated".
* Every derived resource cites its sources: the snapshot (a `tw:Source` with
  its retrieval date) or the Wikidata statement itself.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import cast

import pyoxigraph as ox

from twinkg import status as status_rules
from twinkg.concepts import Classes
from twinkg.curated.records import Dataset, Event, Place, Twinning, Where
from twinkg.dates import Date, parse_exact
from twinkg.errors import OutputError
from twinkg.forked import Forked
from twinkg.formats import rdf_bytes
from twinkg.lifecycle import ENDS, STARTS, first_with
from twinkg.mapping import _day, _plain_number, _typed, lifecycle_triples, lifespan, when
from twinkg.vocab import (
    DCT,
    GEO,
    OWL,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SEM,
    SKOS,
    TW,
    Iris,
    qid_slug,
    twinning_slug,
    wikidata_entity,
    wikidata_event_slug,
)
from twinkg.world import associations
from twinkg.world.evidence import LinkEvidence, combined, pair_evidence
from twinkg.world.records import Claim, Item, Origin, World

Triple = ox.Triple
N = ox.NamedNode
A = N(RDF + "type")
LABEL = N(RDFS + "label")
SOURCE = N(DCT + "source")
WHERE = Where("Wikidata", 0)
WIKIDATA_PAGE = "https://www.wikidata.org/wiki/"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

START, END = first_with(STARTS), first_with(ENDS)
"""The event types a Wikidata start (P580) and end (P582) become: the first of each role in the ontology."""


@dataclass
class Findings:
    """What the merge noticed, for the build's progress and `diff-wikidata`."""

    twinnings: int = 0
    merged: int = 0
    places: int = 0
    one_directional: int = 0
    deprecated: list[tuple[str, str]] = field(default_factory=list)
    """Pairs whose only claims are deprecated: no twinning."""
    contradictions: list[str] = field(default_factory=list)
    """Curated twinnings that Wikidata's dated claims disagree with, or lists although never concluded."""
    associations: list[str] = field(default_factory=list)
    """Cliques of Wikidata-only links read as one multilateral link each (`world.associations`)."""
    countries_corrected: list[str] = field(default_factory=list)
    """Places whose stated country the reference contradicts (`world.countries`): the checked one is used."""


def _qkey(qid: str) -> int:
    return int(qid[1:])


def _overlap(a: Date, b: Date) -> bool:
    """Two dates agree when one could be the other: their bounds overlap (1944 and 1944-11-14 do)."""
    return a.earliest <= b.latest and b.earliest <= a.latest


class _WorldMapper:
    def __init__(self, world: World, data: Dataset, iris: Iris, as_of: dt.date, classes: Classes,
                 end_causes: dict[str, str]):
        self.world = world
        self.classes = classes
        self.iris = iris
        self.as_of = as_of
        self.end_causes = end_causes
        self.curated_place: dict[str, Place] = {}
        for place in data.places:
            if place.wikidata:
                self.curated_place.setdefault(place.wikidata, place)
        self.curated_pair: dict[frozenset[str], Twinning] = {}
        qid_of = {p.id: p.wikidata for p in data.places if p.wikidata}
        for twinning in data.twinnings:
            for a, b in itertools.combinations(sorted(set(twinning.partners)), 2):
                if a in qid_of and b in qid_of and qid_of[a] != qid_of[b]:
                    pair = frozenset((qid_of[a], qid_of[b]))
                    kept = self.curated_pair.get(pair)
                    if kept is None or (kept.variant and not twinning.variant):
                        self.curated_pair[pair] = twinning
        self.findings = Findings()
        self.statement_sources: dict[str, Claim] = {}
        self.merged_evidence: dict[str, list[LinkEvidence]] = defaultdict(list)
        """The listings of each curated twinning, by pair, emitted once all pairs are seen."""
        self.kind = N(iris.concept("kind", "not-stated"))
        self.not_stated_reason = N(iris.concept("reason", "not-stated"))

    # --- identity and labels -------------------------------------------------

    def slug(self, qid: str) -> str:
        place = self.curated_place.get(qid)
        return place.id if place else qid_slug(qid)

    def place_iri(self, qid: str) -> N:
        return N(self.iris.place(self.slug(qid)))

    def display(self, qid: str) -> str:
        place = self.curated_place.get(qid)
        if place:
            return place.label
        item = self.world.items.get(qid)
        return (item.english or item.other or qid) if item else qid

    def english(self, qid: str) -> bool:
        """Whether the display name is English (curated, or the 2026 extract's), not the 2016 crawl's `@und` one."""
        item = self.world.items.get(qid)
        return qid in self.curated_place or bool(item and item.english)

    def origin_iri(self, origin: Origin) -> N:
        return N(self.iris.source(origin.id))

    def claim_source(self, claim: Claim) -> N:
        if claim.statement:
            self.statement_sources.setdefault(claim.statement, claim)
            return N(claim.statement)
        return self.origin_iri(self.world.origins[claim.origin])

    # --- sources -------------------------------------------------------------

    def origin(self, origin: Origin) -> Iterator[Triple]:
        s = self.origin_iri(origin)
        yield from (Triple(s, A, N(c)) for c in (TW + "Source", SCHEMA + "CreativeWork", PROV + "Entity"))
        yield Triple(s, N(DCT + "title"), ox.Literal(origin.title))
        yield Triple(s, LABEL, ox.Literal(origin.title))
        yield Triple(s, N(DCT + "publisher"), ox.Literal("Wikidata"))
        yield Triple(s, N(DCT + "issued"), _day(origin.retrieved))
        yield Triple(s, N(PROV + "generatedAtTime"), _typed(origin.retrieved.isoformat() + "T00:00:00Z", "http://www.w3.org/2001/XMLSchema#dateTime"))
        yield Triple(s, N(SCHEMA + "url"), N(origin.url))
        yield Triple(s, N(DCT + "license"), N(origin.licence))
        yield Triple(s, N(RDFS + "comment"), ox.Literal(origin.comment, language="en"))

    def statement(self, iri: str, claim: Claim) -> Iterator[Triple]:
        """A live statement as a source: the statement IRI, its item's page, its retrieval date."""
        s = N(iri)
        origin = self.world.origins[claim.origin]
        title = f"Wikidata statement: {claim.subject} twinned administrative body (P190) {claim.object}"
        yield from (Triple(s, A, N(c)) for c in (TW + "Source", SCHEMA + "CreativeWork", PROV + "Entity"))
        yield Triple(s, N(DCT + "title"), ox.Literal(title))
        yield Triple(s, N(DCT + "publisher"), ox.Literal("Wikidata"))
        yield Triple(s, N(DCT + "issued"), _day(origin.retrieved))
        yield Triple(s, N(SCHEMA + "url"), N(f"{WIKIDATA_PAGE}{claim.subject}#P190"))
        yield Triple(s, N(DCT + "license"), N(origin.licence))
        yield Triple(s, N(DCT + "isPartOf"), self.origin_iri(origin))

    # --- places --------------------------------------------------------------

    def place(self, item: Item) -> Iterator[Triple]:
        curated = self.curated_place.get(item.qid)
        p = self.place_iri(item.qid)
        sources = sorted(item.origins)
        for origin in sources:
            yield Triple(p, SOURCE, N(self.iris.source(origin)))
        if curated is not None:
            yield Triple(N(self.iris.place(qid_slug(item.qid))), N(DCT + "isReplacedBy"), p)
            known = {curated.label, *curated.labels.values(), *curated.alt_labels}
            for label in (item.english, item.other):
                if label and label not in known:
                    yield Triple(p, N(SKOS + "altLabel"), ox.Literal(label))
            if not curated.country and item.country:
                yield Triple(p, N(TW + "country"), N(self.iris.concept("country", item.country)))
                yield from self.country_check(p, item)
            if not curated.coordinates and item.coordinates:
                yield from self.geometry(p, curated.id, item.coordinates)
            return
        yield from (Triple(p, A, N(c)) for c in (TW + "Place", SCHEMA + "Place", GEO + "Feature"))
        yield Triple(p, N(OWL + "sameAs"), N(wikidata_entity(item.qid)))
        if item.english:
            yield Triple(p, LABEL, ox.Literal(item.english, language="en"))
        if item.other and item.other != item.english:
            yield Triple(p, LABEL, ox.Literal(item.other, language="und"))
        if not item.english and not item.other:
            yield Triple(p, LABEL, ox.Literal(item.qid, language="und"))
        yield Triple(p, N(TW + "placeType"), N(self.iris.concept("place-type", "city" if item.city else "not-stated")))
        if item.country:
            yield Triple(p, N(TW + "country"), N(self.iris.concept("country", item.country)))
            yield from self.country_check(p, item)
        if item.coordinates:
            yield from self.geometry(p, qid_slug(item.qid), item.coordinates)

    def country_check(self, p: N, item: Item) -> Iterator[Triple]:
        """Whether the place's country was checked against its coordinates, and what the source stated if it differs."""
        check = self.world.country_checks.get(item.qid)
        if check is None or check.found is None:
            return
        yield Triple(p, N(TW + "countryChecked"), ox.Literal("true", datatype=N(XSD_BOOLEAN)))
        if check.corrected:
            yield Triple(p, N(TW + "countryAsStated"), N(self.iris.concept("country", check.stated)))
            self.findings.countries_corrected.append(
                f"{self.display(item.qid)} ({item.qid}): stated {check.stated}; {check.found} by the same-named place near its coordinates")

    def geometry(self, p: N, slug: str, coordinates: tuple[float, float]) -> Iterator[Triple]:
        g = N(self.iris.geometry(slug))
        lat, lon = coordinates
        yield Triple(p, N(GEO + "hasGeometry"), g)
        yield Triple(g, A, N(GEO + "Geometry"))
        yield Triple(g, N(GEO + "asWKT"), _typed(f"POINT({_plain_number(lon)} {_plain_number(lat)})", GEO + "wktLiteral"))

    # --- twinnings -----------------------------------------------------------

    def lifecycle(self, claims: list[Claim]) -> tuple[dict[Date | None, list[N]], dict[tuple[Date | None, str | None], list[N]]]:
        """Distinct start dates and distinct (end date, cause) pairs the claims state, each with its sources."""
        starts: dict[Date | None, list[N]] = defaultdict(list)
        ends: dict[tuple[Date | None, str | None], list[N]] = defaultdict(list)
        for claim in claims:
            source = self.claim_source(claim)
            starts[claim.start].append(source)
            if claim.end is not None or claim.end_cause is not None:
                ends[(claim.end, claim.end_cause)].append(source)
        if len(starts) > 1:  # an undated listing adds nothing to a dated start
            undated = starts.pop(None, [])
            first = min(starts, key=lambda d: d.earliest)  # type: ignore[union-attr]
            starts[first] = starts[first] + undated
        return starts, ends

    def event(self, e: N, t: N, kind: str, date: Date | None, sources: list[N], cause: str | None = None) -> Iterator[Triple]:
        for cls in dict.fromkeys((TW + "Event", *self.classes.get("event-type", {}).get(kind, ()), SEM + "Event", PROV + "Activity")):
            yield Triple(e, A, N(cls))
        yield Triple(e, N(TW + "twinning"), t)
        yield Triple(t, N(TW + "event"), e)
        if date is not None:
            yield from when(e, date, "date")
        if kind == END:
            reason = self.end_causes.get(cause or "")
            yield Triple(e, N(TW + "reason"), N(self.iris.concept("reason", reason)) if reason else self.not_stated_reason)
            if cause:
                yield Triple(e, N(RDFS + "seeAlso"), N(wikidata_entity(cause)))
        for source in dict.fromkeys(sources):
            yield Triple(e, SOURCE, source)

    def derived(self, qa: str, qb: str, claims: list[Claim], evidence: LinkEvidence) -> Iterator[Triple]:
        """A twinning only Wikidata knows: its status rests on the dated listings and on the dated
        events P580/P582 give; an undated listing makes no event (docs/data-model.md, "Time, honestly")."""
        self.findings.twinnings += 1
        pa, pb = self.place_iri(qa), self.place_iri(qb)
        t = N(self.iris.twinning(twinning_slug([self.slug(qa), self.slug(qb)])))
        yield Triple(t, A, N(TW + "Twinning"))
        yield Triple(t, A, N(PROV + "Entity"))
        english = self.english(qa) and self.english(qb)  # a name of undetermined language makes the whole one so
        yield Triple(t, LABEL, ox.Literal(f"{self.display(qa)} – {self.display(qb)}", language=None if english else "und"))
        yield Triple(t, N(TW + "partner"), pa)
        yield Triple(t, N(TW + "partner"), pb)
        yield Triple(t, N(TW + "kind"), self.kind)
        starts, ends = self.lifecycle(claims)
        records: list[Event] = []
        conflicting: list[N] = []
        dated_starts = sorted(((d, s) for d, s in starts.items() if d is not None), key=lambda kv: kv[0])
        for index, (start, sources) in enumerate(dated_starts, start=1):
            e = N(self.iris.event(wikidata_event_slug(qa, qb, "established", index)))
            records.append(Event(e.value, START, (), WHERE, date=start))
            conflicting.append(e)
            yield from self.event(e, t, START, start, sources)
        yield from self.conflicts(conflicting)
        conflicting = []
        latest = Date(dt.date.max, dt.date.max)
        for index, ((date, cause), sources) in enumerate(sorted(ends.items(), key=lambda kv: (kv[0][0] or latest, kv[0][1] or "")),
                                                        start=1):
            e = N(self.iris.event(wikidata_event_slug(qa, qb, "ended", index)))
            records.append(Event(e.value, END, (), WHERE, date=date))
            conflicting.append(e)
            yield from self.event(e, t, END, date, sources, cause)
        yield from self.conflicts(conflicting)
        current = status_rules.evidenced(records, self.as_of, evidence.listings())
        yield Triple(t, N(TW + "status"), N(self.iris.concept("status", current)))
        yield from lifespan(t, records, current, self.as_of)
        dates = {parse_exact(o.retrieved) for o in (*(self.world.origins[c.origin] for c in claims), *evidence.not_listed_in)}
        yield from lifecycle_triples(t, status_rules.lifecycle(records, self.as_of, sorted(dates)))
        yield from self.listing(t, evidence)
        if status_rules.ever_concluded(records, self.as_of) or evidence.listed_in:  # a P190 listing says "twinned"
            yield Triple(pa, N(TW + "twinnedWith"), pb)
            yield Triple(pb, N(TW + "twinnedWith"), pa)
        for source in dict.fromkeys(self.claim_source(c) for c in claims):
            yield Triple(t, SOURCE, source)
        stated_by = self.stated_by(claims)
        if stated_by is not None:
            self.findings.one_directional += 1
            yield Triple(t, N(TW + "statedOnlyBy"), self.place_iri(stated_by))

    def listing(self, t: N, evidence: LinkEvidence) -> Iterator[Triple]:
        """Which dated sources list the link, the first and last day it was seen, and since when a complete
        source no longer lists it."""
        for origin in evidence.listed_in:
            yield Triple(t, N(TW + "listedIn"), self.origin_iri(origin))
        if evidence.first_seen and evidence.last_seen:
            yield Triple(t, N(TW + "firstSeen"), _day(evidence.first_seen.retrieved))
            yield Triple(t, N(TW + "lastSeen"), _day(evidence.last_seen.retrieved))
        if (gone := evidence.no_longer_listed_in) is not None:
            yield Triple(t, N(TW + "noLongerListedIn"), self.origin_iri(gone))
            yield Triple(t, N(TW + "noLongerListedSince"), _day(gone.retrieved))

    def multilateral(self, members: list[str], links: dict[tuple[str, str], list[Claim]]) -> Iterator[Triple]:
        """A clique of undated Wikidata-only links read as one multilateral link (`world.associations`):
        its partners are all the members, its evidence the listings of its pairs combined."""
        self.findings.associations.append(f"{len(members)} places ({', '.join(self.display(q) for q in members[:5])} …): "
                                           f"{len(links)} pairwise P190 links read as one multilateral link")
        t = N(self.iris.twinning(twinning_slug([self.slug(q) for q in members])))
        yield Triple(t, A, N(TW + "Twinning"))
        yield Triple(t, A, N(PROV + "Entity"))
        yield Triple(t, LABEL, ox.Literal(f"Multilateral link of {len(members)} places, each listed as twinned with "
                                          f"every other (Wikidata P190)"))
        yield Triple(t, N(RDFS + "comment"), ox.Literal(
            "Wikidata states P190 between every two of these places, as it does for the members of an association of "
            "towns; twinkg reads such a clique as one link with several partners. The sources do not name it.", language="en"))
        for q in members:
            yield Triple(t, N(TW + "partner"), self.place_iri(q))
        yield Triple(t, N(TW + "kind"), self.kind)
        evidence = combined(pair_evidence(self.world, qa, qb, claims) for (qa, qb), claims in links.items())
        current = status_rules.evidenced([], self.as_of, evidence.listings())
        yield Triple(t, N(TW + "status"), N(self.iris.concept("status", current)))
        dates = {parse_exact(o.retrieved) for o in (*evidence.listed_in, *evidence.not_listed_in)}
        yield from lifecycle_triples(t, status_rules.lifecycle([], self.as_of, sorted(dates)))
        yield from self.listing(t, evidence)
        for a, b in links:
            yield Triple(self.place_iri(a), N(TW + "twinnedWith"), self.place_iri(b))
            yield Triple(self.place_iri(b), N(TW + "twinnedWith"), self.place_iri(a))
        for source in dict.fromkeys(self.claim_source(c) for claims in links.values() for c in claims):
            yield Triple(t, SOURCE, source)

    def stated_by(self, claims: list[Claim]) -> str | None:
        """The one item that states the link, in the latest source that records direction; None if both do."""
        directed = [c for c in claims if c.directed]
        if not directed:
            return None
        latest = max(self.world.origins[c.origin].retrieved for c in directed)
        subjects = {c.subject for c in directed if self.world.origins[c.origin].retrieved == latest}
        return next(iter(subjects)) if len(subjects) == 1 else None

    def conflicts(self, events: list[N]) -> Iterator[Triple]:
        for a, b in itertools.permutations(events, 2):
            yield Triple(a, N(TW + "conflictsWith"), b)

    def merged(self, qa: str, qb: str, twinning: Twinning, claims: list[Claim]) -> Iterator[Triple]:
        """Wikidata's claims about a curated twinning: more sources, and conflicting dated claims as events."""
        self.findings.merged += 1
        t = N(self.iris.twinning(twinning.slug))
        for source in dict.fromkeys(self.claim_source(c) for c in claims):
            yield Triple(t, SOURCE, source)
        if not status_rules.ever_concluded(twinning.events, self.as_of):
            self.findings.contradictions.append(
                f"{twinning.slug}: Wikidata lists {qa}–{qb} as twinned (P190); the curated data has it "
                f"{status_rules.derive(twinning.events, self.as_of)}, never concluded: kept as a source only")
            return
        self.merged_evidence[t.value].append(pair_evidence(self.world, qa, qb, claims))
        starts, ends = self.lifecycle(claims)
        for kind, stated, index_name in ((START, {d: s for d, s in starts.items() if d is not None}, "established"),
                                         (END, {k: s for k, s in ends.items() if k[0] is not None}, "ended")):
            curated = [e for e in twinning.events if e.type == kind and e.date is not None]
            for index, (key, sources) in enumerate(sorted(stated.items(), key=lambda kv: str(kv[0])), start=1):
                date = cast("Date | None", key if kind == START else key[0])  # type: ignore[index]
                agreeing = [e for e in curated if _overlap(e.date, date)]  # type: ignore[arg-type]
                if agreeing:
                    for event in agreeing:
                        for source in dict.fromkeys(sources):
                            yield Triple(N(self.iris.event(event.id)), SOURCE, source)
                    continue
                e = N(self.iris.event(wikidata_event_slug(qa, qb, index_name, index)))
                cause = key[1] if kind == END else None  # type: ignore[index]
                yield from self.event(e, t, kind, date, sources, cause)
                for event in curated:
                    o = N(self.iris.event(event.id))
                    yield Triple(e, N(TW + "conflictsWith"), o)
                    yield Triple(o, N(TW + "conflictsWith"), e)
                self.findings.contradictions.append(
                    f"{twinning.slug}: Wikidata's {kind} date {(date.lexical or date.text) if date else '?'} disagrees with the curated "
                    f"{', '.join(str(e.date.lexical or e.date.text) for e in curated if e.date) or 'events (none dated)'}: both kept")


PARALLEL_LINKS = 2000
"""From this many links only Wikidata knows on, a forked child maps a share of them (`world_lines`)."""

CHILD_SHARE = 4 / 7
"""The child's share of those links: this process also maps the rest, the places, sources and statements."""


def world_triples(world: World, data: Dataset, iris: Iris, as_of: dt.date, classes: Classes,
                  end_causes: dict[str, str] | None = None) -> tuple[set[Triple], Findings]:
    """The Wikidata graph's derived triples: places, twinnings, events and sources, merged with the curated data.

    `classes` (concepts.load_classes) says which classes an event type stands for."""
    text, findings = world_lines(world, data, iris, as_of, classes, end_causes, parallel_from=None)
    return {q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)}, findings


def world_lines(world: World, data: Dataset, iris: Iris, as_of: dt.date, classes: Classes,
                end_causes: dict[str, str] | None = None,
                parallel_from: int | None = PARALLEL_LINKS) -> tuple[bytes, Findings]:
    """`world_triples` as N-Triples, written as they are made (a statement two links cite may be on two
    lines), and what the merge noticed. With at least `parallel_from` links only Wikidata knows, a forked
    child maps a share of them and hands back its text, and its counts are added to the findings.

    Those links are two thirds of the merge's work, each on its own (its events, status, lifecycle, sources,
    and the statements it cites, which no other link cites), so the child maps them without this process's
    state, and neither makes a Python set of half a million statements (bench/RESULTS.md, round 4)."""
    mapper = _WorldMapper(world, data, iris, as_of, classes, end_causes or {})
    pairs: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for claim in world.claims:
        if claim.subject != claim.object:
            pairs[tuple(sorted((claim.subject, claim.object), key=_qkey))].append(claim)  # type: ignore[index]
    kept: dict[tuple[str, str], list[Claim]] = {}
    for (qa, qb), claims in sorted(pairs.items(), key=lambda kv: (_qkey(kv[0][0]), _qkey(kv[0][1]))):
        live = [c for c in claims if not c.deprecated]
        current = [c for c in claims if world.origins[c.origin].current]
        if not live or (current and all(c.deprecated for c in current)):  # deprecated now: older listings too
            mapper.findings.deprecated.append((qa, qb))
            continue
        kept[(qa, qb)] = live
    plain = [pair for pair, live in kept.items() if frozenset(pair) not in mapper.curated_pair
             and not any(c.start or c.end or c.end_cause for c in live)]
    cliques = [sorted(members, key=_qkey) for members in associations.cliques(plain)]
    in_association = {pair for ordered in cliques for pair in itertools.combinations(ordered, 2)}
    derived = [(pair, live) for pair, live in kept.items()
               if pair not in in_association and frozenset(pair) not in mapper.curated_pair]
    share = int(len(derived) * CHILD_SHARE) if parallel_from is not None and len(derived) >= parallel_from else 0

    def own() -> Iterator[Triple]:
        for ordered in cliques:
            yield from mapper.multilateral(ordered, {pair: kept[pair] for pair in itertools.combinations(ordered, 2)})
        for (qa, qb), live in kept.items():
            twinning = mapper.curated_pair.get(frozenset((qa, qb)))
            if twinning and (qa, qb) not in in_association:
                yield from mapper.merged(qa, qb, twinning, live)
        yield from _links(mapper, derived[share:])
        for iri, parts in sorted(mapper.merged_evidence.items()):  # filled by the merged links above
            yield from mapper.listing(N(iri), combined(parts))
        involved = {q for pair in kept for q in pair}
        for qid in sorted(involved, key=_qkey):
            yield from mapper.place(world.items[qid])
        mapper.findings.places = len(involved)
        used_origins = {o for q in involved for o in world.items[q].origins}
        for origin_id in sorted(used_origins | {c.origin for c in world.claims}):
            yield from mapper.origin(world.origins[origin_id])
        for iri, claim in mapper.statement_sources.items():  # the statements this process's links cite
            yield from mapper.statement(iri, claim)

    with Forked(lambda: _child_lines(mapper, derived[:share]), "Wikidata merge") if share else nullcontext() as child:
        text = _ntriples(own())
        if child is not None:
            theirs, twinnings, one_directional = child.result()
            text += theirs
            mapper.findings.twinnings += twinnings
            mapper.findings.one_directional += one_directional
    return text, mapper.findings


def _links(mapper: _WorldMapper, links: list[tuple[tuple[str, str], list[Claim]]]) -> Iterator[Triple]:
    for (qa, qb), live in links:
        yield from mapper.derived(qa, qb, live, pair_evidence(mapper.world, qa, qb, live))


def _child_lines(mapper: _WorldMapper, links: list[tuple[tuple[str, str], list[Claim]]]) -> tuple[bytes, int, int]:
    """In the forked child of `world_lines`: the links' statements and those they cite, as N-Triples, and the
    counts the merge's findings take from them. The mapper is as the fork left it: nothing mapped yet."""

    def statements() -> Iterator[Triple]:
        yield from _links(mapper, links)
        for iri, claim in mapper.statement_sources.items():  # filled by the links above
            yield from mapper.statement(iri, claim)

    return _ntriples(statements()), mapper.findings.twinnings, mapper.findings.one_directional


def _ntriples(statements: Iterator[Triple]) -> bytes:
    try:
        return rdf_bytes(statements, ox.RdfFormat.N_TRIPLES)
    except MemoryError as exc:  # pyoxigraph holds a term in a bounded buffer
        raise OutputError(f"the Wikidata graph cannot be written: a value from its sources is too large ({exc})") from None


def country_codes(world: World) -> dict[str, str | None]:
    """The country codes the world's items use, with the source's name of those ISO 3166-1 leaves to users (XK)."""
    codes = {item.country for item in world.items.values() if item.country}
    codes |= {check.stated for check in world.country_checks.values()}
    return {code: world.country_names.get(code) for code in codes}
