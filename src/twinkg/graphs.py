"""The named graphs of the published dataset, and what goes in each.

`ontology` holds the vocabulary and concept schemes, `curated` the mapped
records, `wikidata` the enrichment cache, `meta` the dataset description with
the build time (the only place the build time appears, so that equal data
gives equal dumps apart from it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar, cast

import pyoxigraph as ox

from twinkg import __version__
from twinkg.curated.loader import outside
from twinkg.errors import InputError
from twinkg.publication import LICENSE, ONTOLOGY_IRI, PUBLISHER, PUBLISHER_NAME
from twinkg.vocab import (
    DCAT,
    DCT,
    DEFAULT_BASE,
    FOAF,
    GRAPH_NAMES,
    PROV,
    RDF,
    TW,
    VOID,
    XSD,
    Iris,
)

Graphs = dict[str, set[ox.Triple]]


def read_turtle(path: Path) -> set[ox.Triple]:
    """The triples of a Turtle file, blank nodes labelled canonically (RDFC-1.0).

    A parser gives blank nodes fresh random labels; canonical ones keep the dumps
    byte-identical across builds."""
    try:
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    except (SyntaxError, ValueError, OSError, MemoryError) as exc:  # MemoryError: a term over the parser's 16 MiB
        raise InputError(f"{path}: cannot parse Turtle: {exc}") from None
    scope = re.sub(r"[^A-Za-z0-9]", "", path.stem) or "file"

    def label(term: Any) -> Any:
        return ox.BlankNode(f"{scope}{term.value}") if isinstance(term, ox.BlankNode) else term

    # Labels are scoped by file so that blank nodes of two files never merge.
    return {ox.Triple(label(t.subject), t.predicate, label(t.object)) for t in canonical(triples)}


def canonical(triples: Iterable[ox.Triple]) -> set[ox.Triple]:
    """The same triples with blank nodes relabelled by RDFC-1.0, so equal graphs are equal sets."""
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {q.triple for q in dataset}


Term = TypeVar("Term")


def _rebase(term: Term, iris: Iris) -> Term:
    old = DEFAULT_BASE + "vocab/"
    if isinstance(term, ox.NamedNode) and term.value.startswith(old):
        return cast(Term, ox.NamedNode(iris.base + "vocab/" + term.value[len(old):]))
    return term


def ontology_triples(ontology_dir: Path, iris: Iris) -> set[ox.Triple]:
    """The ontology and concept schemes; concept IRIs follow the configured base."""
    triples: set[ox.Triple] = set()
    for path in sorted(ontology_dir.glob("*.ttl")):
        triples |= read_turtle(path)
    if iris.base == DEFAULT_BASE:
        return triples
    return {ox.Triple(_rebase(t.subject, iris), t.predicate, _rebase(t.object, iris)) for t in triples}


def wikidata_triples(wikidata_dir: Path) -> set[ox.Triple]:
    """The enrichment cache written by `twinkg enrich`, with its own provenance triples."""
    triples: set[ox.Triple] = set()
    if wikidata_dir.is_dir():
        for path in sorted(wikidata_dir.glob("*.ttl")):
            if outside(path, wikidata_dir.parent):
                raise InputError(f"{path}: a symbolic link to a file outside the data folder: not read")
            triples |= read_turtle(path)
    return triples


Sizes = tuple[dict[str, int], int]
"""Triples per data graph (by name), and in their union (a triple stated in two graphs once)."""


def sizes_of(graphs: Graphs) -> Sizes:
    return {name: len(content) for name, content in graphs.items()}, len(set().union(*graphs.values()))


def meta_triples(sizes: Sizes, counts: Counts, iris: Iris, built_at: dt.datetime) -> set[ox.Triple]:
    """The dataset's VoID/DCAT description: per-graph counts, licence, endpoint and build time.

    `sizes` and `counts` are the data graphs' (`sizes_of` and `partition_counts`, or counted on a store
    by `store_counts`)."""
    n = ox.NamedNode
    a = n(RDF + "type")
    ds = n(iris.dataset())
    triples = {
        ox.Triple(ds, a, n(VOID + "Dataset")),
        ox.Triple(ds, a, n(DCAT + "Dataset")),
        ox.Triple(ds, n(DCT + "title"), ox.Literal("twinkg: a knowledge graph of town twinning", language="en")),
        ox.Triple(ds, n(DCT + "description"), ox.Literal(
            "Twin towns and sister cities as linked data: every link with its dated lifecycle "
            "(signed, suspended, ended, resumed), the actors, the reasons and the sources.", language="en")),
        ox.Triple(ds, n(DCT + "license"), n(LICENSE)),
        ox.Triple(ds, n(DCT + "modified"), ox.Literal(built_at.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=n(XSD + "dateTime"))),
        ox.Triple(ds, n(PROV + "generatedAtTime"), ox.Literal(built_at.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=n(XSD + "dateTime"))),
        ox.Triple(ds, n(TW + "statusAsOf"), ox.Literal(built_at.date().isoformat(), datatype=n(XSD + "date"))),
        ox.Triple(ds, n(DCT + "hasVersion"), ox.Literal(__version__)),
        ox.Triple(ds, n(VOID + "sparqlEndpoint"), n(iris.sparql_endpoint())),
        ox.Triple(ds, n(VOID + "uriSpace"), ox.Literal(iris.base + "id/")),
        ox.Triple(ds, n(VOID + "vocabulary"), n(TW)),
        ox.Triple(ds, n(DCT + "conformsTo"), n(ONTOLOGY_IRI)),
    }
    publisher = n(PUBLISHER)
    triples |= {
        ox.Triple(ds, n(DCT + "publisher"), publisher),
        ox.Triple(publisher, a, n(FOAF + "Organization")),
        ox.Triple(publisher, n(FOAF + "name"), ox.Literal(PUBLISHER_NAME)),
        ox.Triple(publisher, n(FOAF + "homepage"), publisher),
    }
    by_graph, union = sizes
    for name, size in by_graph.items():
        g = n(iris.graph(name))
        triples |= {
            ox.Triple(ds, n(VOID + "subset"), g),
            ox.Triple(g, a, n(VOID + "Dataset")),
            ox.Triple(g, n(VOID + "triples"), _integer(size)),
        }
    triples |= partitions(ds, counts)
    triples.add(ox.Triple(n(iris.graph("meta")), a, n(VOID + "Dataset")))
    triples.add(ox.Triple(ds, n(VOID + "subset"), n(iris.graph("meta"))))
    meta_count = len(triples) + 2  # with the two counts below
    merged = union + meta_count
    triples.add(ox.Triple(n(iris.graph("meta")), n(VOID + "triples"), _integer(meta_count)))
    triples.add(ox.Triple(ds, n(VOID + "triples"), _integer(merged)))
    return triples


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


Counts = tuple[Counter[str], Counter[str]]
"""Instances per class IRI (distinct subjects typed with it) and statements per property IRI."""


def partition_counts(parts: Iterable[set[ox.Triple]]) -> Counts:
    """The VoID partitions' counts over the data graphs: a triple stated in two graphs counts twice
    among the statements, a typed subject once among its class's instances."""
    instances: Counter[str] = Counter()
    statements: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for content in parts:
        for t in content:
            statements[t.predicate.value] += 1
            if t.predicate.value == RDF + "type" and isinstance(t.object, ox.NamedNode):
                key = (str(t.subject), t.object.value)
                if key not in seen:
                    seen.add(key)
                    instances[t.object.value] += 1
    return instances, statements


def _store_counts(store: ox.Store) -> tuple[Counts, Counter[str]]:
    """`partition_counts` of a store's named graphs, and the statements in each graph (by its IRI), counted by
    pyoxigraph in one scan: a third of the time of the Python loop at world scale, on the build's critical
    path (bench/RESULTS.md)."""
    instances: Counter[str] = Counter()
    for key, n in cast(ox.QuerySolutions, store.query(
            "SELECT ?k (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?k } FILTER isIRI(?k) } GROUP BY ?k")):
        instances[key.value] = int(n.value)
    statements: Counter[str] = Counter()
    graphs: Counter[str] = Counter()
    for graph, key, n in cast(ox.QuerySolutions, store.query(
            "SELECT ?g ?k (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?k ?o } } GROUP BY ?g ?k")):
        statements[key.value] += int(n.value)
        graphs[graph.value] += int(n.value)
    return (instances, statements), graphs


def partitions(ds: ox.NamedNode, counts: Counts) -> set[ox.Triple]:
    """VoID class partitions (instances per class) and property partitions (statements per property)
    of the data graphs, so a reader sees what the dataset holds before querying it."""
    instances, statements = counts
    n = ox.NamedNode
    out: set[ox.Triple] = set()
    for kind, counted, link, member, measure in (
            ("class", instances, "classPartition", "class", "entities"),
            ("property", statements, "propertyPartition", "property", "triples")):
        for index, iri in enumerate(sorted(counted)):
            part = ox.BlankNode(f"{kind}-partition-{index}")
            out |= {ox.Triple(ds, n(VOID + link), part), ox.Triple(part, n(VOID + member), n(iri)),
                    ox.Triple(part, n(VOID + measure), _integer(counted[iri]))}
    return out


def assemble(ontology: set[ox.Triple], curated: set[ox.Triple], wikidata: set[ox.Triple],
             iris: Iris, built_at: dt.datetime) -> Graphs:
    graphs: Graphs = {"ontology": ontology, "curated": curated, "wikidata": wikidata}
    graphs["meta"] = meta_triples(sizes_of(graphs), partition_counts(graphs.values()), iris, built_at)
    assert tuple(graphs) == GRAPH_NAMES
    return graphs


CHECKED = ("ontology", "curated", "wikidata")
"""The graphs SHACL validates and the exports read: everything but the dataset's own description."""


def store_counts(store: ox.Store, iris: Iris, union: int) -> tuple[Sizes, Counts]:
    """`sizes_of` the `CHECKED` graphs in a store, and their `partition_counts`, counted by pyoxigraph
    (the build holds the curated graph as N-Triples text, not as a set to count); `union`, the distinct
    triples, the caller knows from the lines it loaded the store from (`publish.triple_count`)."""
    counts, graphs = _store_counts(store)
    return ({name: graphs[iris.graph(name)] for name in CHECKED}, union), counts


def store_of(graphs: Graphs, iris: Iris, names: tuple[str, ...] = CHECKED) -> ox.Store:
    """An in-memory store of some of the graphs, each a named graph; the build validates and exports from one."""
    store = ox.Store()
    store.bulk_extend(quads({name: graphs[name] for name in names}, iris))
    return store


def quads(graphs: Graphs, iris: Iris) -> list[ox.Quad]:
    """Every quad, each triple in its named graph (unordered: publish orders what it writes)."""
    out: list[ox.Quad] = []
    for name, triples in graphs.items():
        graph = ox.NamedNode(iris.graph(name))
        out.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
    return out
