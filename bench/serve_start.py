"""`twinkg serve` start with nothing changed since the last build: seconds to the first 200 of /healthz.

Usage: .venv/bin/python -m bench.serve_start DIST [--runs 5] [--data DIR]
Starts `twinkg serve --out DIST --quiet` on a free loopback port --runs times (the first run loads the
store if DIST has none yet: run once more to see a reused store) and reports, per run, the wall
seconds from the command to the first 200 of /healthz, the CPU seconds the server and its workers
had used by then (what other users' load does not inflate), the load average, and the median wall
and CPU of the runs. It also times `import twinkg.cli` alone, wall and CPU, in a fresh interpreter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.endpoints import BIN, REPO, free_port, stop

TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(root: int) -> float:
    """CPU seconds (user + system) of `root` and its live descendants, from /proc."""
    parent_and_cpu: dict[int, tuple[int, float]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent_and_cpu[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += parent_and_cpu.get(pid, (0, 0.0))[1]
        todo += [child for child, (parent, _) in parent_and_cpu.items() if parent == pid]
    return total


def start_once(dist: Path, data: Path) -> tuple[float, float]:
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(BIN / "twinkg"), "serve", "--out", str(dist), "--data", str(data),
                             "--port", str(port), "--quiet"], stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"twinkg serve exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as resp:
                    if resp.status == 200:
                        return time.perf_counter() - t0, tree_cpu(proc.pid)
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.01)
    finally:
        stop(proc)


def import_cli() -> tuple[float, float]:
    code = ("import time; w, c = time.perf_counter(), time.process_time(); import twinkg.cli; "
            "print(time.perf_counter() - w, time.process_time() - c)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dist", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--data", type=Path, default=REPO / "data")
    args = parser.parse_args()
    walls, cpus = [], []
    for i in range(args.runs):
        wall, cpu = start_once(args.dist, args.data)
        walls.append(wall)
        cpus.append(cpu)
        print(f"start {i + 1}: {wall:.2f} s wall, {cpu:.2f} s CPU, load average {os.getloadavg()[0]:.1f}")
    print(f"start median: {statistics.median(walls):.2f} s wall, {statistics.median(cpus):.2f} s CPU")
    imports = [import_cli() for _ in range(args.runs)]
    print(f"import twinkg.cli median: {statistics.median(w for w, _ in imports):.2f} s wall, "
          f"{statistics.median(c for _, c in imports):.2f} s CPU")


if __name__ == "__main__":
    main()
