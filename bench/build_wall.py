"""`twinkg build` end to end, as a user runs it, against a peer build of other code and the floor, in the same run.

    .venv/bin/python -m bench.build_wall --data data --runs 3 [--peer-src /path/to/old/src]

Each run is a fresh process writing into a new folder; with a peer, runs alternate
(peer, ours, peer, ours …) so both see the same load, and the ratio of their median
wall times is the figure to compare on a shared machine. CPU seconds are those of
the build and every process it started (getrusage of the children).

The floor is what pyoxigraph alone spends on the same graph, in a fresh process
after each of our runs: parse the build's N-Quads and N-Triples dumps, serialise it once in each
dump format (Turtle, N-Triples, N-Quads, JSON-LD), gzip the two line formats
(zlib level 6, the standard library's gzip) and bulk-load it into an in-memory
store, one step after the other on one core. Its ratio to the build says how far
the build is from doing no more than that.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NQ, NT = "twinkg.nq.gz", "twinkg.nt.gz"


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; its wall seconds, CPU seconds (with every process it started) and standard output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, check=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, done.stdout


def one_build(data: Path, src: Path | None, floor: bool = False) -> dict[str, object]:
    """One build in a fresh folder; with `floor`, then the floor on its N-Quads dump."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    with tempfile.TemporaryDirectory(prefix="twinkg-build-wall-") as tmp:
        dist = Path(tmp) / "dist"
        wall, cpu, _ = timed([sys.executable, "-m", "twinkg", "build", "--data", str(data), "--out", str(dist)], env)
        result: dict[str, object] = {"wall": round(wall, 2), "cpu": round(cpu, 2), "load": round(os.getloadavg()[0], 1)}
        if floor:
            floor_wall, floor_cpu, out = timed([sys.executable, "-m", "bench.build_wall", "--floor-of", str(dist)],
                                               dict(os.environ))
            result["floor"] = {"wall": round(floor_wall, 2), "cpu": round(floor_cpu, 2), "steps": json.loads(out)}
    return result


def floor_steps(dist: Path) -> dict[str, float]:
    """The floor's steps on one build's dumps, CPU seconds each (this process, one core)."""
    import pyoxigraph as ox

    steps: dict[str, float] = {}

    def step(name: str, fn):  # type: ignore[no-untyped-def]
        start = time.process_time()
        value = fn()
        steps[name] = round(time.process_time() - start, 2)
        return value

    nquads, ntriples = step("gunzip", lambda: [gzip.decompress(p.read_bytes()) for p in (dist / NQ, dist / NT)])
    quads = step("parse_nq", lambda: list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)))
    triples = step("parse_nt", lambda: list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)))
    nt = step("serialise_nt", lambda: ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    nq = step("serialise_nq", lambda: ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    step("serialise_ttl", lambda: ox.serialize(triples, format=ox.RdfFormat.TURTLE))
    step("serialise_jsonld", lambda: ox.serialize(triples, format=ox.RdfFormat.JSON_LD))
    step("gzip_nt_nq", lambda: [gzip.compress(nt, compresslevel=6), gzip.compress(nq, compresslevel=6)])
    step("bulk_load", lambda: ox.Store().bulk_extend(quads))
    steps["quads"] = len(quads)
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer-src", type=Path, default=None, help="a src/ folder of other twinkg code to run alternately")
    parser.add_argument("--floor-of", type=Path, default=None, help=argparse.SUPPRESS)  # the floor's own process
    args = parser.parse_args()
    if args.floor_of:
        print(json.dumps(floor_steps(args.floor_of)))
        return
    runs: dict[str, list[dict[str, object]]] = {"ours": [], "peer": []}
    for index in range(args.runs):
        for who in (("peer", "ours") if args.peer_src else ("ours",)):
            result = one_build(args.data, args.peer_src if who == "peer" else None, floor=who == "ours")
            runs[who].append(result)
            print(f"run {index + 1} {who}: {result}", file=sys.stderr, flush=True)
    summary: dict[str, object] = {"runs": {k: v for k, v in runs.items() if v}}
    for who, results in runs.items():
        if results:
            summary[who] = {"wall_median": statistics.median(_number(r["wall"]) for r in results),
                            "cpu_median": statistics.median(_number(r["cpu"]) for r in results)}
    floors = [r["floor"] for r in runs["ours"]]
    floor = {"wall_median": statistics.median(_number(f["wall"]) for f in floors),  # type: ignore[index]
             "cpu_median": statistics.median(_number(f["cpu"]) for f in floors)}  # type: ignore[index]
    ours = summary["ours"]
    assert isinstance(ours, dict)
    summary["floor"] = floor
    summary["wall_ratio_ours_to_floor"] = round(ours["wall_median"] / floor["wall_median"], 2)
    summary["cpu_ratio_ours_to_floor"] = round(ours["cpu_median"] / floor["cpu_median"], 2)
    if args.peer_src:
        ours, peer = summary["ours"], summary["peer"]
        assert isinstance(ours, dict) and isinstance(peer, dict)
        summary["wall_ratio_ours_to_peer"] = round(ours["wall_median"] / peer["wall_median"], 2)
        summary["cpu_ratio_ours_to_peer"] = round(ours["cpu_median"] / peer["cpu_median"], 2)
    print(json.dumps(summary))


def _number(value: object) -> float:
    assert isinstance(value, (int, float))
    return float(value)


if __name__ == "__main__":
    main()
