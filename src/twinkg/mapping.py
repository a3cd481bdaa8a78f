"""Curated records to RDF triples, following the vocabulary contract.

Superclass types are materialised here (a place is also a `schema:Place` and a
`geo:Feature`) so that neither SHACL nor SPARQL users need RDFS inference.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import combinations

import pyoxigraph as ox

from twinkg import status as status_rules
from twinkg.concepts import Classes, country_name
from twinkg.curated.records import Actor, Dataset, Event, OrderClaim, Place, Source, Twinning
from twinkg.dates import Date
from twinkg.lifecycle import ENDS, STARTS, role_of
from twinkg.vocab import DCT, GEO, OWL, PROV, RDF, RDFS, SCHEMA, SEM, SKOS, TW, XSD, Iris, wikidata_entity

Triple = ox.Triple


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


A = _n(RDF + "type")
LABEL = _n(RDFS + "label")
COMMENT = _n(RDFS + "comment")
SOURCE = _n(DCT + "source")


def _lit(text: str, lang: str | None = None) -> ox.Literal:
    return ox.Literal(text, language=lang) if lang else ox.Literal(text)


def _typed(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=_n(datatype))


def _plain_number(x: float) -> str:
    """A coordinate as WKT writes it: never in exponent form (1e-05)."""
    return format(Decimal(repr(x)), "f")


def _day(day: dt.date) -> ox.Literal:
    return _typed(day.isoformat(), XSD + "date")


def stated_date(subject: ox.NamedNode, predicate: str, date: Date) -> Iterator[Triple]:
    """An exact date at its stated precision; nothing for an approximate one, which has no exact value."""
    if date.lexical is not None and date.datatype is not None:
        yield Triple(subject, _n(predicate), _typed(date.lexical, date.datatype))


def when(subject: ox.NamedNode, date: Date, stated: str) -> Iterator[Triple]:
    """A date as the source states it: `tw:{stated}` at its precision (exact dates only), else its
    wording as `tw:{stated}Text`; and the bounds the source gives as `tw:{stated}Earliest`/`Latest`
    (for events `tw:date`, `tw:dateText`, `tw:earliest`, `tw:latest`)."""
    names = ("date", "dateText", "earliest", "latest") if stated == "date" else (
        stated, stated + "Text", stated + "Earliest", stated + "Latest")
    yield from stated_date(subject, TW + names[0], date)
    if date.text:
        yield Triple(subject, _n(TW + names[1]), _lit(date.text))
    if date.known_earliest is not None:
        yield Triple(subject, _n(TW + names[2]), _day(date.known_earliest))
    if date.known_latest is not None:
        yield Triple(subject, _n(TW + names[3]), _day(date.known_latest))


def lifespan(t: ox.NamedNode, events: Iterable[Event], current: str, as_of: dt.date) -> Iterator[Triple]:
    """Start from the first event that starts the link, end from the last that ends it if it has ended.

    Only exactly stated dates are used; an approximate one stays on its event."""
    dated = [(e.type, e.date) for e in status_rules.ordered(events) if e.date and e.date.lexical]
    starts = [date for kind, date in dated if role_of(kind) == STARTS]
    if starts:
        yield from stated_date(t, TW + "startDate", starts[0])
    ends = [date for kind, date in dated if role_of(kind) == ENDS and date.earliest <= as_of]
    if current == "terminated" and ends:
        yield from stated_date(t, TW + "endDate", ends[-1])


class _Mapper:
    def __init__(self, data: Dataset, iris: Iris, as_of: dt.date, classes: Classes):
        self.data = data
        self.classes = classes
        self.iris = iris
        self.as_of = as_of
        self.places = {p.id: p for p in data.places}
        self.source_dates = {s.id: s.date for s in data.sources if s.date is not None}

    def concept(self, scheme: str, code: str) -> ox.NamedNode:
        return _n(self.iris.concept(scheme, code))

    def sources(self, subject: ox.NamedNode, ids: tuple[str, ...]) -> Iterator[Triple]:
        for sid in ids:
            yield Triple(subject, SOURCE, _n(self.iris.source(sid)))

    def period(self, subject: ox.NamedNode, start: Date | None, end: Date | None) -> Iterator[Triple]:
        """A name's or role's period: each end as precise as stated, with its wording and bounds, like an event date."""
        if start is not None:
            yield from self.when(subject, start, "validFrom")
        if end is not None:
            yield from self.when(subject, end, "validUntil")

    def when(self, subject: ox.NamedNode, date: Date, stated: str) -> Iterator[Triple]:
        return when(subject, date, stated)

    def stated_date(self, subject: ox.NamedNode, predicate: str, date: Date) -> Iterator[Triple]:
        return stated_date(subject, predicate, date)

    def source(self, source: Source) -> Iterator[Triple]:
        s = _n(self.iris.source(source.id))
        yield from (Triple(s, A, _n(c)) for c in (TW + "Source", SCHEMA + "CreativeWork", PROV + "Entity"))
        yield Triple(s, _n(DCT + "title"), _lit(source.title))
        yield Triple(s, LABEL, _lit(source.title))
        for predicate, value in ((DCT + "creator", source.author), (DCT + "publisher", source.publisher),
                                 (DCT + "language", source.language), (COMMENT.value, source.comment)):
            if value:
                yield Triple(s, _n(predicate), _lit(value))
        if source.date is not None:
            yield from self.stated_date(s, DCT + "issued", source.date)
        if source.url:
            yield Triple(s, _n(SCHEMA + "url"), _n(source.url))
        if source.original_language:
            yield Triple(s, _n(TW + "originalLanguage"), _lit(source.original_language))
        if source.translation:
            yield Triple(s, _n(TW + "translation"), self.concept("translation", source.translation))

    def place(self, place: Place) -> Iterator[Triple]:
        p = _n(self.iris.place(place.id))
        yield from (Triple(p, A, _n(c)) for c in (TW + "Place", SCHEMA + "Place", GEO + "Feature"))
        yield Triple(p, LABEL, _lit(place.label, "en"))
        for lang, label in sorted(place.labels.items()):
            if lang != "en":
                yield Triple(p, LABEL, _lit(label, lang))
        for alt in place.alt_labels:
            yield Triple(p, _n(SKOS + "altLabel"), _lit(alt))
        for index, name in enumerate(place.names, start=1):
            n = _n(self.iris.name(place.id, index))
            yield Triple(p, _n(TW + "historicalName"), n)
            yield Triple(n, A, _n(TW + "PlaceName"))
            yield Triple(n, LABEL, _lit(name.name, name.language))
            yield from self.period(n, name.valid_from, name.valid_until)
            yield from self.sources(n, name.sources)
        if place.country:
            yield Triple(p, _n(TW + "country"), self.concept("country", place.country))
        yield Triple(p, _n(TW + "placeType"), self.concept("place-type", place.type))
        if place.fictional:
            yield Triple(p, _n(TW + "fictional"), _typed("true", XSD + "boolean"))
        if place.wikidata:
            yield Triple(p, _n(OWL + "sameAs"), _n(wikidata_entity(place.wikidata)))
        if place.coordinates:
            g = _n(self.iris.geometry(place.id))
            lat, lon = place.coordinates
            yield Triple(p, _n(GEO + "hasGeometry"), g)
            yield Triple(g, A, _n(GEO + "Geometry"))
            yield Triple(g, _n(GEO + "asWKT"), _typed(f"POINT({_plain_number(lon)} {_plain_number(lat)})", GEO + "wktLiteral"))
        if place.comment:
            yield Triple(p, COMMENT, _lit(place.comment, "en"))
        yield from self.sources(p, place.sources)

    def actor(self, actor: Actor) -> Iterator[Triple]:
        a = _n(self.iris.actor(actor.id))
        for cls in dict.fromkeys((TW + "Actor", PROV + "Agent", *self.classes.get("actor-type", {}).get(actor.type, ()))):
            yield Triple(a, A, _n(cls))
        yield Triple(a, LABEL, _lit(actor.name))
        for alt in actor.alt_labels:
            yield Triple(a, _n(SKOS + "altLabel"), _lit(alt))
        if actor.wikidata:
            yield Triple(a, _n(OWL + "sameAs"), _n(wikidata_entity(actor.wikidata)))
        if actor.country:
            yield Triple(a, _n(TW + "country"), self.concept("country", actor.country))
        for index, role in enumerate(actor.roles, start=1):
            r = _n(self.iris.role(actor.id, index))
            yield Triple(a, _n(TW + "holdsRole"), r)
            yield Triple(r, A, _n(TW + "RoleTenure"))
            yield Triple(r, LABEL, _lit(role.label, "en"))
            if role.place:
                yield Triple(r, _n(TW + "roleOf"), _n(self.iris.place(role.place)))
            yield from self.period(r, role.valid_from, role.valid_until)
            yield from self.sources(r, role.sources)
        if actor.comment:
            yield Triple(a, COMMENT, _lit(actor.comment, "en"))
        yield from self.sources(a, actor.sources)

    def twinning(self, twinning: Twinning) -> Iterator[Triple]:
        t = _n(self.iris.twinning(twinning.slug))
        yield Triple(t, A, _n(TW + "Twinning"))
        yield Triple(t, A, _n(PROV + "Entity"))
        names = " – ".join(self.places[p].label for p in twinning.partners)
        yield Triple(t, LABEL, _lit(names + (f" ({twinning.variant})" if twinning.variant else ""), "en"))
        for partner in twinning.partners:
            yield Triple(t, _n(TW + "partner"), _n(self.iris.place(partner)))
        yield Triple(t, _n(TW + "kind"), self.concept("kind", twinning.kind))
        current = status_rules.derive(twinning.events, self.as_of)
        yield Triple(t, _n(TW + "status"), self.concept("status", current))
        alternatives = status_rules.alternatives(twinning.events, self.as_of)
        for other in sorted(alternatives):
            yield Triple(t, _n(TW + "alternativeStatus"), self.concept("status", other))
        if alternatives:
            yield Triple(t, _n(TW + "statusRestsOnConflict"), _typed("true", XSD + "boolean"))
        if twinning.variant:
            yield Triple(t, _n(TW + "variant"), _lit(twinning.variant))
        yield from self.lifespan(t, twinning, current)
        if status_rules.ever_concluded(twinning.events, self.as_of):
            for a, b in combinations(sorted(set(twinning.partners)), 2):
                pa, pb = _n(self.iris.place(a)), _n(self.iris.place(b))
                yield Triple(pa, _n(TW + "twinnedWith"), pb)
                yield Triple(pb, _n(TW + "twinnedWith"), pa)
        if twinning.comment:
            yield Triple(t, COMMENT, _lit(twinning.comment, "en"))
        yield from self.sources(t, twinning.sources)
        for index, claim in enumerate(twinning.order, start=1):
            yield from self.order_claim(t, twinning, names, index, claim)
        for event in twinning.events:
            yield Triple(t, _n(TW + "event"), _n(self.iris.event(event.id)))
            yield from self.event(event, t)

    def order_claim(self, t: ox.NamedNode, twinning: Twinning, names: str, index: int, claim: OrderClaim) -> Iterator[Triple]:
        c = _n(self.iris.order_claim(twinning.slug, index))
        yield Triple(t, _n(TW + "orderClaim"), c)
        yield Triple(c, A, _n(TW + "OrderClaim"))
        scope = (f"{self.places[claim.among].label}'s links" if claim.among
                 else f"the links in {country_name(claim.among_country) or claim.among_country}" if claim.among_country
                 else "all links")
        said = {"first": "the first of", "latest": "the latest of", "not-first": "not the first of",
                "after": "formed after other links among"}.get(claim.rank, claim.rank)
        yield Triple(c, LABEL, _lit(f"{names}: {said} {scope}", "en"))
        yield Triple(c, _n(TW + "rank"), self.concept("order-rank", claim.rank))
        if claim.among:
            yield Triple(c, _n(TW + "amongLinksOf"), _n(self.iris.place(claim.among)))
        if claim.among_country:
            yield Triple(c, _n(TW + "amongLinksIn"), self.concept("country", claim.among_country))
        for earlier in claim.after:
            yield Triple(c, _n(TW + "after"), _n(self.iris.twinning(earlier)))
        yield Triple(c, COMMENT, _lit(claim.text, "en"))
        yield from self.sources(c, claim.sources)

    def lifespan(self, t: ox.NamedNode, twinning: Twinning, current: str) -> Iterator[Triple]:
        yield from lifespan(t, twinning.events, current, self.as_of)
        cited = {*twinning.sources, *(s for e in twinning.events for s in e.sources)}
        life = status_rules.lifecycle(twinning.events, self.as_of,
                                      [self.source_dates[s] for s in sorted(cited) if s in self.source_dates])
        yield from lifecycle_triples(t, life)

    def event(self, event: Event, t: ox.NamedNode) -> Iterator[Triple]:
        e = _n(self.iris.event(event.id))
        for cls in dict.fromkeys((TW + "Event", *self.classes.get("event-type", {}).get(event.type, ()), SEM + "Event",
                                  PROV + "Activity")):
            yield Triple(e, A, _n(cls))
        yield Triple(e, _n(TW + "twinning"), t)
        if event.label:
            yield Triple(e, LABEL, _lit(event.label, "en"))
        if event.date is not None:
            yield from self.when(e, event.date, "date")
        for agent in event.agents:
            yield Triple(e, _n(TW + "agent"), _n(self.iris.actor(agent)))
        for place in event.initiated_by:
            yield Triple(e, _n(TW + "initiatedBy"), _n(self.iris.place(place)))
        for reason in event.reasons:
            yield Triple(e, _n(TW + "reason"), self.concept("reason", reason))
        for form in event.forms:
            yield Triple(e, _n(TW + "form"), self.concept("event-form", form))
        for other in event.conflicts_with:
            o = _n(self.iris.event(other))
            yield Triple(e, _n(TW + "conflictsWith"), o)
            yield Triple(o, _n(TW + "conflictsWith"), e)
        if event.comment:
            yield Triple(e, COMMENT, _lit(event.comment, "en"))
        yield from self.sources(e, event.sources)


def lifecycle_triples(twinning: ox.NamedNode, life: status_rules.Lifecycle) -> Iterator[Triple]:
    """The link's start and end bounds and its latest evidence (see `status.lifecycle`); an open side is left out."""
    for bounds, names in ((life.start, ("startEarliest", "startLatest")), (life.end, ("endEarliest", "endLatest"))):
        for day, name in zip(bounds or (None, None), names, strict=False):
            if day is not None:
                yield Triple(twinning, _n(TW + name), _day(day))
    if life.latest_evidence is not None:
        yield Triple(twinning, _n(TW + "latestEvidence"), _day(life.latest_evidence))


def curated_triples(data: Dataset, iris: Iris, as_of: dt.date, classes: Classes) -> set[Triple]:
    """All triples of the curated graph; a set, since symmetric links are emitted from both sides.

    `classes` (concepts.load_classes) says which classes an event or actor type stands for."""
    mapper = _Mapper(data, iris, as_of, classes)
    triples: set[Triple] = set()
    for source in data.sources:
        triples.update(mapper.source(source))
    for place in data.places:
        triples.update(mapper.place(place))
    for actor in data.actors:
        triples.update(mapper.actor(actor))
    for twinning in data.twinnings:
        triples.update(mapper.twinning(twinning))
    return triples


def country_triples(data: Dataset, iris: Iris, more: dict[str, str | None] | None = None) -> set[Triple]:
    """The country concepts the data uses, labelled from ISO 3166 (pycountry).

    `more` adds the Wikidata sources' codes, with a source's own name for a
    user-assigned code that ISO 3166-1 does not name (XK, Kosovo)."""
    more = more or {}
    codes = ({p.country for p in data.places if p.country} | {a.country for a in data.actors if a.country}
             | {c.among_country for t in data.twinnings for c in t.order if c.among_country} | set(more))
    scheme = _n(iris.scheme("country"))
    triples: set[Triple] = {Triple(scheme, A, _n(SKOS + "ConceptScheme"))}
    for code in sorted(codes):
        c = _n(iris.concept("country", code))
        triples.update({
            Triple(c, A, _n(SKOS + "Concept")),
            Triple(c, _n(SKOS + "inScheme"), scheme),
            Triple(c, _n(SKOS + "notation"), _lit(code)),
            Triple(c, _n(SKOS + "prefLabel"), _lit(country_name(code) or more.get(code) or code, "en")),
        })
    return triples
