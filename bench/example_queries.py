"""The example queries of queries/ on a built dump: CPU and wall p50 per query, in process (pyoxigraph), and maplib.

Usage: .venv/bin/python -m bench.example_queries DIST [--runs 5] [--maplib] [--work DIR]
Loads DIST/twinkg.nq.gz into an on-disk store in --work (default bench/work/example-queries-store-…,
reused while the dump is the same) and runs each query --runs times with the default graph as the union,
as `twinkg serve` does. CPU time is reported beside wall time because the machine is shared: the
CPU p50 is what other users' load does not inflate.

With --maplib the same run also loads DIST/twinkg.ttl (every graph merged) into maplib, the peer
engine of bench/endpoints.py, and runs each query --runs times there, in turns with pyoxigraph so
that both see the same load: maplib's wall p50 (it runs on several threads, so its CPU time is not
comparable), the ratio pyoxigraph/maplib of the wall p50s, and whether both return as many rows
(a ratio where they differ compares different answers).
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.endpoints import maplib_model
from twinkg.store.loading import bulk_load

ROOT = Path(__file__).resolve().parents[1]


def store_for(dump: Path, work: Path) -> ox.Store:
    digest = hashlib.sha256(dump.read_bytes()).hexdigest()[:16]
    location = work / f"example-queries-store-{digest}"
    if not location.is_dir():
        for old in work.glob("example-queries-store-*"):
            shutil.rmtree(old)
        bulk_load(str(dump), str(location))
    return ox.Store.read_only(str(location))


def timed(run: Callable[[str], int], text: str) -> tuple[float, float, int]:
    """Wall and CPU seconds of one run of the query `text`, and the rows it returned."""
    wall, cpu = time.perf_counter(), time.process_time()
    rows = run(text)
    return time.perf_counter() - wall, time.process_time() - cpu, rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dist", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--maplib", action="store_true", help="also run each query in maplib, in the same run")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work", help="folder for the store")
    args = parser.parse_args()
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    store = store_for(args.dist / "twinkg.nq.gz", work)
    model: Any = None
    if args.maplib:
        model, load_s = maplib_model(args.dist / "twinkg.ttl")
        print(f"maplib loaded {args.dist / 'twinkg.ttl'} in {load_s:.1f} s")
    print(f"{'query':32s} {'rows':>6s} {'cpu p50 ms':>11s} {'wall p50 ms':>12s}"
          + (f" {'maplib rows':>11s} {'maplib p50 ms':>14s} {'ratio':>7s}" if model is not None else ""))
    for path in sorted((ROOT / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        ours: list[tuple[float, float, int]] = []
        theirs: list[tuple[float, float, int]] = []
        for _ in range(args.runs):
            ours.append(timed(lambda q: len(list(store.query(q, use_default_graph_as_union=True))), text))  # type: ignore[arg-type]
            if model is not None:
                theirs.append(timed(lambda q: len(model.query(q)), text))
        wall = statistics.median(t[0] for t in ours) * 1000
        line = f"{path.stem:32s} {ours[-1][2]:6d} {statistics.median(t[1] for t in ours) * 1000:11.1f} {wall:12.1f}"
        if theirs:
            peer = statistics.median(t[0] for t in theirs) * 1000
            line += f" {theirs[-1][2]:11d} {peer:14.1f} {wall / peer:7.2f}" + ("" if theirs[-1][2] == ours[-1][2] else "  rows differ")
        print(line)


if __name__ == "__main__":
    main()
