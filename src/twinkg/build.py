"""The build pipeline: load → map → validate → publish, each stage fed by the one before.

The functions here only connect the stages; each stage's rules live in its
own module. `build` is the one place that writes, and it writes nothing unless
every stage succeeded.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

import pyoxigraph as ox

from twinkg import graphs as graph_parts
from twinkg import jsonld
from twinkg.concepts import load_classes, load_codes
from twinkg.config import Progress, Settings
from twinkg.curated.loader import load
from twinkg.curated.records import Dataset
from twinkg.errors import TwinkgError
from twinkg.examples import render_examples
from twinkg.exports import render_exports
from twinkg.forked import Forked
from twinkg.formats import rdf_bytes
from twinkg.mapping import country_triples, curated_ntriples
from twinkg.output import DUPLICATES, QUERIES_FILE
from twinkg.publish import Ordered, in_graph, line_dumps, ordered, publish, render_dumps, triple_count
from twinkg.validate import Report, load_shapes, validate_store
from twinkg.vocab import GRAPH_NAMES, SKOS, WD, Iris
from twinkg.world import identity, non_places
from twinkg.world.countries import check_countries
from twinkg.world.live import read_live
from twinkg.world.mapping import Findings, country_codes, world_lines
from twinkg.world.records import World
from twinkg.world.snapshots import read_snapshots


class ValidationFailed(TwinkgError):
    def __init__(self, report: Report):
        self.report = report
        super().__init__("the built graph violates the SHACL shapes")

    def details(self) -> list[str]:
        return [self.report.summary()]


@dataclass(frozen=True)
class Built:
    made: graph_parts.Graphs
    """The ontology and meta graphs; the build holds the curated and Wikidata ones as N-Triples text."""
    curated: bytes
    wikidata: bytes
    report: Report
    findings: Findings | None = None

    @functools.cached_property
    def graphs(self) -> graph_parts.Graphs:
        """The four named graphs: the curated and Wikidata ones parsed when first asked for (a program that
        only builds never asks; at the crawl's ×4 the curated graph's 2.4M terms took seconds to make and to free)."""
        text = {"curated": self.curated, "wikidata": self.wikidata}
        return {name: parsed(text[name]) if name in text else self.made[name] for name in GRAPH_NAMES}


def parsed(ntriples: bytes) -> set[ox.Triple]:
    """The triples of N-Triples text (pyoxigraph parses them as quads of the default graph)."""
    return {q.triple for q in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)}


def load_data(settings: Settings) -> Dataset:
    """Stage 1: the curated records (raises LoadError listing every problem)."""
    return load(settings.data_dir, load_codes(settings.ontology_dir))


@dataclass(frozen=True)
class WorldPart:
    """The Wikidata sources' derived triples, the country codes they use, and what the merge noticed."""

    derived: bytes
    """The derived triples as N-Triples (`world.mapping.world_lines`; a statement may be on two lines)."""
    countries: dict[str, str | None]
    findings: Findings
    cache: set[ox.Triple]
    """The enrichment cache as fetched, in Wikidata's own terms."""
    same_name: list[identity.Pair] = field(default_factory=list)
    """Curated places and Wikidata-only items sharing a label and country (`world.identity.same_name_pairs`)."""
    doubles: list[identity.Pair] = field(default_factory=list)
    """Wikidata items with the same label sharing a partner (`world.identity.wikidata_doubles`)."""
    not_place_pairs: list[tuple[str, str]] = field(default_factory=list)
    """P190 pairs with an item recorded as not a place (`world.non_places`): no twinning."""

    def graph(self) -> set[ox.Triple]:
        """The Wikidata graph: the cache as fetched and every derived triple."""
        return self.cache | parsed(self.derived)

    def lines(self) -> bytes:
        """The Wikidata graph as N-Triples (a statement of the cache also derived may be on two lines)."""
        return line_dumps({"wikidata": self.cache})["wikidata"] + self.derived

    @property
    def unreviewed(self) -> list[identity.Pair]:
        return [p for p in self.same_name if not p.review]


def map_world(data: Dataset, settings: Settings, ontology: set[ox.Triple]) -> WorldPart:
    """Stage 2a: the dated Wikidata sources merged with the curated records.

    The enrichment cache (data/wikidata/), when it holds P190 statements, is
    Wikidata's current claim; the snapshots (data/snapshots/) are dated sources."""
    cache = graph_parts.wikidata_triples(settings.wikidata_dir)
    world = World()
    read_live(cache, world, str(settings.wikidata_dir))
    read_snapshots(settings.snapshots_dir, world)
    check_countries(world)
    classes = load_classes(settings.ontology_dir)
    reference = settings.data_dir / "reference"
    not_places = non_places.read(reference / non_places.NOT_PLACES, set(load_codes(settings.ontology_dir).get("actor-type", ())))
    set_aside = non_places.set_aside(world, not_places)
    derived, findings = world_lines(world, data, Iris(settings.base), settings.built_at.date(), classes, end_causes(ontology))
    derived += rdf_bytes(non_places.triples(world, not_places, Iris(settings.base), classes), ox.RdfFormat.N_TRIPLES)
    reviewed = identity.read_not_duplicates(reference / identity.NOT_DUPLICATES)
    return WorldPart(derived, country_codes(world), findings, cache,
                     identity.same_name_pairs(data, world, reviewed, set(not_places)), identity.wikidata_doubles(world),
                     set_aside)


def end_causes(ontology: set[ox.Triple]) -> dict[str, str]:
    """Wikidata end causes (P1534 values) a reason concept declares itself a match of (skos:exactMatch/closeMatch wd:Q…)."""
    matches = {SKOS + "exactMatch", SKOS + "closeMatch"}
    out = {}
    for t in ontology:
        if not isinstance(t.subject, ox.NamedNode) or not isinstance(t.object, ox.NamedNode):
            continue
        if t.predicate.value in matches and t.object.value.startswith(WD) and "/vocab/reason/" in t.subject.value:
            out[t.object.value[len(WD):]] = t.subject.value.rsplit("/", 1)[1]
    return out


DataGraphs = tuple[set[ox.Triple], set[ox.Triple], set[ox.Triple]]
"""The ontology, curated and Wikidata graphs (`graphs.CHECKED`), in that order."""
DataLines = tuple[set[ox.Triple], bytes, bytes]
"""`DataGraphs` with the curated graph as N-Triples (`mapping.curated_ntriples`), and the Wikidata graph (`WorldPart.lines`)."""


def map_graphs(data: Dataset, settings: Settings, world: WorldPart | None = None) -> graph_parts.Graphs:
    """Stage 2: the four named graphs."""
    return graph_parts.assemble(*map_data_graphs(data, settings, world), Iris(settings.base), settings.built_at)


def map_data_graphs(data: Dataset, settings: Settings, world: WorldPart | None = None) -> DataGraphs:
    """The ontology, curated and Wikidata graphs: `map_graphs` without the dataset's description (meta)."""
    ontology, curated, world = _data_parts(data, settings, world)
    return ontology, parsed(curated), world.graph()


def map_data_lines(data: Dataset, settings: Settings, world: WorldPart | None = None) -> DataLines:
    """`map_data_graphs` with the curated and Wikidata graphs as the N-Triples the build loads and writes."""
    ontology, curated, world = _data_parts(data, settings, world)
    return ontology, curated, world.lines()


def _data_parts(data: Dataset, settings: Settings, world: WorldPart | None) -> tuple[set[ox.Triple], bytes, WorldPart]:
    iris = Iris(settings.base)
    ontology = graph_parts.ontology_triples(settings.ontology_dir, iris)
    world = world or map_world(data, settings, ontology)
    ontology |= country_triples(data, iris, world.countries)
    curated = curated_ntriples(data, iris, settings.built_at.date(), load_classes(settings.ontology_dir))
    return ontology, curated, world



def checked_quads(lines: dict[str, bytes], iris: Iris) -> bytes:
    """The checked graphs' N-Triples (`publish.line_dumps`) as one N-Quads text, each line in its graph."""
    return b"".join(in_graph(lines[name], iris.graph(name)) for name in graph_parts.CHECKED)


def store_of_quads(nquads: bytes) -> ox.Store:
    """The store of `graphs.store_of` (the checked graphs, each a named graph), loaded from the N-Quads
    the dumps are made of (`checked_quads`): pyoxigraph parses them faster than Python hands it one Quad
    object per triple, and it lets go of the interpreter lock while it does."""
    store = ox.Store()
    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    return store


def store_of_lines(lines: dict[str, bytes], iris: Iris) -> ox.Store:
    """`store_of_quads` of the graphs' N-Triples."""
    return store_of_quads(checked_quads(lines, iris))


def load_and_order(nquads: bytes, ctx: jsonld.Context | None = None) -> tuple[ox.Store, Ordered]:
    """The store of `store_of_quads`, and the same statements in the dumps' order, parsed (`publish.ordered`);
    with `ctx`, compacted to JSON-LD for as long as the store is still loading (`Ordered.compact`).

    pyoxigraph loads in a thread, without the interpreter lock, while this one sorts and parses: the
    two take the two cores where they took turns on one (bench/RESULTS.md, round 3). At the crawl's ×4
    the load takes twice as long as the sorting: the JSON-LD nodes fill the wait (round 4)."""
    with ThreadPoolExecutor(max_workers=1) as loading:
        store = loading.submit(store_of_quads, nquads)
        statements = ordered(nquads)
        if ctx is not None:
            statements = statements.compact(ctx, store.done)
        return store.result(), statements


def check(store: ox.Store, settings: Settings, progress: Progress = lambda _: None, threads: int = 2) -> Report:
    """Stage 3: SHACL over the curated and Wikidata graphs and the vocabulary they refer to (`graphs.store_of`),
    on `threads` threads (`validate.validate_store`)."""
    return validate_store(store, load_shapes(settings.shapes_dir), settings.shacl_engine, progress, threads)


def validation_threads(exports: Forked[dict[str, bytes]] | None) -> int:
    """SHACL's threads beside the exports: one when they run in a forked child, two otherwise.

    The child's work (3.1-3.4 CPU s at the default scale) is the longest single-threaded stream after
    the store is loaded. With two SHACL threads and the dumps beside it, four threads shared the two
    cores, the child got half of one, and the build then waited 1.5-2 s for it with a core idle; with one
    SHACL thread the dumps and SHACL share one core, the child has the other, and the three end close
    together (bench/RESULTS.md, round 4)."""
    return 1 if exports is not None and exports.process is not None else 2


@contextmanager
def without_cycle_collector() -> Iterator[None]:
    """Pause Python's cycle collector while the build allocates millions of small objects.

    They hold no reference cycles, so its passes free nothing; at the crawl's
    scale they took half the build (bench/RESULTS.md: x4 from 197 s to 110 s
    without them). Reference counting still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def run(settings: Settings, progress: Progress = lambda _: None, write: bool = True,
        then: Callable[[Built], None] = lambda _: None) -> Built:
    """Run the stages; with `write`, publish into the output folder (stage 4).

    `then` gets the result while the build still holds what it made on the way (the store, the
    dumps' statements, the graphs' terms): freeing those takes CPython about 0.8 s at the default
    scale, which a process that ends right after (`twinkg build`, `cli.exit_now`) need not spend."""
    with without_cycle_collector():
        return _run(settings, progress, write, then)


def _run(settings: Settings, progress: Progress, write: bool, then: Callable[[Built], None]) -> Built:
    progress(f"loading curated data from {settings.data_dir}")
    data = load_data(settings)
    progress(f"mapping {len(data.places)} places, {len(data.twinnings)} twinnings, {len(data.actors)} actors")
    world = map_world(data, settings, graph_parts.ontology_triples(settings.ontology_dir, Iris(settings.base)))
    found = world.findings
    progress(f"Wikidata sources: {found.twinnings} twinnings only Wikidata knows, {found.merged} merged with curated ones, "
             f"{found.places} places, {found.one_directional} stated in one direction, "
             f"{len(found.deprecated)} deprecated pair(s) left out, {len(found.contradictions)} contradiction(s) with the curated data")
    for line in found.contradictions:
        progress(f"  {line}")
    for line in found.associations:
        progress(f"  association: {line}")
    progress(f"countries checked: {len(found.countries_corrected)} stated country(ies) contradicted by a same-named "
             "place near the coordinates, the checked one used (places.csv: country_checked)")
    for line in found.countries_corrected:
        progress(f"  {line}")
    progress(f"identity: {len(world.same_name)} curated place(s) share a label and country with a Wikidata-only item "
             f"({len(world.unreviewed)} not reviewed in data/reference/{identity.NOT_DUPLICATES}); "
             f"{len(world.doubles)} pair(s) of Wikidata items share a label and a partner (dist/{DUPLICATES})")
    if world.not_place_pairs:
        progress(f"  {len(world.not_place_pairs)} P190 pair(s) with an item that is not a place "
                 f"(data/reference/{non_places.NOT_PLACES}), no twinning: "
                 + ", ".join(f"{a}–{b}" for a, b in world.not_place_pairs))
    for pair in world.unreviewed:
        progress(f"  unreviewed: {pair.a} ({pair.a_label}) and {pair.b} ({pair.b_label}), {pair.country or 'country unknown'}")
    iris = Iris(settings.base)
    ontology, curated, wikidata = map_data_lines(data, settings, world)
    nquads = checked_quads(line_dumps({"ontology": ontology}) | {"curated": curated, "wikidata": wikidata}, iris)
    store, statements = load_and_order(nquads, jsonld.context(ontology)) if write else (store_of_quads(nquads), None)
    union = len(statements.texts) if statements is not None else triple_count(nquads)
    del nquads
    # The exports only read the store: a forked child renders them while this process validates and
    # writes the dumps (forked before the validation's threads start, as fork wants). Both start as soon
    # as the store is loaded; the dataset's description is counted on it while they run.
    exports = Forked(lambda: render_exports(store, iris, settings.built_at.date()), "exports") if write else None
    with exports or nullcontext(), ThreadPoolExecutor(max_workers=1) as background:
        validation = background.submit(check, store, settings, progress, validation_threads(exports))
        sizes, counts = graph_parts.store_counts(store, iris, union)
        progress(f"validating {sizes[0]['curated'] + sizes[0]['wikidata']} curated and Wikidata triples "
                 "against the SHACL shapes" + (", while the dumps and exports are rendered" if write else ""))
        # The dataset's description counts what the store holds: pyoxigraph counts faster than a loop over the triples.
        graphs = {"ontology": ontology,
                  "meta": graph_parts.meta_triples(sizes, counts, iris, settings.built_at)}
        files = render_dumps(graphs, iris, settings.built_at, line_dumps({"meta": graphs["meta"]}), statements) \
            | {QUERIES_FILE: render_examples(settings.queries_dir)} if write else {}
        report = validation.result()
        if not report.conforms:
            raise ValidationFailed(report)
        if exports is not None:
            report_ttl = rdf_bytes(report.triples(), ox.RdfFormat.TURTLE, {"sh": "http://www.w3.org/ns/shacl#"})
            identity_report = {DUPLICATES: identity.duplicates_csv(world.same_name, world.doubles)}
            publish(files | exports.result() | identity_report, report_ttl, graphs, iris, settings.out_dir, progress)
    built = Built(graphs, curated, wikidata, report, world.findings)
    then(built)
    return built
