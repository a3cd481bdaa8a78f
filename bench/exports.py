"""What the research exports and the compacted JSON-LD cost in the build, next to their peers.

Maps crawl x`scale` (bench/gen.py: the 2016 P190 crawl as curated YAML), then times, in one
process and one run: the RDF dumps (`publish.render_dumps`, the peer), the exports of the build
(`exports.render_exports`: tables read by SPARQL + CSV/CSVW + GraphML + GEXF), one
`--as-of` snapshot from the same tables, and the JSON-LD dump two ways: compacted by
`twinkg.jsonld` and expanded by pyoxigraph's serialiser (what the dump was before), and,
with `--pyld N`, pyld's compaction of the first N subjects (the library alternative).
Prints one JSON object.

    .venv/bin/python -m bench.exports [--scale 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
from pyld import jsonld as pyld_jsonld

from bench import gen
from bench.stages import Meter
from twinkg import build, jsonld
from twinkg.config import Settings
from twinkg.exports import render, render_exports
from twinkg.exports.tables import GraphTables, tables
from twinkg.graphs import store_of
from twinkg.publish import render_dumps
from twinkg.vocab import Iris


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--pyld", type=int, default=0, help="also time pyld.compact on the first N subjects")
    parser.add_argument("--dist", type=Path, default=None,
                        help="instead: time the exports' stages on an existing build's twinkg.nq.gz (e.g. the default build)")
    args = parser.parse_args()
    if args.dist is not None:
        print(json.dumps(on_build(args.dist)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        counts = gen.generate(data, args.scale)
        built_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        settings = Settings(data_dir=data, out_dir=Path(tmp) / "out", built_at=built_at)
        iris = Iris(settings.base)
        meter = Meter()
        graphs = meter.run("load+map", lambda: build.map_graphs(build.load_data(settings), settings))
        dumps = meter.run("rdf dumps (peer)", lambda: render_dumps(graphs, iris, built_at))
        store = meter.run("  store of the graphs (shared with SHACL)", lambda: store_of(graphs, iris))
        files = meter.run("exports (all formats)", lambda: render_exports(store, iris, built_at.date()))
        data_tables = meter.run("  of which: read tables", lambda: GraphTables(store, iris))
        snapshot = meter.run("snapshot --as-of 2021", lambda: render(tables(data_tables, dt.date(2021, 12, 31)), iris.base))
        nt = sorted(set().union(*graphs.values()), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        ctx = jsonld.context(graphs["ontology"])
        compacted = meter.run("jsonld compacted (twinkg.jsonld)", lambda: jsonld.compact_document(nt, ctx))
        meter.run("jsonld expanded (pyoxigraph, peer)", lambda: ox.serialize(nt, format=ox.RdfFormat.JSON_LD))
        if args.pyld:
            subjects = set()
            head = [t for t in nt if (subjects.add(t.subject) or True) and len(subjects) <= args.pyld]
            expanded = json.loads(ox.serialize(head, format=ox.RdfFormat.JSON_LD))
            meter.run(f"pyld.compact of {len(head)} triples", lambda: pyld_jsonld.compact(expanded, ctx))
    peer = meter.stages["rdf dumps (peer)"]["seconds"]
    result = {
        "scale": args.scale, "input": counts, "triples": sum(len(g) for g in graphs.values()),
        "rows": {name: data.count(b"\n") - 1 for name, data in files.items() if name.endswith(".csv")},
        "bytes": {name: len(data) for name, data in sorted(files.items())},
        "dump_bytes": {name: len(data) for name, data in sorted(dumps.items())},
        "snapshot_files": len(snapshot),
        "jsonld_compacted_bytes": len(compacted),
        "stages": meter.stages,
        "exports_vs_dumps": round(meter.stages["exports (all formats)"]["seconds"] / peer, 2),
    }
    print(json.dumps(result), file=sys.stdout)


def on_build(dist: Path) -> dict[str, object]:
    """The exports' stages, in CPU seconds, on a build that exists (the default build: curated + snapshots)."""
    import gzip
    import time

    data = gzip.decompress((dist / "twinkg.nq.gz").read_bytes())
    quad_list = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    iris = Iris()
    cpu: dict[str, float] = {}

    def timed(name, fn):  # type: ignore[no-untyped-def]
        start = time.process_time()
        value = fn()
        cpu[name] = round(time.process_time() - start, 2)
        return value

    def quad_store() -> ox.Store:
        store = ox.Store()
        store.bulk_extend(quad_list)
        return store

    store = timed("in-memory store of the quads", quad_store)
    data_tables = timed("read the tables (SPARQL)", lambda: GraphTables(store, iris))
    rows = timed("rows as of the build date", lambda: tables(data_tables, dt.date.today()))
    files = timed("render CSV/CSVW, GraphML, GEXF", lambda: render(rows, iris.base))
    return {"quads": len(quad_list), "links": len({r["twinning_id"] for r in rows.twinnings}),
            "rows": len(rows.twinnings), "places": len(rows.places), "events": len(rows.events),
            "cpu_seconds": cpu, "total_cpu_seconds": round(sum(cpu.values()), 2),
            "bytes": {k: len(v) for k, v in sorted(files.items())}}


if __name__ == "__main__":
    main()
