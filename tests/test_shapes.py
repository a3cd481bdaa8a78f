"""SHACL shapes: a complete valid graph conforms, and each constraint catches its break.

tests/shapes/valid.ttl is a small conforming graph. Each case below breaks it
with one SPARQL Update and names the sh:message the report must carry. The data
graph is the example UNION ontology + concepts, validated with inference 'none',
as the build does.

Every case runs on the build's own validator (twinkg.validate: shapes compiled to
SPARQL, run on pyoxigraph), whose verdict (conformance and every message) must be
the reference verdict stored in tests/shapes/expected.json, keyed by a hash of
the shapes, the valid example graph and the case. The one test marked `reference`
recomputes every stored verdict with pyshacl, the reference implementation, and
fails if any is stale or missing; `TWINKG_WRITE_REFERENCE=1 pytest -m reference
tests/test_shapes.py` rewrites the file from pyshacl's verdicts (review the diff).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from filelock import FileLock
from pyshacl import validate

from twinkg.validate import validate as build_validate

ROOT = Path(__file__).resolve().parents[1]
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SHAPES = ROOT / "shapes" / "twinkg.shapes.ttl"
BASE = tuple(ROOT / p for p in ("ontology/twinkg.ttl", "ontology/concepts.ttl", "tests/shapes/valid.ttl"))
EXPECTED = ROOT / "tests" / "shapes" / "expected.json"

PREFIXES = """
PREFIX tw:      <https://w3id.org/twinkg/ontology#>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
PREFIX xsd:     <http://www.w3.org/2001/XMLSchema#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX dct:     <http://purl.org/dc/terms/>
PREFIX schema:  <https://schema.org/>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX foaf:    <http://xmlns.com/foaf/0.1/>
PREFIX org:     <http://www.w3.org/ns/org#>
PREFIX geo:     <http://www.opengis.net/ont/geosparql#>
PREFIX wd:      <http://www.wikidata.org/entity/>
PREFIX place:   <https://w3id.org/twinkg/id/place/>
PREFIX tn:      <https://w3id.org/twinkg/id/twinning/>
PREFIX ev:      <https://w3id.org/twinkg/id/event/>
PREFIX actor:   <https://w3id.org/twinkg/id/actor/>
PREFIX src:     <https://w3id.org/twinkg/id/source/>
PREFIX kind:    <https://w3id.org/twinkg/vocab/kind/>
PREFIX status:  <https://w3id.org/twinkg/vocab/status/>
PREFIX reason:  <https://w3id.org/twinkg/vocab/reason/>
PREFIX form:    <https://w3id.org/twinkg/vocab/event-form/>
PREFIX ptype:   <https://w3id.org/twinkg/vocab/place-type/>
PREFIX country: <https://w3id.org/twinkg/vocab/country/>
"""

COV = "place:coventry"
COV_VOL = "tn:coventry--volgograd"
EST = "ev:cov-vol-est"
STALINGRAD = "<https://w3id.org/twinkg/id/place/volgograd/name/1>"
ROLE = "<https://w3id.org/twinkg/id/actor/mayor/role/1>"
GEOMETRY = "<https://w3id.org/twinkg/id/place/coventry/geometry>"
ORDER = "<https://w3id.org/twinkg/id/twinning/coventry--volgograd/order/1>"


def replace(subject: str, prop: str, new: str) -> str:
    """An update that replaces every value of one property of one resource."""
    return f"DELETE {{ {subject} {prop} ?o }} INSERT {{ {subject} {prop} {new} }} WHERE {{ {subject} {prop} ?o }}"


def delete(subject: str, prop: str) -> str:
    return f"DELETE WHERE {{ {subject} {prop} ?o }}"


def add(triples: str) -> str:
    return f"INSERT DATA {{ {triples} }}"


def new_event(name: str, classes: str, extra: str = "") -> str:
    """Triples of a minimal event of the Coventry–Volgograd twinning."""
    return (f"ev:{name} a {classes} ; tw:twinning {COV_VOL} ; dct:source src:archive {extra} . "
            f"{COV_VOL} tw:event ev:{name} .")


LISTED_LINK = ("tn:ankh-morpork--volgograd a tw:Twinning, prov:Entity ; rdfs:label \"Ankh-Morpork – Volgograd\" ; "
               "tw:partner place:ankh-morpork, place:volgograd ; tw:kind kind:not-stated ; dct:source src:archive ; "
               "tw:listedIn src:archive ; tw:firstSeen \"2016-09-10\"^^xsd:date ; tw:lastSeen \"2016-09-10\"^^xsd:date .")
"""A link only a dated listing evidences: no event at all (README, "Time, honestly")."""
LISTED_BOTH_WAYS = ("place:ankh-morpork tw:twinnedWith place:volgograd . "
                    "place:volgograd tw:twinnedWith place:ankh-morpork .")
GONE = ("tn:ankh-morpork--volgograd tw:status status:no-longer-listed ; tw:noLongerListedIn src:archive ; "
        "tw:noLongerListedSince \"2026-05-12\"^^xsd:date .")

# (test id, SPARQL Update(s) that break valid.ttl, expected text of an sh:message)
CASES: list[tuple[str, str | tuple[str, ...], str]] = [
    # Place
    ("place-label-plain", replace(COV, "rdfs:label", '"Coventry"'), "language-tagged strings"),
    ("place-label-two-en", add(f'{COV} rdfs:label "Cov City"@en .'), "at most one per language"),
    ("place-label-no-en", replace("place:volgograd", "rdfs:label", '"Wolgograd"@de'), "English rdfs:label"),
    ("place-country-two", add(f"{COV} tw:country country:RU ."), "at most one tw:country"),
    ("place-country-scheme", replace(COV, "tw:country", "kind:twin-town"), "at most one tw:country"),
    ("place-country-none", (delete(COV, "tw:country"), delete(COV, "owl:sameAs")), "not fictional has a tw:country"),
    ("place-fictional-false", delete("place:volgograd", "tw:country"), "not fictional has a tw:country"),
    ("place-type-none", delete(COV, "tw:placeType"), "exactly one tw:placeType"),
    ("place-type-scheme", replace(COV, "tw:placeType", "reason:peace"), "exactly one tw:placeType"),
    ("place-wkt-latlon-text", replace(GEOMETRY, "geo:asWKT", '"52.4, -1.5"^^geo:wktLiteral'), "geo:hasGeometry"),
    ("place-wkt-plain", replace(GEOMETRY, "geo:asWKT", '"POINT(-1.5 52.4)"'), "geo:hasGeometry"),
    ("place-geometry-two", add(f'{COV} geo:hasGeometry [ geo:asWKT "POINT(1 2)"^^geo:wktLiteral ] .'),
     "geo:hasGeometry"),
    ("place-sameas-other", replace(COV, "owl:sameAs", "<https://www.wikidata.org/wiki/Q1000001>"), "owl:sameAs"),
    ("place-sameas-q0", replace(COV, "owl:sameAs", "wd:Q0123"), "owl:sameAs"),
    ("place-sameas-two", add(f"{COV} owl:sameAs wd:Q42 ."), "owl:sameAs"),
    ("place-fictional-text", replace("place:ankh-morpork", "tw:fictional", '"yes"'), "tw:fictional is at most"),
    ("place-no-source", delete(COV, "dct:source"), "Cites at least one source"),
    ("place-source-class", replace(COV, "dct:source", "<https://example.org/page>"), "Cites at least one source"),
    ("place-hist-class", replace("place:volgograd", "tw:historicalName", "place:coventry"), "tw:historicalName"),
    ("place-altlabel-iri", add(f"{COV} skos:altLabel place:volgograd ."), "skos:altLabel"),
    # PlaceName
    ("name-label-two", add(f'{STALINGRAD} rdfs:label "Tsaritsyn"@en .'), "exactly one rdfs:label"),
    ("name-from-text", replace(STALINGRAD, "tw:validFrom", '"1925"'), "tw:validFrom is at most"),
    ("name-until-two", add(f'{STALINGRAD} tw:validUntil "1962"^^xsd:gYear .'), "tw:validUntil is at most"),
    ("name-order", replace(STALINGRAD, "tw:validUntil", '"1924-12-31"^^xsd:date'), "its period ends"),
    ("name-no-source", delete(STALINGRAD, "dct:source"), "Cites at least one source"),
    # Twinning
    ("tw-one-partner", (delete(COV_VOL, "tw:partner"), add(f"{COV_VOL} tw:partner {COV} .")),
     "at least two distinct tw:partner"),
    ("tw-partner-class", add(f"{COV_VOL} tw:partner src:archive ."), "at least two distinct tw:partner"),
    ("tw-label-none", delete(COV_VOL, "rdfs:label"), "exactly one rdfs:label"),
    ("tw-kind-none", delete(COV_VOL, "tw:kind"), "exactly one tw:kind"),
    ("tw-kind-scheme", replace(COV_VOL, "tw:kind", "status:active"), "exactly one tw:kind"),
    ("tw-status-two", add(f"{COV_VOL} tw:status status:unknown ."), "exactly one tw:status"),
    ("tw-status-scheme", replace(COV_VOL, "tw:status", "kind:twin-town"), "exactly one tw:status"),
    ("tw-start-text", replace(COV_VOL, "tw:startDate", '"1944"'), "tw:startDate is at most"),
    ("tw-end-datetime", add(f'{COV_VOL} tw:endDate "2022-03-01T00:00:00"^^xsd:dateTime .'), "tw:endDate is at most"),
    ("tw-end-before-start", replace("tn:ankh-morpork--coventry", "tw:endDate", '"2001-06-14"^^xsd:date'),
     "its period ends"),
    ("tw-end-year-before", add(f'{COV_VOL} tw:endDate "1943"^^xsd:gYear .'), "its period ends"),
    ("tw-start-bound-two", add(f'{COV_VOL} tw:startEarliest "1943-01-01"^^xsd:date .'), "tw:startEarliest is at most"),
    ("tw-start-bounds-order", replace(COV_VOL, "tw:startLatest", '"1943-12-31"^^xsd:date'), "tw:startLatest is not before"),
    ("tw-end-bounds-order", add(f'{COV_VOL} tw:endEarliest "2022-12-31"^^xsd:date ; tw:endLatest "2022-01-01"^^xsd:date .'),
     "tw:endLatest is not before"),
    ("tw-end-bound-before-start", add(f'{COV_VOL} tw:endEarliest "1940-01-01"^^xsd:date ; tw:endLatest "1940-12-31"^^xsd:date .'),
     "its period ends"),
    ("tw-evidence-text", replace(COV_VOL, "tw:latestEvidence", '"1949"'), "tw:latestEvidence is at most"),
    ("tw-event-class", add(f"{COV_VOL} tw:event src:archive ."), "tw:event values are tw:Event"),
    ("tw-variant-int", replace("tn:ankh-morpork--coventry_2", "tw:variant", "2"), "tw:variant is at most"),
    ("tw-no-source", delete(COV_VOL, "dct:source"), "Cites at least one source"),
    ("tw-dup-no-variant", delete("tn:ankh-morpork--coventry_2", "tw:variant"), "have the same partners"),
    ("tw-dup-same-variant", add('tn:ankh-morpork--coventry tw:variant "2" .'), "have the same partners"),
    ("tw-dup-three-way", add("tn:coventry--volgograd tw:partner place:ankh-morpork . "
                             "tn:ankh-morpork--coventry tw:partner place:volgograd ."), "have the same partners"),
    # Derived status against events
    ("status-active", replace("tn:ankh-morpork--coventry_2", "tw:status", "status:active"),
     "status active has a tw:Establishment"),
    ("status-suspended", replace(COV_VOL, "tw:status", "status:suspended"), "status suspended has a tw:Suspension"),
    ("status-terminated", replace(COV_VOL, "tw:status", "status:terminated"),
     "status terminated has a tw:Termination"),
    ("status-proposed-est", (replace(COV_VOL, "tw:status", "status:proposed"),
                             add(new_event("cov-vol-prop", "tw:Proposal"))), "status proposed has a tw:Proposal"),
    ("status-proposed-none", ("DELETE DATA { ev:am-cov-prop a tw:Proposal }",
                              add("ev:am-cov-prop a tw:Exchange .")),
     "status proposed has a tw:Proposal"),
    ("status-unknown", replace(COV_VOL, "tw:status", "status:unknown"), "status unknown has no lifecycle event"),
    ("status-no-longer-listed-bare", replace(COV_VOL, "tw:status", "status:no-longer-listed"),
     "status no-longer-listed has a source that listed it"),
    ("listed-seen-order", add(LISTED_LINK.replace('tw:firstSeen \"2016', 'tw:firstSeen \"2017') + LISTED_BOTH_WAYS
                              + "tn:ankh-morpork--volgograd tw:status status:active ."), "tw:lastSeen is not before tw:firstSeen"),
    ("listed-gone-before-seen", add(LISTED_LINK + LISTED_BOTH_WAYS + GONE.replace("2026-05-12", "2015-01-01")),
     "tw:noLongerListedSince is not before tw:lastSeen"),
    ("twinned-listed-missing", add(LISTED_LINK + "tn:ankh-morpork--volgograd tw:status status:active ."), "tw:twinnedWith"),
    ("twinned-one-way", "DELETE DATA { place:volgograd tw:twinnedWith place:coventry }", "tw:twinnedWith"),
    ("twinned-unconcluded", add("place:volgograd tw:twinnedWith place:ankh-morpork ."), "tw:twinnedWith"),
    # Event
    ("ev-two-types", add(f"{EST} a tw:Exchange ."), "exactly one of tw:Establishment"),
    ("ev-no-subtype", add(new_event("cov-vol-bare", "tw:Event")), "exactly one of tw:Establishment"),
    ("ev-no-twinning", delete(EST, "tw:twinning"), "exactly one tw:twinning"),
    ("ev-two-twinnings", add(f"{EST} tw:twinning tn:ankh-morpork--coventry ."), "exactly one tw:twinning"),
    ("ev-not-listed", f"DELETE DATA {{ {COV_VOL} tw:event {EST} }}", "lists it with tw:event"),
    ("ev-listed-elsewhere", add(f"tn:ankh-morpork--coventry tw:event {EST} ."), "lists it with tw:event"),
    ("ev-date-datetime", replace(EST, "tw:date", '"1944-01-01T00:00:00"^^xsd:dateTime'), "tw:date is at most"),
    ("ev-date-two", add(f'{EST} tw:date "1944-05"^^xsd:gYearMonth .'), "tw:date is at most"),
    ("ev-datetext-two", add('ev:cov-vol-gift-a tw:dateText "c. 1947" .'), "tw:dateText is at most"),
    ("ev-earliest-year", replace(EST, "tw:earliest", '"1944"^^xsd:gYear'), "tw:earliest is at most"),
    ("ev-latest-two", add(f'{EST} tw:latest "1945-01-01"^^xsd:date .'), "tw:latest is at most"),
    ("ev-bounds-order", replace(EST, "tw:latest", '"1943-12-31"^^xsd:date'), "tw:latest is not before"),
    ("ev-date-no-bounds", delete(EST, "tw:latest"), "has both tw:earliest and tw:latest"),
    ("ev-text-no-bounds", (delete("ev:cov-vol-gift-a", "tw:earliest"), delete("ev:cov-vol-gift-a", "tw:latest")), "has both tw:earliest and tw:latest"),
    ("ev-bound-no-text", delete("ev:cov-vol-gift-a", "tw:dateText"), "or its tw:dateText and at least one bound"),
    ("ev-agent-class", replace(EST, "tw:agent", COV), "tw:agent values are tw:Actor"),
    ("ev-initiator-class", replace(EST, "tw:initiatedBy", "src:archive"), "tw:initiatedBy values are tw:Place"),
    ("ev-initiator-partner", replace(EST, "tw:initiatedBy", "place:ankh-morpork"), "is not a partner"),
    ("ev-reason-scheme", replace(EST, "tw:reason", "form:letter"), "tw:reason values are concepts"),
    ("ev-form-scheme", replace(EST, "tw:form", "reason:trade"), "tw:form values are concepts"),
    ("ev-conflict-one-way", delete("ev:cov-vol-gift-b", "tw:conflictsWith"), "stated in both directions"),
    ("ev-conflict-class", add("ev:cov-vol-gift-a tw:conflictsWith src:archive . "
                              "src:archive tw:conflictsWith ev:cov-vol-gift-a ."), "tw:conflictsWith values"),
    ("ev-conflict-other-tw", add(f"ev:am-cov-est tw:conflictsWith {EST} . {EST} tw:conflictsWith ev:am-cov-est ."),
     "an event of another twinning"),
    ("ev-label-two", add(f'{EST} rdfs:label "Another label"@en .'), "at most one rdfs:label"),
    ("ev-no-source", delete(EST, "dct:source"), "Cites at least one source"),
    ("ev-end-no-reason", delete("ev:am-cov-end", "tw:reason"), "has at least one tw:reason"),
    ("ev-suspension-no-reason", add(new_event("cov-vol-susp", "tw:Suspension")),
     "has at least one tw:reason"),
    # Actor and RoleTenure
    ("actor-untyped", "DELETE DATA { actor:mayor a foaf:Person }", "also typed foaf:Person"),
    ("actor-label-none", delete("actor:mayor", "rdfs:label"), "exactly one rdfs:label"),
    ("actor-sameas", add("actor:mayor owl:sameAs <http://www.wikidata.org/entity/P190> ."), "owl:sameAs"),
    ("actor-country-scheme", replace("actor:mayor", "tw:country", "ptype:city"), "at most one tw:country"),
    ("actor-role-class", replace("actor:mayor", "tw:holdsRole", COV), "tw:holdsRole values"),
    ("actor-no-source", delete("actor:mayor", "dct:source"), "Cites at least one source"),
    ("role-label-none", delete(ROLE, "rdfs:label"), "exactly one rdfs:label"),
    ("role-of-class", replace(ROLE, "tw:roleOf", "actor:mayor"), "tw:roleOf is at most one"),
    ("role-order", replace(ROLE, "tw:validUntil", '"1942"^^xsd:gYear'), "its period ends"),
    ("role-from-two", add(f'{ROLE} tw:validFrom "1942"^^xsd:gYear .'), "tw:validFrom is at most"),
    ("role-from-latest-year", add(f'{ROLE} tw:validFromLatest "1942"^^xsd:gYear .'), "tw:validFromLatest is at most one xsd:date"),
    ("name-until-text-two", add(f'{STALINGRAD} tw:validUntilText "in 1961", "later" .'), "tw:validUntilText is at most one"),
    # OrderClaim
    ("order-rank-none", delete(ORDER, "tw:rank"), "exactly one tw:rank"),
    ("order-rank-scheme", replace(ORDER, "tw:rank", "status:active"), "exactly one tw:rank"),
    ("order-after-class", add(f"{ORDER} tw:after {COV} ."), "tw:after values"),
    ("order-no-source", delete(ORDER, "dct:source"), "Cites at least one source"),
    # Source
    ("src-title-none", delete("src:archive", "dct:title"), "exactly one dct:title"),
    ("src-title-two", add('src:archive dct:title "Another title" .'), "exactly one dct:title"),
    ("src-creator-two", add('src:archive dct:creator "B. Writer" .'), "at most one dct:creator"),
    ("src-publisher-iri", replace("src:archive", "dct:publisher", "<https://example.org/>"),
     "at most one dct:publisher"),
    ("src-language", replace("src:archive", "dct:language", '"English"'), "BCP 47"),
    ("src-issued-text", replace("src:archive", "dct:issued", '"March 2004"'), "at most one dct:issued"),
    ("src-url-literal", replace("src:archive", "schema:url", '"https://example.org/"'), "at most one schema:url"),
    ("src-label-iri", add("src:archive rdfs:label src:archive ."), "rdfs:label values are literals"),
    # Concepts
    ("concept-no-scheme", delete("country:GB", "skos:inScheme"), "in at least one concept scheme"),
]

# Updates that keep the graph valid: each checks a constraint is not too strict.
STILL_VALID: list[tuple[str, str | tuple[str, ...]]] = [
    ("ok-base", ()),
    ("ok-listed-only", add(LISTED_LINK + LISTED_BOTH_WAYS + "tn:ankh-morpork--volgograd tw:status status:active .")),
    ("ok-no-longer-listed", add(LISTED_LINK + LISTED_BOTH_WAYS + GONE)),
    ("ok-fictional-country", add("place:ankh-morpork tw:country country:GB .")),
    ("ok-wikidata-without-country", delete(COV, "tw:country")),
    ("ok-one-sided-bound", delete("ev:cov-vol-gift-a", "tw:earliest")),
    ("ok-role-seen-at-one-time", add(f'{ROLE} tw:validFromText "the then mayor" ; tw:validFromLatest "1942-12-31"^^xsd:date .')),
    ("ok-three-way", add("tn:coventry--volgograd tw:partner place:ankh-morpork . "
                         "place:ankh-morpork tw:twinnedWith place:volgograd . "
                         "place:volgograd tw:twinnedWith place:ankh-morpork .")),
    ("ok-start-open-before", delete(COV_VOL, "tw:startEarliest")),
    ("ok-no-start-bounds", tuple(delete(COV_VOL, p) for p in ("tw:startEarliest", "tw:startLatest"))),
    ("ok-end-bounds", add(f'{COV_VOL} tw:endEarliest "2022-01-01"^^xsd:date ; tw:endLatest "2022-12-31"^^xsd:date .')),
    ("ok-same-year-end", replace("tn:ankh-morpork--coventry", "tw:endDate", '"2001-06"^^xsd:gYearMonth')),
    ("ok-undated-event", tuple(delete(EST, p) for p in ("tw:date", "tw:earliest", "tw:latest"))),
    ("ok-resumed", add(new_event("cov-vol-susp", "tw:Suspension", "; tw:reason reason:armed-conflict") + " "
                       + new_event("cov-vol-res", "tw:Resumption"))),
    ("ok-government", ("DELETE DATA { actor:mayor a foaf:Person }", add("actor:mayor a tw:Government ."))),
]


SPARQL_CASE = delete("tn:ankh-morpork--coventry_2", "tw:variant")

Verdict = tuple[bool, list[str]]
"""Whether the graph conforms, and the distinct messages of its report's top-level results, sorted."""


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES)


@pytest.fixture(scope="module")
def base() -> list[ox.Quad]:
    store = ox.Store()
    for path in BASE:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return list(store)


def operations(update: str | tuple[str, ...]) -> tuple[str, ...]:
    return (update,) if isinstance(update, str) else update


@functools.cache
def inputs_digest() -> bytes:
    """What a verdict is keyed by besides the case: the shapes and the valid example graph, as written. (A change
    of the ontology or the concept schemes that changes a verdict fails the case, and the reference test.)"""
    digest = hashlib.sha256()
    for path in (SHAPES, BASE[-1]):
        digest.update(path.read_bytes() + b"\0")
    return digest.digest()


def key(update: str | tuple[str, ...]) -> str:
    """The key of a case's stored verdict: a hash of the shapes, the valid example and the case's updates."""
    digest = hashlib.sha256(inputs_digest())
    for operation in operations(update):
        digest.update(operation.encode() + b"\0")
    return digest.hexdigest()


def broken(base: list[ox.Quad], update: str | tuple[str, ...]) -> list[ox.Triple]:
    """The base graph with the case's updates applied."""
    store = ox.Store()
    store.bulk_extend(base)
    for operation in operations(update):
        store.update(PREFIXES + operation)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store]
    assert not update or set(triples) != {ox.Triple(q.subject, q.predicate, q.object) for q in base}, \
        "the update changed nothing"
    return triples


def prepare_queries_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyshacl hands rdflib each sh:sparql constraint as query text, which rdflib parses anew on every call (most
    of pyshacl's time on graphs this small); here each text is prepared once and evaluated as a prepared query,
    as rdflib's own prepareQuery does. The answers are the same; only the parsing is not repeated."""
    from rdflib.plugins.sparql import processor
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    original = processor.SPARQLProcessor.query
    prepared: dict[tuple[object, ...], object] = {}

    def query(self, text, initBindings=None, initNs=None, base=None, DEBUG=False):  # type: ignore[no-untyped-def]
        if isinstance(text, str):
            key = (text, base, tuple(sorted((initNs or {}).items())))
            if key not in prepared:
                prepared[key] = translateQuery(parseQuery(text), base, initNs)
            text = prepared[key]
        return original(self, text, initBindings, initNs, base, DEBUG)

    monkeypatch.setattr(processor.SPARQLProcessor, "query", query)


def reference_verdict(triples: list[ox.Triple], shapes: rdflib.Graph) -> Verdict:
    """pyshacl's verdict: the reference implementation."""
    data = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none", inplace=True)
    results = report.objects(None, SH.result)  # top-level results, not their sh:detail
    return bool(conforms), sorted({str(m) for r in results for m in report.objects(r, SH.resultMessage)})


@functools.cache
def stored() -> dict[str, dict[str, Any]]:
    return json.loads(EXPECTED.read_text(encoding="utf-8")) if EXPECTED.exists() else {}


def run(base: list[ox.Quad], shapes: rdflib.Graph, update: str | tuple[str, ...]) -> Verdict:
    """The build's validator's verdict on the case, which must be the stored reference verdict."""
    ours = build_validate(broken(base, update), shapes)
    verdict = (ours.conforms, sorted({r.message for r in ours.results}))
    reference = stored().get(key(update))
    assert reference is not None, "no stored reference verdict for this case (the shapes, valid.ttl or the case changed): " \
        "TWINKG_WRITE_REFERENCE=1 pytest -m reference tests/test_shapes.py"
    assert verdict == (reference["conforms"], reference["messages"]), \
        "the build's validator disagrees with pyshacl's stored verdict (if the ontology or the concept schemes changed " \
        "it, TWINKG_WRITE_REFERENCE=1 pytest -m reference tests/test_shapes.py)"
    return verdict


@pytest.mark.parametrize("update", [c[1] for c in STILL_VALID], ids=[c[0] for c in STILL_VALID])
def test_conforms(base: list[ox.Quad], shapes: rdflib.Graph, update: str | tuple[str, ...]) -> None:
    conforms, messages = run(base, shapes, update)
    assert conforms, messages


@pytest.mark.parametrize(("update", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_violation(base: list[ox.Quad], shapes: rdflib.Graph, update: str | tuple[str, ...], expected: str) -> None:
    conforms, messages = run(base, shapes, update)
    assert not conforms
    assert any(expected in m for m in messages), messages


def test_sparql_result_names_resource(base: list[ox.Quad], shapes: rdflib.Graph) -> None:
    """Whole-graph SPARQL checks name the offending resources in the message."""
    _, messages = run(base, shapes, SPARQL_CASE)
    assert any("ankh-morpork--coventry_2" in m and "{?" not in m for m in messages), messages


ALL_CASES: list[str | tuple[str, ...]] = [c[1] for c in STILL_VALID] + [c[1] for c in CASES] + [SPARQL_CASE]
SLICES = 4
"""The reference recomputation in this many tests, each in an xdist group of its own, so that pytest-xdist runs
them on both workers (pyshacl takes about a quarter of a second a case)."""


def write_reference(update: dict[str, dict[str, Any]], keep: set[str] | None = None) -> None:
    """Merge fresh verdicts into the stored file (keeping only the keys in `keep`, when given), under a lock:
    the slices may run at once in several workers."""
    with FileLock(str(EXPECTED) + ".lock"):
        current = json.loads(EXPECTED.read_text(encoding="utf-8")) if EXPECTED.exists() else {}
        current.update(update)
        if keep is not None:
            current = {k: v for k, v in current.items() if k in keep}
        EXPECTED.write_text(json.dumps(current, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    stored.cache_clear()


@pytest.mark.reference
@pytest.mark.slow
@pytest.mark.parametrize("part", [pytest.param(i, marks=pytest.mark.xdist_group(f"shapes-reference-{i}"))
                                  for i in range(SLICES)])
def test_stored_verdicts_are_pyshacls(base: list[ox.Quad], shapes: rdflib.Graph, monkeypatch: pytest.MonkeyPatch,
                                      part: int) -> None:
    """Every stored verdict (of every SLICES-th case, from `part` on) is what pyshacl says now."""
    prepare_queries_once(monkeypatch)
    fresh: dict[str, dict[str, Any]] = {}
    for update in ALL_CASES[part::SLICES]:
        conforms, messages = reference_verdict(broken(base, update), shapes)
        fresh[key(update)] = {"conforms": conforms, "messages": messages}
    if os.environ.get("TWINKG_WRITE_REFERENCE") == "1":
        write_reference(fresh)
    stale = sorted(k for k in fresh if stored().get(k) != fresh[k])
    assert not stale, f"{len(stale)} stored verdicts are stale or missing: " \
        "TWINKG_WRITE_REFERENCE=1 pytest -m reference tests/test_shapes.py"


@pytest.mark.reference
def test_every_case_has_one_stored_verdict_and_none_is_unused() -> None:
    """The slices above together cover every case, and the file holds a verdict for no other case."""
    keys = [key(update) for update in ALL_CASES]
    assert sorted(i for part in range(SLICES) for i in range(len(ALL_CASES))[part::SLICES]) == list(range(len(ALL_CASES)))
    if os.environ.get("TWINKG_WRITE_REFERENCE") == "1":
        write_reference({}, keep=set(keys))  # the slices write the missing ones, maybe after this test
        return
    assert set(stored()) <= set(keys), \
        f"{len(set(stored()) - set(keys))} stored verdicts are unused: TWINKG_WRITE_REFERENCE=1 pytest -m reference tests/test_shapes.py"
    assert set(keys) <= set(stored()), \
        f"{len(set(keys) - set(stored()))} cases have no stored verdict: TWINKG_WRITE_REFERENCE=1 pytest -m reference tests/test_shapes.py"


def test_case_ids_unique() -> None:
    ids = [c[0] for c in CASES + STILL_VALID]
    assert len(ids) == len(set(ids))
