"""One build, stage by stage, in this process: wall time and peak RSS of each stage.

Run by bench/run.py in a fresh subprocess per scale, so that each scale's
memory is its own. Prints one JSON object on its last line.

Peak RSS per stage: the kernel's high-water mark (VmHWM) is reset before each
stage by writing 5 to /proc/self/clear_refs, and read after it.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twinkg import build
from twinkg.config import Settings
from twinkg.exports import render_exports
from twinkg.graphs import CHECKED, GRAPH_NAMES, meta_triples, sizes_of, store_counts
from twinkg.publish import line_dumps, publish, render_dumps
from twinkg.store.loading import bulk_load
from twinkg.validate import Report, load_shapes
from twinkg.vocab import Iris


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


class Meter:
    def __init__(self) -> None:
        self.stages: dict[str, dict[str, float]] = {}

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        gc.collect()
        _reset_peak()
        before = _status_kb("VmRSS")
        start, cpu = time.perf_counter(), time.process_time()
        value = fn()
        seconds = time.perf_counter() - start
        self.stages[name] = {"seconds": round(seconds, 3), "cpu_seconds": round(time.process_time() - cpu, 3),
                             "peak_rss_mb": round(_status_kb("VmHWM") / 1024, 1),
                             "rss_before_mb": round(before / 1024, 1)}
        print(f"  {name}: {seconds:.2f} s, peak RSS {_status_kb('VmHWM') / 1024:.0f} MB", file=sys.stderr, flush=True)
        return value


def load_store(nq_gz: Path, store_dir: Path) -> int:
    """What `twinkg serve` does before answering: bulk-load the N-Quads dump into an on-disk store."""
    if store_dir.exists():
        shutil.rmtree(store_dir)
    bulk_load(str(nq_gz), str(store_dir))  # in process: what `serve`'s loading child runs
    return len(ox.Store.read_only(str(store_dir)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("work", type=Path, help="scratch folder for the dumps and the store")
    parser.add_argument("--validators", default="build",
                        help="comma-separated: build (twinkg.build.check, i.e. twinkg.validate), "
                             "pyshacl (classic pyshacl over an rdflib copy), none")
    parser.add_argument("--validate-only", action="store_true", help="stop after validation (no dumps, no store)")
    args = parser.parse_args()
    with build.without_cycle_collector():  # as `twinkg build` runs the stages (twinkg.build.run)
        measure(args)


def measure(args: argparse.Namespace) -> None:
    validators = [v for v in args.validators.split(",") if v and v != "none"]

    settings = Settings(data_dir=args.data, out_dir=args.work / "dist")
    meter = Meter()
    data = meter.run("load", lambda: build.load_data(settings))
    parts = meter.run("map", lambda data=data: build.map_data_graphs(data, settings))
    counts = {"places": len(data.places), "twinnings": len(data.twinnings),
              "events": sum(len(t.events) for t in data.twinnings), "actors": len(data.actors),
              "sources": len(data.sources)}
    del data
    violations: dict[str, int] = {}
    report = Report(())
    iris = Iris(settings.base)
    # As `twinkg build`: each graph's N-Triples once, the store (SHACL's and the exports') loaded from them,
    # then the dataset's description (meta) from the store's counts.
    lines = meter.run("lines", lambda: line_dumps(dict(zip(CHECKED, parts, strict=True))))
    store = meter.run("store", lambda: build.store_of_lines(lines, iris))
    checked = dict(zip(CHECKED, parts, strict=True))
    meta = meter.run("meta", lambda: meta_triples(sizes_of(checked), store_counts(store, iris, 0)[1], iris, settings.built_at))
    graphs = {name: meta if name == "meta" else checked[name] for name in GRAPH_NAMES}
    lines |= line_dumps({"meta": graphs["meta"]})
    counts |= {"triples": sum(len(g) for g in graphs.values()), "curated_triples": len(graphs["curated"])}
    if "build" in validators:
        report = meter.run("validate", lambda: build.check(store, settings))
        violations["build"] = sum(1 for r in report.results if r.severity == "Violation")
        violations["build_results"] = len(report.results)  # with warnings, as counted for pyshacl
    if "pyshacl" in validators:
        from bench import seeded
        shapes = load_shapes(settings.shapes_dir)
        data_triples = graphs["curated"] | graphs["ontology"]
        classic = meter.run("validate_pyshacl", lambda: seeded.pyshacl_report(data_triples, shapes))
        violations["pyshacl"] = len(seeded.pyshacl_keys(classic))  # every result, warnings too
        del data_triples
    if args.validate_only:
        print(json.dumps({"stages": meter.stages, "counts": counts, "violations": violations}))
        return
    report_ttl = ox.serialize(report.triples(), format=ox.RdfFormat.TURTLE, prefixes={"sh": "http://www.w3.org/ns/shacl#"})
    dumps = meter.run("render_dumps", lambda graphs=graphs: render_dumps(graphs, iris, settings.built_at, lines))
    exports = meter.run("render_exports", lambda: render_exports(store, iris, settings.built_at.date()))
    meter.run("publish", lambda graphs=graphs: publish(dumps | exports, report_ttl, graphs, iris, settings.out_dir))
    del graphs
    quads = meter.run("load_store", lambda: load_store(settings.out_dir / "twinkg.nq.gz", args.work / "store"))
    counts["store_quads"] = quads
    dump_sizes = {p.name: p.stat().st_size for p in settings.out_dir.iterdir() if p.is_file()}
    print(json.dumps({"stages": meter.stages, "counts": counts, "violations": violations, "dumps": dump_sizes}))


if __name__ == "__main__":
    main()
