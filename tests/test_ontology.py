"""The ontology, concept schemes and shapes: they parse, every term is documented, codes exist."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parents[1]
FILES = ["ontology/twinkg.ttl", "ontology/concepts.ttl", "shapes/twinkg.shapes.ttl"]
TW = rdflib.Namespace("https://w3id.org/twinkg/ontology#")
VOCAB = "https://w3id.org/twinkg/vocab/"
ONTOLOGY = rdflib.URIRef("https://w3id.org/twinkg/ontology")

REQUIRED_CODES = {
    "kind": "twin-town sister-city friendship-city partnership cooperation symbolic",
    "status": "active suspended terminated proposed unknown",
    "event-type": "establishment suspension termination resumption proposal exchange",
    "event-form": "letter telegram message gift visit delegation aid student-exchange cultural-exchange "
                  "tree-planting agreement vote ceremony statement other",
    "reason": "war-solidarity reconciliation peace shared-name shared-industry shared-history trade culture "
              "education migration religion humour armed-conflict human-rights historical-dispute "
              "territorial-dispute recognition-dispute political-dispute cost-or-inactivity not-stated",
    "place-type": "city town village municipality district region theme-park fictional-place other",
}

CLASSES = ("Place PlaceName Twinning Event Establishment Suspension Termination Resumption Proposal "
           "Exchange Actor Government Council RoleTenure Source").split()
PROPERTIES = ("partner twinnedWith kind status event twinning agent initiatedBy reason form conflictsWith "
              "historicalName country placeType holdsRole roleOf startDate endDate date dateText earliest "
              "latest validFrom validUntil fictional variant").split()


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "twinkg.ttl")


@pytest.fixture(scope="module")
def concepts() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontology" / "concepts.ttl")


@pytest.mark.parametrize("path", FILES)
def test_parses_both(path: str) -> None:
    graph = rdflib.Graph().parse(ROOT / path)
    store = ox.Store()
    store.bulk_load(path=str(ROOT / path), format=ox.RdfFormat.TURTLE)
    assert len(graph) > 0
    assert len(store) == len(graph)


def test_metadata(onto: rdflib.Graph) -> None:
    expect = {
        RDF.type: OWL.Ontology,
        OWL.versionIRI: rdflib.URIRef("https://w3id.org/twinkg/ontology/0.1.0"),
        OWL.versionInfo: rdflib.Literal("0.1.0"),
        DCTERMS.license: rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/"),
        DCTERMS.creator: rdflib.Literal("twinkg contributors"),
        rdflib.URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"): rdflib.Literal("tw"),
    }
    for prop, value in expect.items():
        assert (ONTOLOGY, prop, value) in onto, prop
    assert onto.value(ONTOLOGY, DCTERMS.title) and onto.value(ONTOLOGY, DCTERMS.description)


def test_contract_terms_declared(onto: rdflib.Graph) -> None:
    for name in CLASSES:
        assert (TW[name], RDF.type, OWL.Class) in onto, name
    for name in PROPERTIES:
        types = set(onto.objects(TW[name], RDF.type))
        assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}, name


def test_terms_documented(onto: rdflib.Graph) -> None:
    declared = {s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDFS.Datatype)
                for s in onto.subjects(RDF.type, t) if isinstance(s, rdflib.URIRef)}
    assert {TW[n] for n in CLASSES + PROPERTIES} <= declared
    for term in declared:
        assert str(term).startswith(str(TW)), term
        labels = [label for label in onto.objects(term, RDFS.label) if isinstance(label, rdflib.Literal) and label.language == "en"]
        assert len(labels) == 1, term
        assert onto.value(term, RDFS.comment) or onto.value(term, SKOS.definition), term


def test_alignments(onto: rdflib.Graph) -> None:
    S = rdflib.Namespace("https://schema.org/")
    PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
    for sub, sup in [
        (TW.Place, S.Place), (TW.Place, rdflib.URIRef("http://www.opengis.net/ont/geosparql#Feature")),
        (TW.Twinning, PROV.Entity), (TW.Event, PROV.Activity),
        (TW.Event, rdflib.URIRef("http://semanticweb.cs.vu.nl/2009/11/sem/Event")),
        (TW.Suspension, TW.Event), (TW.Actor, PROV.Agent), (TW.Source, S.CreativeWork),
        (TW.Government, rdflib.URIRef("http://www.w3.org/ns/org#Organization")),
    ]:
        assert (sub, RDFS.subClassOf, sup) in onto, (sub, sup)
    assert (TW.agent, RDFS.subPropertyOf, PROV.wasAssociatedWith) in onto
    assert (TW.twinnedWith, RDF.type, OWL.SymmetricProperty) in onto
    assert (TW.conflictsWith, RDF.type, OWL.SymmetricProperty) in onto
    assert (TW.twinnedWith, SKOS.closeMatch, rdflib.URIRef("http://www.wikidata.org/prop/direct/P190")) in onto


def test_concepts_complete(concepts: rdflib.Graph) -> None:
    found = list(concepts.subjects(RDF.type, SKOS.Concept))
    assert len(found) > 60
    for concept in found:
        scheme = concepts.value(concept, SKOS.inScheme)
        assert (scheme, RDF.type, SKOS.ConceptScheme) in concepts, concept
        assert str(concept) == f"{scheme}/{concepts.value(concept, SKOS.notation)}", concept
        for p in (SKOS.prefLabel, SKOS.definition):
            text = concepts.value(concept, p)
            assert isinstance(text, rdflib.Literal) and text.language == "en", (concept, p)


def test_schemes_described(concepts: rdflib.Graph) -> None:
    schemes = set(concepts.subjects(RDF.type, SKOS.ConceptScheme))
    assert {rdflib.URIRef(VOCAB + s) for s in [*REQUIRED_CODES, "country"]} <= schemes
    for scheme in schemes:
        assert concepts.value(scheme, SKOS.prefLabel) and concepts.value(scheme, DCTERMS.description), scheme


@pytest.mark.parametrize("scheme", sorted(REQUIRED_CODES))
def test_required_codes(concepts: rdflib.Graph, scheme: str) -> None:
    prefix = f"{VOCAB}{scheme}/"
    codes = {str(c)[len(prefix):] for c in concepts.subjects(SKOS.inScheme, rdflib.URIRef(VOCAB + scheme))}
    missing = set(REQUIRED_CODES[scheme].split()) - codes
    assert not missing


def test_event_types_see_classes(concepts: rdflib.Graph, onto: rdflib.Graph) -> None:
    for code in REQUIRED_CODES["event-type"].split():
        cls = concepts.value(rdflib.URIRef(f"{VOCAB}event-type/{code}"), RDFS.seeAlso)
        assert (cls, RDFS.subClassOf, TW.Event) in onto, code


def test_loader_reads_codes() -> None:
    """The mapping's loader reads the same codes from these files."""
    from twinkg.concepts import load_codes

    codes = load_codes(ROOT / "ontology")
    for scheme, text in REQUIRED_CODES.items():
        assert set(text.split()) <= codes[scheme], scheme
