"""The example queries of queries/ on a built dump: CPU and wall p50 per query, in process (pyoxigraph).

Usage: .venv/bin/python -m bench.example_queries DIST [--runs 5]
Loads DIST/twinkg.nq.gz into an on-disk store beside it (bench/work/example-queries-store, reused
while the dump is the same) and runs each query --runs times with the default graph as the union,
as `twinkg serve` does. CPU time is reported beside wall time because the machine is shared: the
CPU p50 is what other users' load does not inflate.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import shutil
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]


def store_for(dump: Path, work: Path) -> ox.Store:
    digest = hashlib.sha256(dump.read_bytes()).hexdigest()[:16]
    location = work / f"example-queries-store-{digest}"
    if not location.is_dir():
        for old in work.glob("example-queries-store-*"):
            shutil.rmtree(old)
        store = ox.Store(str(location))
        with gzip.open(dump, "rb") as f:
            store.bulk_load(f, format=ox.RdfFormat.N_QUADS)
        store.optimize()
        store.flush()
        del store
    return ox.Store.read_only(str(location))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dist", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = ROOT / "bench" / "work"
    work.mkdir(parents=True, exist_ok=True)
    store = store_for(args.dist / "twinkg.nq.gz", work)
    print(f"{'query':40s} {'rows':>7s} {'cpu p50 ms':>11s} {'wall p50 ms':>12s}")
    for path in sorted((ROOT / "queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        walls, cpus, rows = [], [], 0
        for _ in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            rows = len(list(store.query(text, use_default_graph_as_union=True)))  # type: ignore[arg-type]
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(f"{path.stem:40s} {rows:7d} {statistics.median(cpus) * 1000:11.1f} {statistics.median(walls) * 1000:12.1f}")


if __name__ == "__main__":
    main()
