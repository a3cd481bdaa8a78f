"""The build pipeline: load → map → validate → publish, each stage fed by the one before.

The functions here only connect the stages; each stage's rules live in its
own module. `build` is the one place that writes, and it writes nothing unless
every stage succeeded.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import pyoxigraph as ox

from twinkg import graphs as graph_parts
from twinkg.concepts import load_classes, load_codes
from twinkg.config import Progress, Settings
from twinkg.curated.loader import load
from twinkg.curated.records import Dataset
from twinkg.errors import TwinkgError
from twinkg.mapping import country_triples, curated_triples
from twinkg.publish import publish
from twinkg.validate import Report, load_shapes, validate
from twinkg.vocab import Iris


class ValidationFailed(TwinkgError):
    def __init__(self, report: Report):
        self.report = report
        super().__init__("the built graph violates the SHACL shapes")

    def details(self) -> list[str]:
        return [self.report.summary()]


@dataclass(frozen=True)
class Built:
    graphs: graph_parts.Graphs
    report: Report


def load_data(settings: Settings) -> Dataset:
    """Stage 1: the curated records (raises LoadError listing every problem)."""
    return load(settings.data_dir, load_codes(settings.ontology_dir))


def map_graphs(data: Dataset, settings: Settings) -> graph_parts.Graphs:
    """Stage 2: the four named graphs."""
    iris = Iris(settings.base)
    ontology = graph_parts.ontology_triples(settings.ontology_dir, iris) | country_triples(data, iris)
    curated = curated_triples(data, iris, settings.built_at.date(), load_classes(settings.ontology_dir))
    wikidata = graph_parts.wikidata_triples(settings.wikidata_dir)
    return graph_parts.assemble(ontology, curated, wikidata, iris, settings.built_at)


def check(graphs: graph_parts.Graphs, settings: Settings) -> Report:
    """Stage 3: SHACL over the curated graph and the vocabulary it refers to."""
    return validate(graphs["curated"] | graphs["ontology"], load_shapes(settings.shapes_dir))


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


def run(settings: Settings, progress: Progress = lambda _: None, write: bool = True) -> Built:
    """Run the stages; with `write`, publish into the output folder (stage 4)."""
    with without_cycle_collector():
        return _run(settings, progress, write)


def _run(settings: Settings, progress: Progress, write: bool) -> Built:
    progress(f"loading curated data from {settings.data_dir}")
    data = load_data(settings)
    progress(f"mapping {len(data.places)} places, {len(data.twinnings)} twinnings, {len(data.actors)} actors")
    graphs = map_graphs(data, settings)
    progress(f"validating {len(graphs['curated'])} curated triples against the SHACL shapes")
    report = check(graphs, settings)
    if not report.conforms:
        raise ValidationFailed(report)
    if write:
        report_ttl = ox.serialize(report.triples(), format=ox.RdfFormat.TURTLE,
                                  prefixes={"sh": "http://www.w3.org/ns/shacl#"})
        publish(graphs, report_ttl, Iris(settings.base), settings.built_at, settings.out_dir, progress)
    return Built(graphs, report)
