"""Curated records to RDF triples, following the vocabulary contract.

Superclass types are materialised here (a place is also a `schema:Place` and a
`geo:Feature`) so that neither SHACL nor SPARQL users need RDFS inference.

The mapping writes its statements through a `Terms`: as pyoxigraph objects (`OX`, what the
Wikidata merge and the tests use), or as N-Triples lines (`NTriplesTerms`), which the build
loads its store and writes its dumps from (`curated_ntriples`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import combinations
from typing import Any, Generic, TypeVar, cast

import pyoxigraph as ox

from twinkg import status as status_rules
from twinkg.concepts import Classes, country_name
from twinkg.curated.records import Actor, Dataset, Event, OrderClaim, Place, Source, Twinning
from twinkg.dates import Date
from twinkg.forked import Forked
from twinkg.lifecycle import ENDS, STARTS, role_of
from twinkg.vocab import DCT, GEO, OWL, PROV, RDF, RDFS, SCHEMA, SEM, SKOS, TW, XSD, Iris, wikidata_entity

Triple = ox.Triple
Statement = TypeVar("Statement")


class Terms(Generic[Statement]):
    """How the mapping writes terms and statements; this one as pyoxigraph objects (`OX`).

    An IRI from the data (`url`) and a language tag are checked by pyoxigraph, which raises
    ValueError for a bad one whichever way the statements are written."""

    def iri(self, iri: str) -> Any:
        return ox.NamedNode(iri)

    def url(self, iri: str) -> Any:
        return ox.NamedNode(iri)

    def lit(self, text: str, lang: str | None = None) -> Any:
        return ox.Literal(text, language=lang) if lang else ox.Literal(text)

    def typed(self, text: str, datatype: str) -> Any:
        return ox.Literal(text, datatype=ox.NamedNode(datatype))

    def triple(self, subject: Any, predicate: Any, obj: Any) -> Statement:
        return cast(Statement, ox.Triple(subject, predicate, obj))


OX: Terms[ox.Triple] = Terms()

_ESCAPED = re.compile('[\\x00-\\x1f"\\\\\\x7f\\ufffe\\uffff]')
"""The characters pyoxigraph's N-Triples writer escapes in a literal (tests/test_mapping.py checks every code point)."""


class NTriplesTerms(Terms[str]):
    """Terms as pyoxigraph writes them in N-Triples, a statement as one line of text.

    A line costs a fraction of an `ox.Triple` of three terms, whose IRIs pyoxigraph parses again
    (bench/RESULTS.md, round 4). IRIs minted from the records' checked ids are written as they are;
    what only pyoxigraph knows (a literal's escapes, a language tag's case, whether an IRI from the
    data is one) is asked of it, a tag once."""

    def __init__(self) -> None:
        self._tags: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        return f"<{iri}>"

    def url(self, iri: str) -> str:
        return str(ox.NamedNode(iri))

    def lit(self, text: str, lang: str | None = None) -> str:
        quoted = f'"{text}"' if _ESCAPED.search(text) is None else str(ox.Literal(text))
        if not lang:
            return quoted
        tag = self._tags.get(lang)
        if tag is None:
            tag = self._tags[lang] = str(ox.Literal("", language=lang))[2:]
        return quoted + tag

    def typed(self, text: str, datatype: str) -> str:
        quoted = self.lit(text)
        return quoted if datatype == _XSD_STRING else f"{quoted}^^<{datatype}>"

    def triple(self, subject: Any, predicate: Any, obj: Any) -> str:
        return f"{subject} {predicate} {obj} .\n"


_XSD_STRING = XSD + "string"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _typed(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=_n(datatype))


def _plain_number(x: float) -> str:
    """A coordinate as WKT writes it: never in exponent form (1e-05)."""
    return format(Decimal(repr(x)), "f")


def _day(day: dt.date) -> ox.Literal:
    return _typed(day.isoformat(), XSD + "date")


def _stated_date(terms: Terms[Statement], subject: Any, predicate: str, date: Date) -> Iterator[Statement]:
    if date.lexical is not None and date.datatype is not None:
        yield terms.triple(subject, terms.iri(predicate), terms.typed(date.lexical, date.datatype))


def _when(terms: Terms[Statement], subject: Any, date: Date, stated: str) -> Iterator[Statement]:
    names = ("date", "dateText", "earliest", "latest") if stated == "date" else (
        stated, stated + "Text", stated + "Earliest", stated + "Latest")
    yield from _stated_date(terms, subject, TW + names[0], date)
    if date.text:
        yield terms.triple(subject, terms.iri(TW + names[1]), terms.lit(date.text))
    if date.known_earliest is not None:
        yield terms.triple(subject, terms.iri(TW + names[2]), terms.typed(date.known_earliest.isoformat(), XSD + "date"))
    if date.known_latest is not None:
        yield terms.triple(subject, terms.iri(TW + names[3]), terms.typed(date.known_latest.isoformat(), XSD + "date"))


def _lifespan(terms: Terms[Statement], t: Any, events: Iterable[Event], current: str, as_of: dt.date) -> Iterator[Statement]:
    dated = [(e.type, e.date) for e in status_rules.ordered(events) if e.date and e.date.lexical]
    starts = [date for kind, date in dated if role_of(kind) == STARTS]
    if starts:
        yield from _stated_date(terms, t, TW + "startDate", starts[0])
    ends = [date for kind, date in dated if role_of(kind) == ENDS and date.earliest <= as_of]
    if current == "terminated" and ends:
        yield from _stated_date(terms, t, TW + "endDate", ends[-1])


def _lifecycle(terms: Terms[Statement], twinning: Any, life: status_rules.Lifecycle) -> Iterator[Statement]:
    for bounds, names in ((life.start, ("startEarliest", "startLatest")), (life.end, ("endEarliest", "endLatest"))):
        for day, name in zip(bounds or (None, None), names, strict=False):
            if day is not None:
                yield terms.triple(twinning, terms.iri(TW + name), terms.typed(day.isoformat(), XSD + "date"))
    if life.latest_evidence is not None:
        yield terms.triple(twinning, terms.iri(TW + "latestEvidence"), terms.typed(life.latest_evidence.isoformat(), XSD + "date"))


def stated_date(subject: ox.NamedNode, predicate: str, date: Date) -> Iterator[Triple]:
    """An exact date at its stated precision; nothing for an approximate one, which has no exact value."""
    return _stated_date(OX, subject, predicate, date)


def when(subject: ox.NamedNode, date: Date, stated: str) -> Iterator[Triple]:
    """A date as the source states it: `tw:{stated}` at its precision (exact dates only), else its
    wording as `tw:{stated}Text`; and the bounds the source gives as `tw:{stated}Earliest`/`Latest`
    (for events `tw:date`, `tw:dateText`, `tw:earliest`, `tw:latest`)."""
    return _when(OX, subject, date, stated)


def lifespan(t: ox.NamedNode, events: Iterable[Event], current: str, as_of: dt.date) -> Iterator[Triple]:
    """Start from the first event that starts the link, end from the last that ends it if it has ended.

    Only exactly stated dates are used; an approximate one stays on its event."""
    return _lifespan(OX, t, events, current, as_of)


def lifecycle_triples(twinning: ox.NamedNode, life: status_rules.Lifecycle) -> Iterator[Triple]:
    """The link's start and end bounds and its latest evidence (see `status.lifecycle`); an open side is left out."""
    return _lifecycle(OX, twinning, life)


class _Mapper(Generic[Statement]):
    def __init__(self, data: Dataset, iris: Iris, as_of: dt.date, classes: Classes, terms: Terms[Statement]):
        self.data = data
        self.classes = classes
        self.iris = iris
        self.as_of = as_of
        self.terms = terms
        self.places = {p.id: p for p in data.places}
        self.source_dates = {s.id: s.date for s in data.sources if s.date is not None}
        self._concepts: dict[tuple[str, str], Any] = {}
        n = terms.iri
        self.a, self.label, self.comment, self.source_ = n(RDF + "type"), n(RDFS + "label"), n(RDFS + "comment"), n(DCT + "source")

    def concept(self, scheme: str, code: str) -> Any:
        found = self._concepts.get((scheme, code))
        if found is None:  # a code is the ontology's: checked as an IRI once
            found = self._concepts[scheme, code] = self.terms.url(self.iris.concept(scheme, code))
        return found

    def sources(self, subject: Any, ids: tuple[str, ...]) -> Iterator[Statement]:
        t, n, source = self.terms.triple, self.terms.iri, self.source_
        for sid in ids:
            yield t(subject, source, n(self.iris.source(sid)))

    def period(self, subject: Any, start: Date | None, end: Date | None) -> Iterator[Statement]:
        """A name's or role's period: each end as precise as stated, with its wording and bounds, like an event date."""
        if start is not None:
            yield from _when(self.terms, subject, start, "validFrom")
        if end is not None:
            yield from _when(self.terms, subject, end, "validUntil")

    def source(self, source: Source) -> Iterator[Statement]:
        t, n, lit = self.terms.triple, self.terms.iri, self.terms.lit
        s = n(self.iris.source(source.id))
        yield from (t(s, self.a, n(c)) for c in (TW + "Source", SCHEMA + "CreativeWork", PROV + "Entity"))
        yield t(s, n(DCT + "title"), lit(source.title))
        yield t(s, self.label, lit(source.title))
        for predicate, value in ((DCT + "creator", source.author), (DCT + "publisher", source.publisher),
                                 (DCT + "language", source.language), (RDFS + "comment", source.comment)):
            if value:
                yield t(s, n(predicate), lit(value))
        if source.date is not None:
            yield from _stated_date(self.terms, s, DCT + "issued", source.date)
        if source.url:
            yield t(s, n(SCHEMA + "url"), self.terms.url(source.url))
        if source.original_language:
            yield t(s, n(TW + "originalLanguage"), lit(source.original_language))
        if source.translation:
            yield t(s, n(TW + "translation"), self.concept("translation", source.translation))

    def place(self, place: Place) -> Iterator[Statement]:
        t, n, lit = self.terms.triple, self.terms.iri, self.terms.lit
        p = n(self.iris.place(place.id))
        yield from (t(p, self.a, n(c)) for c in (TW + "Place", SCHEMA + "Place", GEO + "Feature"))
        yield t(p, self.label, lit(place.label, "en"))
        for lang, label in sorted(place.labels.items()):
            if lang != "en":
                yield t(p, self.label, lit(label, lang))
        for alt in place.alt_labels:
            yield t(p, n(SKOS + "altLabel"), lit(alt))
        for index, name in enumerate(place.names, start=1):
            nm = n(self.iris.name(place.id, index))
            yield t(p, n(TW + "historicalName"), nm)
            yield t(nm, self.a, n(TW + "PlaceName"))
            yield t(nm, self.label, lit(name.name, name.language))
            yield from self.period(nm, name.valid_from, name.valid_until)
            yield from self.sources(nm, name.sources)
        if place.country:
            yield t(p, n(TW + "country"), self.concept("country", place.country))
        yield t(p, n(TW + "placeType"), self.concept("place-type", place.type))
        if place.fictional:
            yield t(p, n(TW + "fictional"), self.terms.typed("true", XSD + "boolean"))
        if place.wikidata:
            yield t(p, n(OWL + "sameAs"), n(wikidata_entity(place.wikidata)))
        if place.coordinates:
            g = n(self.iris.geometry(place.id))
            lat, lon = place.coordinates
            yield t(p, n(GEO + "hasGeometry"), g)
            yield t(g, self.a, n(GEO + "Geometry"))
            yield t(g, n(GEO + "asWKT"), self.terms.typed(f"POINT({_plain_number(lon)} {_plain_number(lat)})", GEO + "wktLiteral"))
        if place.comment:
            yield t(p, self.comment, lit(place.comment, "en"))
        yield from self.sources(p, place.sources)

    def actor(self, actor: Actor) -> Iterator[Statement]:
        t, n, lit = self.terms.triple, self.terms.iri, self.terms.lit
        a = n(self.iris.actor(actor.id))
        for cls in dict.fromkeys((TW + "Actor", PROV + "Agent", *self.classes.get("actor-type", {}).get(actor.type, ()))):
            yield t(a, self.a, n(cls))
        yield t(a, self.label, lit(actor.name))
        for alt in actor.alt_labels:
            yield t(a, n(SKOS + "altLabel"), lit(alt))
        if actor.wikidata:
            yield t(a, n(OWL + "sameAs"), n(wikidata_entity(actor.wikidata)))
        if actor.country:
            yield t(a, n(TW + "country"), self.concept("country", actor.country))
        for index, role in enumerate(actor.roles, start=1):
            r = n(self.iris.role(actor.id, index))
            yield t(a, n(TW + "holdsRole"), r)
            yield t(r, self.a, n(TW + "RoleTenure"))
            yield t(r, self.label, lit(role.label, "en"))
            if role.place:
                yield t(r, n(TW + "roleOf"), n(self.iris.place(role.place)))
            yield from self.period(r, role.valid_from, role.valid_until)
            yield from self.sources(r, role.sources)
        if actor.comment:
            yield t(a, self.comment, lit(actor.comment, "en"))
        yield from self.sources(a, actor.sources)

    def twinning(self, twinning: Twinning) -> Iterator[Statement]:
        t, n, lit = self.terms.triple, self.terms.iri, self.terms.lit
        link = n(self.iris.twinning(twinning.slug))
        yield t(link, self.a, n(TW + "Twinning"))
        yield t(link, self.a, n(PROV + "Entity"))
        names = " – ".join(self.places[p].label for p in twinning.partners)
        yield t(link, self.label, lit(names + (f" ({twinning.variant})" if twinning.variant else ""), "en"))
        for partner in twinning.partners:
            yield t(link, n(TW + "partner"), n(self.iris.place(partner)))
        yield t(link, n(TW + "kind"), self.concept("kind", twinning.kind))
        current = status_rules.derive(twinning.events, self.as_of)
        yield t(link, n(TW + "status"), self.concept("status", current))
        alternatives = status_rules.alternatives(twinning.events, self.as_of)
        for other in sorted(alternatives):
            yield t(link, n(TW + "alternativeStatus"), self.concept("status", other))
        if alternatives:
            yield t(link, n(TW + "statusRestsOnConflict"), self.terms.typed("true", XSD + "boolean"))
        if twinning.variant:
            yield t(link, n(TW + "variant"), lit(twinning.variant))
        yield from self.lifespan(link, twinning, current)
        if status_rules.ever_concluded(twinning.events, self.as_of):
            for a, b in combinations(sorted(set(twinning.partners)), 2):
                pa, pb = n(self.iris.place(a)), n(self.iris.place(b))
                yield t(pa, n(TW + "twinnedWith"), pb)
                yield t(pb, n(TW + "twinnedWith"), pa)
        if twinning.comment:
            yield t(link, self.comment, lit(twinning.comment, "en"))
        yield from self.sources(link, twinning.sources)
        for index, claim in enumerate(twinning.order, start=1):
            yield from self.order_claim(link, twinning, names, index, claim)
        for event in twinning.events:
            yield t(link, n(TW + "event"), n(self.iris.event(event.id)))
            yield from self.event(event, link)

    def order_claim(self, link: Any, twinning: Twinning, names: str, index: int, claim: OrderClaim) -> Iterator[Statement]:
        t, n, lit = self.terms.triple, self.terms.iri, self.terms.lit
        c = n(self.iris.order_claim(twinning.slug, index))
        yield t(link, n(TW + "orderClaim"), c)
        yield t(c, self.a, n(TW + "OrderClaim"))
        scope = (f"{self.places[claim.among].label}'s links" if claim.among
                 else f"the links in {country_name(claim.among_country) or claim.among_country}" if claim.among_country
                 else "all links")
        said = {"first": "the first of", "latest": "the latest of", "not-first": "not the first of",
                "after": "formed after other links among"}.get(claim.rank, claim.rank)
        yield t(c, self.label, lit(f"{names}: {said} {scope}", "en"))
        yield t(c, n(TW + "rank"), self.concept("order-rank", claim.rank))
        if claim.among:
            yield t(c, n(TW + "amongLinksOf"), n(self.iris.place(claim.among)))
        if claim.among_country:
            yield t(c, n(TW + "amongLinksIn"), self.concept("country", claim.among_country))
        for earlier in claim.after:
            yield t(c, n(TW + "after"), n(self.iris.twinning(earlier)))
        yield t(c, self.comment, lit(claim.text, "en"))
        yield from self.sources(c, claim.sources)

    def lifespan(self, link: Any, twinning: Twinning, current: str) -> Iterator[Statement]:
        yield from _lifespan(self.terms, link, twinning.events, current, self.as_of)
        cited = {*twinning.sources, *(s for e in twinning.events for s in e.sources)}
        life = status_rules.lifecycle(twinning.events, self.as_of,
                                      [self.source_dates[s] for s in sorted(cited) if s in self.source_dates])
        yield from _lifecycle(self.terms, link, life)

    def event(self, event: Event, link: Any) -> Iterator[Statement]:
        t, n, lit = self.terms.triple, self.terms.iri, self.terms.lit
        e = n(self.iris.event(event.id))
        for cls in dict.fromkeys((TW + "Event", *self.classes.get("event-type", {}).get(event.type, ()), SEM + "Event",
                                  PROV + "Activity")):
            yield t(e, self.a, n(cls))
        yield t(e, n(TW + "twinning"), link)
        if event.label:
            yield t(e, self.label, lit(event.label, "en"))
        if event.date is not None:
            yield from _when(self.terms, e, event.date, "date")
        for agent in event.agents:
            yield t(e, n(TW + "agent"), n(self.iris.actor(agent)))
        for place in event.initiated_by:
            yield t(e, n(TW + "initiatedBy"), n(self.iris.place(place)))
        for reason in event.reasons:
            yield t(e, n(TW + "reason"), self.concept("reason", reason))
        for form in event.forms:
            yield t(e, n(TW + "form"), self.concept("event-form", form))
        for other in event.conflicts_with:
            o = n(self.iris.event(other))
            yield t(e, n(TW + "conflictsWith"), o)
            yield t(o, n(TW + "conflictsWith"), e)
        if event.comment:
            yield t(e, self.comment, lit(event.comment, "en"))
        yield from self.sources(e, event.sources)

    def statements(self, twinnings: slice = slice(None), others: bool = True) -> Iterator[Statement]:
        """The statements of the twinnings in `twinnings`; with `others`, of every source, place and actor too."""
        if others:
            for source in self.data.sources:
                yield from self.source(source)
            for place in self.data.places:
                yield from self.place(place)
            for actor in self.data.actors:
                yield from self.actor(actor)
        for twinning in self.data.twinnings[twinnings]:
            yield from self.twinning(twinning)


def curated_triples(data: Dataset, iris: Iris, as_of: dt.date, classes: Classes) -> set[Triple]:
    """All triples of the curated graph (`curated_ntriples`, parsed).

    `classes` (concepts.load_classes) says which classes an event or actor type stands for."""
    return {q.triple for q in ox.parse(curated_ntriples(data, iris, as_of, classes), format=ox.RdfFormat.N_TRIPLES)}


PARALLEL_TWINNINGS = 20_000
"""Curated data with this many twinnings or more is mapped by two processes (the crawl's ×4 has 70k, the
repository's data 150): below it a second process costs more than it saves (bench/RESULTS.md, round 4)."""


def curated_ntriples(data: Dataset, iris: Iris, as_of: dt.date, classes: Classes) -> bytes:
    """The curated graph as N-Triples, in no particular order.

    A statement may be on more than one line: a symmetric link is stated from both sides
    (`tw:twinnedWith` by every link of two places, `tw:conflictsWith` by both events); N-Triples
    means each once, and the build's readers take it once (`publish.ordered`, the store).

    With many twinnings a forked child writes the lines of a little more than half of them (the
    sources, places and actors this process writes cost about a seventh of what the twinnings do)
    and hands back one text, not a Python object per statement."""
    ox.NamedNode(iris.base)  # the start of every minted IRI: a bad base raises here, as pyoxigraph would have
    mapper = _Mapper(data, iris, as_of, classes, NTriplesTerms())
    if len(data.twinnings) < PARALLEL_TWINNINGS:
        return "".join(mapper.statements()).encode()
    split = len(data.twinnings) * 4 // 7
    with Forked(lambda: "".join(mapper.statements(slice(split), others=False)).encode(), "curated mapping") as child:
        own = "".join(mapper.statements(slice(split, None))).encode()
        return own + child.result()


def country_triples(data: Dataset, iris: Iris, more: dict[str, str | None] | None = None) -> set[Triple]:
    """The country concepts the data uses, labelled from ISO 3166 (pycountry).

    `more` adds the Wikidata sources' codes, with a source's own name for a
    user-assigned code that ISO 3166-1 does not name (XK, Kosovo)."""
    more = more or {}
    codes = ({p.country for p in data.places if p.country} | {a.country for a in data.actors if a.country}
             | {c.among_country for t in data.twinnings for c in t.order if c.among_country} | set(more))
    a = _n(RDF + "type")
    scheme = _n(iris.scheme("country"))
    triples: set[Triple] = {Triple(scheme, a, _n(SKOS + "ConceptScheme"))}
    for code in sorted(codes):
        c = _n(iris.concept("country", code))
        triples.update({
            Triple(c, a, _n(SKOS + "Concept")),
            Triple(c, _n(SKOS + "inScheme"), scheme),
            Triple(c, _n(SKOS + "notation"), ox.Literal(code)),
            Triple(c, _n(SKOS + "prefLabel"), ox.Literal(country_name(code) or more.get(code) or code, language="en")),
        })
    return triples
