"""Each compiled SHACL check on the build's own store, one after the other: CPU s, best of `--repeat`.

    .venv/bin/python -m bench.shacl_checks --data data [--shapes other.shapes.ttl]

The store is made as `twinkg build` makes it (the checked graphs as named graphs, loaded from their
N-Quads). With `--shapes`, the checks of another shapes file run on the same store too, alternating with the
project's, so that a rewritten constraint is timed against the one it replaces in the same process.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pyoxigraph as ox
import rdflib

from twinkg import build
from twinkg.cli import settings_from
from twinkg.graphs import CHECKED
from twinkg.publish import line_dumps
from twinkg.shacl_sparql import Check, compile_shapes
from twinkg.validate import _hierarchy, _run, load_shapes
from twinkg.vocab import Iris


def label(check: Check) -> str:
    if check.sparql:
        return f"sh:sparql on {check.focus}"
    return f"pass of {len(check.constraints)} constraint(s) over {check.query[check.query.index('WHERE'):][:90]}"


def timed(store: ox.Store, check: Check, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        _run(store, check)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--shapes", type=Path, default=None, help="another shapes file to time beside the project's")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    settings = settings_from(args.data, Path("/nonexistent"))
    with build.without_cycle_collector():
        data = build.load_data(settings)
        parts = build.map_data_graphs(data, settings)
        store = build.store_of_lines(line_dumps(dict(zip(CHECKED, parts, strict=True))), Iris(settings.base))
        hierarchy = _hierarchy(store)
        sets = {"project": compile_shapes(load_shapes(settings.shapes_dir), hierarchy)}
        if args.shapes is not None:
            sets["other"] = compile_shapes(rdflib.Graph().parse(args.shapes), hierarchy)
        for name, checks in sets.items():
            rows = sorted(((timed(store, c, args.repeat), label(c)) for c in checks), reverse=True)
            print(f"{name}: {len(checks)} checks, {sum(cpu for cpu, _ in rows):.2f} CPU s in all")
            for cpu, text in rows:
                print(f"  {cpu:6.3f}  {text}")


if __name__ == "__main__":
    main()
