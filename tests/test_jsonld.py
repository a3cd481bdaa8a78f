"""JSON-LD people can use as JSON: the published context, and the dump compacted with it."""

from __future__ import annotations

import gzip
import json

import pyoxigraph as ox
import pytest
from pyld import jsonld

from twinkg.build import Built
from twinkg.config import Settings
from twinkg.graphs import canonical
from twinkg.jsonld import Compactor, compact_document, context
from twinkg.vocab import TW, XSD

TYPED = ox.NamedNode


def turtle_graph(settings: Settings) -> set[ox.Triple]:
    return canonical(ox.parse(path=str(settings.out_dir / "twinkg.ttl"), format=ox.RdfFormat.TURTLE))


def test_the_dump_is_one_graph_with_short_keys(curated_dist: Settings) -> None:
    settings = curated_dist
    doc = json.loads((settings.out_dir / "twinkg.jsonld").read_text())
    assert set(doc) == {"@context", "@graph"}
    assert doc["@context"] == json.loads((settings.out_dir / "context.jsonld").read_text())["@context"]
    node = next(n for n in doc["@graph"] if n["id"] == "https://w3id.org/twinkg/id/twinning/coventry--volgograd")
    assert node["type"] == ["Twinning", "prov:Entity"]
    assert sorted(node["partner"]) == ["https://w3id.org/twinkg/id/place/coventry", "https://w3id.org/twinkg/id/place/volgograd"]
    assert node["status"] == "https://w3id.org/twinkg/vocab/status/suspended"
    assert node["startEarliest"] == "1943-01-01"  # a rival founding claim says 1943
    assert node["startDate"] == {"@value": "1944", "@type": "xsd:gYear"}
    assert node["label"] == {"@value": "Coventry – Volgograd", "@language": "en"}


def test_the_compacted_dump_expands_to_the_turtle_dumps_graph(mini_build: tuple[Settings, Built]) -> None:
    """pyld, the reference JSON-LD processor, reads the document back (nothing fetched: the context is inline).

    On the small fixture: pyld takes minutes for the world network (bench/RESULTS.md); oxigraph reads that one."""
    settings, _ = mini_build
    doc = json.loads((settings.out_dir / "twinkg.jsonld").read_text())
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    assert canonical(ox.parse(nquads.encode(), format=ox.RdfFormat.N_TRIPLES)) == turtle_graph(settings)


def test_oxigraph_reads_the_dump_too(mini_build: tuple[Settings, Built], curated_dist: Settings) -> None:
    settings, _ = mini_build
    parsed = ox.parse(path=str(settings.out_dir / "twinkg.jsonld"), format=ox.RdfFormat.JSON_LD)
    assert canonical(parsed) == turtle_graph(settings)
    # the world network: as many statements as the N-Triples dump (canonical labelling at this size takes minutes)
    settings = curated_dist
    statements = set(ox.parse(path=str(settings.out_dir / "twinkg.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert len(statements) == gzip.decompress((settings.out_dir / "twinkg.nt.gz").read_bytes()).count(b"\n")


def test_the_context_has_a_key_for_every_tw_term(curated_dist: Settings, built_store: ox.Store) -> None:
    settings = curated_dist
    ontology = built_store.quads_for_pattern(None, None, None, ox.NamedNode(settings.base + "graph/ontology"))
    ctx = json.loads((settings.out_dir / "context.jsonld").read_text())["@context"]
    terms = {t.subject.value for t in ontology
             if t.subject.value.startswith(TW) and t.predicate.value.endswith("#type")} - {TW}
    keyed = {d["@id"] if isinstance(d, dict) else d for d in ctx.values()}
    assert terms <= keyed
    assert ctx["partner"] == {"@id": TW + "partner", "@type": "@id"}
    assert ctx["startEarliest"] == {"@id": TW + "startEarliest", "@type": XSD + "date"}
    assert ctx["Twinning"] == {"@id": TW + "Twinning"}


@pytest.mark.parametrize("obj", [
    ox.Literal("2022-03-22", datatype=TYPED(XSD + "date")),      # the coerced datatype: bare string
    ox.Literal("2022", datatype=TYPED(XSD + "gYear")),           # another datatype under a coerced key
    ox.Literal("plain"),
    ox.Literal("Wolgograd", language="de"),
    TYPED("https://example.org/x"),
    ox.BlankNode("b1"),
])
@pytest.mark.parametrize("predicate", [TW + "startEarliest", TW + "partner", TW + "dateText", "https://example.org/p#q",
                                       "http://www.w3.org/2000/01/rdf-schema#label"])
def test_every_kind_of_statement_round_trips(predicate: str, obj: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
    """Whatever the key's coercion, a value it does not fit is written so that it expands to itself."""
    ctx = context(ox.parse(path="ontology/twinkg.ttl", format=ox.RdfFormat.TURTLE))
    triples = [ox.Triple(TYPED("https://example.org/s"), TYPED(predicate), obj),
               ox.Triple(TYPED("https://example.org/s"), TYPED("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), TYPED(TW + "Place"))]
    doc = json.loads(compact_document(triples, ctx))
    back = jsonld.to_rdf(doc, {"format": "application/n-quads"})
    assert canonical(ox.parse(back.encode(), format=ox.RdfFormat.N_TRIPLES)) == canonical(triples)


def test_curies_never_shadow_other_iris() -> None:
    compactor = Compactor({"@context": {"tw": TW, "x": "https://example.org/"}})
    assert compactor.curie(TW + "partner") == "tw:partner"
    assert compactor.curie("https://example.org///odd") == "https://example.org///odd"  # x://odd would read as an IRI
    assert compactor.curie("https://elsewhere.org/a") == "https://elsewhere.org/a"


def test_nt_and_jsonld_dumps_agree(mini_build: tuple[Settings, Built]) -> None:
    settings, _ = mini_build
    nt = canonical(ox.parse(gzip.decompress((settings.out_dir / "twinkg.nt.gz").read_bytes()), format=ox.RdfFormat.N_TRIPLES))
    doc = json.loads((settings.out_dir / "twinkg.jsonld").read_text())
    assert canonical(ox.parse(jsonld.to_rdf(doc, {"format": "application/n-quads"}).encode(), format=ox.RdfFormat.N_TRIPLES)) == nt
