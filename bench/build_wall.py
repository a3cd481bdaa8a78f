"""`twinkg build` end to end, as a user runs it, against a peer build of other code in the same run.

    .venv/bin/python -m bench.build_wall --data data --runs 3 [--peer-src /path/to/old/src]

Each run is a fresh process writing into a new folder; with a peer, runs alternate
(peer, ours, peer, ours …) so both see the same load, and the ratio of their median
wall times is the figure to compare on a shared machine. CPU seconds are those of
the build and every process it started (getrusage of the children).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_build(data: Path, src: Path | None) -> dict[str, float]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    with tempfile.TemporaryDirectory(prefix="twinkg-build-wall-") as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "twinkg", "build", "--data", str(data), "--out", str(Path(tmp) / "dist")],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": round(wall, 2), "cpu": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2),
            "load": round(os.getloadavg()[0], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("data"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer-src", type=Path, default=None, help="a src/ folder of other twinkg code to run alternately")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"ours": [], "peer": []}
    for index in range(args.runs):
        for who in (("peer", "ours") if args.peer_src else ("ours",)):
            result = one_build(args.data, args.peer_src if who == "peer" else None)
            runs[who].append(result)
            print(f"run {index + 1} {who}: {result}", file=sys.stderr, flush=True)
    summary: dict[str, object] = {"runs": {k: v for k, v in runs.items() if v}}
    for who, results in runs.items():
        if results:
            summary[who] = {"wall_median": statistics.median(r["wall"] for r in results),
                            "cpu_median": statistics.median(r["cpu"] for r in results)}
    if args.peer_src:
        ours, peer = summary["ours"], summary["peer"]
        assert isinstance(ours, dict) and isinstance(peer, dict)
        summary["wall_ratio_ours_to_peer"] = round(ours["wall_median"] / peer["wall_median"], 2)
        summary["cpu_ratio_ours_to_peer"] = round(ours["cpu_median"] / peer["cpu_median"], 2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
