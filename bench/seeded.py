"""A seeded-bad graph: the built graph with one violation of each kind the shapes check.

Used to check that the build's validator (twinkg.validate) finds exactly what pyshacl finds. The
faults are injected into the mapped triples (the loader would refuse most of
them in YAML), each on a resource picked deterministically.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.namespace import SH

from twinkg.validate import Report
from twinkg.vocab import DCT, GEO, OWL, RDF, RDFS, TW, XSD

N = ox.NamedNode


def _first(triples: set[ox.Triple], predicate: str, obj: ox.NamedNode | None = None, skip: int = 0) -> ox.NamedNode:
    found = sorted({t.subject.value for t in triples if t.predicate.value == predicate and (obj is None or t.object == obj)})
    return N(found[skip % len(found)])


def seed_faults(triples: set[ox.Triple]) -> tuple[set[ox.Triple], list[str]]:
    """A copy of the triples with faults added; returns it and the list of what was done."""
    g = set(triples)
    done: list[str] = []
    typ = RDF + "type"
    twinnings = sorted({t.subject.value for t in g if t.predicate.value == typ and t.object == N(TW + "Twinning")})
    events = sorted({t.subject.value for t in g if t.predicate.value == typ and t.object == N(TW + "Establishment")})
    places = sorted({t.subject.value for t in g if t.predicate.value == typ and t.object == N(TW + "Place")})
    sources = sorted({t.subject.value for t in g if t.predicate.value == typ and t.object == N(TW + "Source")})
    t0, t1, t2, t3 = (N(twinnings[i]) for i in (0, 1, 2, 3))
    e0, e1, e2, e3 = (N(events[i]) for i in (0, 1, 2, 3))
    p0, p1, p2, p3 = (N(places[i]) for i in (0, 1, 2, 3))

    def drop(subject: ox.NamedNode, predicate: str) -> None:
        g.difference_update({t for t in g if t.subject == subject and t.predicate.value == predicate})

    drop(t0, DCT + "source"); done.append("twinning without a source")
    g.add(ox.Triple(t1, N(RDFS + "label"), ox.Literal("a second label"))); done.append("twinning with two labels")
    g.add(ox.Triple(p0, N(TW + "twinnedWith"), p3)); done.append("twinnedWith without a twinning")
    drop(e0, TW + "date"); g.add(ox.Triple(e0, N(TW + "date"), ox.Literal("sometime"))); done.append("event date as a plain string")
    g.add(ox.Triple(t2, N(TW + "startDate"), ox.Literal("1990", datatype=N(XSD + "gYear"))))
    g.add(ox.Triple(t2, N(TW + "endDate"), ox.Literal("1980", datatype=N(XSD + "gYear")))); done.append("period ends before it starts")
    g.add(ox.Triple(e1, N(TW + "initiatedBy"), p2)); done.append("initiatedBy a place that is not a partner")
    drop(t3, TW + "status"); g.add(ox.Triple(t3, N(TW + "status"), N("https://w3id.org/twinkg/vocab/status/suspended")))
    done.append("status suspended without a suspension")
    g.add(ox.Triple(p1, N(RDFS + "label"), ox.Literal("Another English name", language="en"))); done.append("two English labels")
    drop(p2, TW + "country"); done.append("place without country")
    drop(p3, OWL + "sameAs"); g.add(ox.Triple(p3, N(OWL + "sameAs"), N("http://example.org/not-wikidata"))); done.append("sameAs not Wikidata")
    drop(e2, TW + "earliest"); drop(e2, TW + "latest")
    g.add(ox.Triple(e2, N(TW + "earliest"), ox.Literal("2001-01-01", datatype=N(XSD + "date"))))
    g.add(ox.Triple(e2, N(TW + "latest"), ox.Literal("2000-01-01", datatype=N(XSD + "date")))); done.append("latest before earliest")
    g.add(ox.Triple(e3, N(RDF + "type"), N(TW + "Termination"))); done.append("event with two lifecycle types")
    g.add(ox.Triple(e3, N(TW + "conflictsWith"), e0)); done.append("conflictsWith one way, across twinnings")
    g.add(ox.Triple(p0, N(GEO + "hasGeometry"), N(p0.value + "#geo")))
    g.add(ox.Triple(N(p0.value + "#geo"), N(GEO + "asWKT"), ox.Literal("POINT(abc)", datatype=N(GEO + "wktLiteral"))))
    done.append("bad WKT")
    src = N(sources[0])
    drop(src, DCT + "language"); g.add(ox.Triple(src, N(DCT + "language"), ox.Literal("english!"))); done.append("bad language tag")
    g.add(ox.Triple(t0, N(TW + "event"), e1)); done.append("event listed by a second twinning")
    return g, done


def to_rdflib(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    return graph


def pyshacl_report(triples: Iterable[ox.Triple], shapes: rdflib.Graph) -> rdflib.Graph:
    """Classic pyshacl's report over an rdflib copy of the triples (inference 'none', as the build validates)."""
    _, report, _ = pyshacl_validate(to_rdflib(triples), shacl_graph=shapes, inference="none",
                                    advanced=True, allow_warnings=True)
    return report


def pyshacl_keys(report: rdflib.Graph) -> set[tuple[str, str, str]]:
    """pyshacl's top-level results as (focus, message, value): value only for sh:sparql results.

    Core constraints are compared on (focus, message) because the build's
    engine reports the failing focus node, not each failing value."""
    keys = set()
    for node in report.objects(None, SH.result):
        focus = str(report.value(node, SH.focusNode))
        message = str(report.value(node, SH.resultMessage))
        if report.value(node, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent:
            keys.add((focus, message, str(report.value(node, SH.value))))
        else:
            keys.add((focus, message, ""))
    return keys


def build_keys(report: Report) -> set[tuple[str, str, str]]:
    """The build's report (twinkg.validate) in the same form."""
    return {(r.focus, r.message, r.value) for r in report.results}
