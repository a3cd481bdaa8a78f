"""twinkg benchmark: one command for the whole measurement (see bench/RESULTS.md).

    .venv/bin/python bench/run.py            # full run (about an hour on 2 cores)
    .venv/bin/python bench/run.py --quick    # CI smoke run: small input, every part once, < 2 minutes

Parts: input generation (bench/gen.py), the build stage by stage at each scale
(bench/stages.py: twinkg.build's own stages, one subprocess per scale), classic
pyshacl as the SHACL peer (bounded by --classic-timeout) and SHACL correctness on
a seeded-bad graph (bench/seeded.py), the SPARQL endpoints and pages
(bench/endpoints.py, bench/client.py) and enrichment. Everything generated
goes under bench/work/ (gitignored); the figures go to
bench/work/results.json and bench/work/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import gen  # noqa: E402
from bench.report import render  # noqa: E402

WORK = REPO / "bench" / "work"
PYTHON = sys.executable


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict:
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    versions = {}
    for pkg in ("pyoxigraph", "oxigraph", "rdflib", "pyshacl", "ruamel.yaml", "PyYAML", "maplib",
                "rdflib-endpoint", "uvicorn", "starlette"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = "not installed"
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), cpu)
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "versions": versions, "commit": commit,
            "loadavg_at_start": os.getloadavg()}


def curated_loads() -> bool:
    """Whether data/ loads on its own (then it is copied into every scale, so queries/ find their facts)."""
    from twinkg import build
    from twinkg.config import Settings
    try:
        build.load_data(Settings(data_dir=REPO / "data"))
        return True
    except Exception:  # noqa: BLE001 - a broken data/ just stays out of the bench input
        return False


def generate(scales: list[int], limit: int | None, with_curated: bool) -> dict:
    out = {}
    for scale in scales:
        target = WORK / f"crawl-x{scale}"
        t0 = time.perf_counter()
        counts = gen.generate(target, scale, limit=limit)
        if with_curated:
            for path in sorted((REPO / "data").glob("*.yaml")):
                shutil.copy(path, target / f"curated-{path.name}")
        counts["bytes"] = sum(p.stat().st_size for p in target.glob("*.yaml"))
        counts["seconds"] = round(time.perf_counter() - t0, 2)
        log(f"generated x{scale}: {counts}")
        out[f"x{scale}"] = counts
    return out


def stage_run(scale: int, name: str, validators: str, timeout: float, validate_only: bool = False) -> dict:
    """One build of crawl x`scale` in a fresh process (bench/stages.py), killed after `timeout` seconds."""
    data = WORK / f"crawl-x{scale}"
    work = WORK / f"run-x{scale}-{name}"
    args = [PYTHON, "-m", "bench.stages", str(data), str(work), "--validators", validators]
    if validate_only:
        args.append("--validate-only")
    log(f"build x{scale} ({name}, validators {validators})")
    t0 = time.perf_counter()
    try:
        done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")
        log(f"  timed out after {timeout:.0f} s; stages done: {err.strip()}")
        return {"timeout_s": timeout, "stderr": err[-2000:]}
    sys.stderr.write(done.stderr)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = round(time.perf_counter() - t0, 2)
    return result


def shacl_correctness() -> dict:
    """Seeded faults in the curated data: does the build's validator report exactly what classic pyshacl reports?"""
    from bench import seeded
    from twinkg import build
    from twinkg.config import Settings
    from twinkg.validate import load_shapes, validate
    settings = Settings(data_dir=REPO / "data")
    # the curated graph as text, parsed here: the Wikidata graph (most of a whole mapping's time) is not checked
    ontology, curated, _ = build.map_data_lines(build.load_data(settings), settings)
    bad, faults = seeded.seed_faults(build.parsed(curated) | ontology)
    shapes = load_shapes(settings.shapes_dir)
    t0 = time.perf_counter()
    ours = seeded.build_keys(validate(bad, shapes))
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    reference = seeded.pyshacl_keys(seeded.pyshacl_report(bad, shapes))
    pyshacl_s = time.perf_counter() - t0
    out = {"curated data/ + seeded faults": {
        "faults": len(faults), "triples": len(bad), "results": {"build": len(ours), "pyshacl": len(reference)},
        "seconds": {"build": round(build_s, 3), "pyshacl": round(pyshacl_s, 3)},
        "agree_with_reference": {"build": ours == reference},
        "only_build": sorted(map(list, ours - reference))[:10], "only_pyshacl": sorted(map(list, reference - ours))[:10]}}
    log(f"shacl seeded: {out['curated data/ + seeded faults']['results']} agree {ours == reference}")
    return out


def exit_on_signal(signum: int, _frame: object) -> None:
    """SIGTERM or SIGHUP end the run like an error does: `finally` blocks and atexit stop the servers."""
    raise SystemExit(128 + signum)


def main() -> None:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, exit_on_signal)
    parser = argparse.ArgumentParser(description="twinkg benchmark")
    parser.add_argument("--quick", action="store_true", help="CI smoke run: small input, everything once, < 2 min")
    parser.add_argument("--scales", default=None, help="comma-separated growth factors (default 1,2,4,8,16)")
    parser.add_argument("--parts", default="build,shacl,endpoint,enrich", help="which parts to run")
    parser.add_argument("--duration", type=float, default=None, help="seconds per endpoint measurement")
    parser.add_argument("--limit", type=int, default=None,
                        help="twinnings of the generated input at x1 (default: all; 300 with --quick)")
    parser.add_argument("--servers", default="twinkg,oxigraph,rdflib,maplib")
    parser.add_argument("--stage-timeout", type=float, default=900.0)
    parser.add_argument("--classic-timeout", type=float, default=300.0, help="cap for classic pyshacl at x1")
    parser.add_argument("--work", type=Path, default=None, help="folder for generated input and output (default bench/work)")
    args = parser.parse_args()
    global WORK
    if args.work is not None:
        WORK = args.work.resolve()
    quick = args.quick
    scales = [int(s) for s in (args.scales or ("1,2" if quick else "1,2,4,8,16")).split(",")]
    parts = set(args.parts.split(","))
    if quick:
        parts.discard("enrich")
    duration = args.duration or (1.0 if quick else 15.0)
    limit = args.limit if args.limit is not None else (300 if quick else None)
    WORK.mkdir(parents=True, exist_ok=True)

    results: dict = {"command": "python bench/run.py" + (" --quick" if quick else "") + "".join(
        f" {a}" for a in sys.argv[1:] if a != "--quick"), "quick": quick, "machine": machine()}
    started = time.perf_counter()
    with_curated = curated_loads()
    results["curated_included"] = with_curated
    results["input"] = generate(scales, limit, with_curated)

    if "build" in parts:
        build: dict = {}
        for scale in scales:
            build[f"x{scale}"] = stage_run(scale, "build", "build", args.stage_timeout)
            peak = max((s.get("peak_rss_mb", 0) for s in build[f"x{scale}"].get("stages", {}).values()), default=0)
            if peak > 8000:
                log(f"x{scale} peaked at {peak:.0f} MB: larger scales skipped")
                break
        # classic pyshacl, the peer: a separate process, killed after --classic-timeout
        scale = scales[0]
        build[f"x{scale}/pyshacl-classic"] = stage_run(scale, "pyshacl", "build,pyshacl",
                                                       min(args.classic_timeout, 90.0) if quick else args.classic_timeout,
                                                       validate_only=True)
        results["build"] = build
    if "shacl" in parts:
        results["shacl_correctness"] = shacl_correctness()
    if "endpoint" in parts:
        from bench.endpoints import measure_endpoints
        scale = scales[0]
        dist = WORK / f"run-x{scale}-build" / "dist"
        if "build" not in parts or not (dist / "twinkg.nq.gz").is_file():  # dumps of exactly this input
            stage_run(scale, "build", "none", args.stage_timeout)
        servers = args.servers.split(",")
        if not (REPO / "src" / "twinkg" / "server").is_dir():
            servers = [s for s in servers if s != "twinkg"]
        results["endpoint"] = measure_endpoints(dist, WORK / f"crawl-x{scale}", WORK / "endpoint", duration, log, servers)
        results["endpoint"]["scale"] = scale
    if "enrich" in parts:
        from bench.endpoints import measure_enrichment
        try:
            results["enrich"] = measure_enrichment(WORK / "crawl-x1", WORK / "enrich", log)
        except Exception as exc:  # noqa: BLE001
            results["enrich"] = {"error": str(exc)}
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    name = "results-quick" if quick else "results"
    if parts != {"build", "shacl", "endpoint", "enrich"} and not quick:
        name += "-" + "-".join(sorted(parts))
    (WORK / f"{name}.json").write_text(json.dumps(results, indent=2))
    (WORK / f"{name}.md").write_text(render(results))
    log(f"done in {results['total_seconds']} s: {WORK / (name + '.md')}")


if __name__ == "__main__":
    main()
