"""The benchmark still runs: `bench/run.py --quick` end to end on a small input (no timing is asserted)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.builds import count, required
from support.processes import children, stop_group

from twinkg.config import Settings

pytestmark = [pytest.mark.slow, pytest.mark.bench]

REPO = Path(__file__).resolve().parents[1]
DEADLINE = 540
"""Seconds the quick run may take: about half a minute on a quiet 2-core machine, several times that on a loaded one."""
TWINNINGS = 60
"""The generated input's size (`--limit`)."""


@pytest.mark.timeout(DEADLINE + 60)
def test_quick_benchmark_runs(tmp_path: Path) -> None:
    required(REPO / "data" / "snapshots" / "wikidata-p190-2016", "the 2016 Wikidata P190 crawl")
    # The smallest input (one scale of 60 twinnings, where classic pyshacl takes seconds, not the half minute of
    # --quick's 300), endpoint measurements of 0.3 s, and classic pyshacl, the peer that may run out of time, cut
    # at 30 s: each part of the bench still runs once (larger inputs run the same code on more data).
    proc = subprocess.Popen([sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--scales", "1",
                             "--limit", str(TWINNINGS), "--duration", "0.3", "--classic-timeout", "30",
                             "--work", str(tmp_path)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        _, stderr = proc.communicate(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        stop_group(proc)
        pytest.fail(f"bench/run.py --quick took longer than {DEADLINE} s:\n{proc.communicate()[1][-3000:]}")
    finally:
        stop_group(proc)
    assert proc.returncode == 0, stderr[-3000:]
    results = json.loads((tmp_path / "results-quick.json").read_text())
    assert results["input"]["x1"]["twinnings"] == TWINNINGS
    assert set(results["build"]) == {"x1", "x1/pyshacl-classic"}
    stages = results["build"]["x1"]["stages"]
    assert {"load", "map", "validate", "render_dumps", "load_store"} <= set(stages)
    assert results["build"]["x1"]["counts"]["store_quads"] > 0
    classic = results["build"]["x1/pyshacl-classic"]
    if "violations" in classic:  # classic pyshacl may hit its time cap
        assert classic["violations"]["pyshacl"] == classic["violations"]["build_results"]
    else:
        assert classic["timeout_s"] == 30, classic
    for engines in results["shacl_correctness"].values():
        assert all(engines["agree_with_reference"].values()), engines
    oxigraph = results["endpoint"]["servers"]["oxigraph"]
    assert oxigraph["c1"]["requests"] > 0 and oxigraph["c1"]["errors"] == 0
    assert (tmp_path / "results-quick.md").read_text().startswith("Command:")


@pytest.mark.timeout(DEADLINE + 60)
def test_a_terminated_bench_stops_its_servers(tmp_path: Path) -> None:
    """SIGTERM to the bench (a CI job's timeout, a closed terminal) stops the servers it started on its own,
    before any process-group kill: none is left running with init as its parent."""
    log_path = tmp_path / "bench.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, str(REPO / "bench" / "run.py"), "--quick", "--parts", "endpoint",
                                 "--servers", "rdflib", "--work", str(tmp_path / "work")],
                                cwd=REPO, stdout=log, stderr=log, start_new_session=True)
    try:
        deadline = time.monotonic() + DEADLINE
        while not children(proc.pid) or "endpoint: starting rdflib" not in log_path.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log_path.read_text()[-3000:]
            time.sleep(0.2)
        started = children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        assert proc.returncode != 0
        assert not [pid for pid in started if Path(f"/proc/{pid}").exists()], log_path.read_text()[-3000:]
    finally:
        stop_group(proc)


def test_example_queries_and_serve_start_benches_run(curated_dist: Settings, built_store: ox.Store,
                                                    tmp_path: Path) -> None:
    """bench.example_queries and bench.serve_start on the curated build (no timing is asserted); the first
    reports each query's true number of rows."""
    out = curated_dist.out_dir
    done = subprocess.run([sys.executable, "-m", "bench.example_queries", str(out), "--runs", "1", "--work",
                           str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = {line.split()[0]: int(line.split()[1]) for line in done.stdout.splitlines()[1:]}
    assert rows == {p.stem: count(built_store.query(p.read_text(encoding="utf-8"), use_default_graph_as_union=True))
                    for p in (REPO / "queries").glob("*.rq")}
    done = subprocess.run([sys.executable, "-m", "bench.serve_start", str(out), "--runs", "1"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "start median:" in done.stdout and "import twinkg.cli median:" in done.stdout


@pytest.mark.timeout(DEADLINE)
def test_build_wall_bench_runs_with_a_peer() -> None:
    """bench.build_wall alternates two source trees (here the same one twice) and reports their ratio."""
    from support.builds import MINI

    done = subprocess.run([sys.executable, "-m", "bench.build_wall", "--data", str(MINI), "--runs", "1",
                           "--peer-src", str(REPO / "src")], cwd=REPO, capture_output=True, text=True, timeout=DEADLINE)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.splitlines()[-1])
    assert len(summary["runs"]["ours"]) == len(summary["runs"]["peer"]) == 1
    assert summary["ours"]["cpu_median"] > 0 and summary["wall_ratio_ours_to_peer"] > 0
