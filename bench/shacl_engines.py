"""SHACL engines side by side: the build's compiled engine, pyshacl (the reference) and the Rust engines on PyPI.

    .venv/bin/python -m bench.shacl_engines dist [--timeout 300]

Needs the test extra as well as the bench extra: the cases are those of
tests/test_shapes.py (tests/shapes/valid.ttl broken one way each, and the
updates that must keep it valid).

1. Every case, every engine: does it agree with pyshacl on conformance and on
   the set of (focus node, result path) of the results? An engine that raises
   on a case disagrees there (its error is counted by kind).
2. The default graph (the build's `dist/twinkg.nq.gz` without its meta graph,
   what `twinkg build` validates): each engine in a fresh process, its wall and
   CPU seconds and peak RSS (wait4 of that process), stopped after
   `--cpu-limit` CPU seconds or `--timeout` wall seconds (then the CPU seconds
   it had spent are a lower bound). Loading the data into the engine's own structure is counted:
   that is what the build would pay.

Engines: compiled (twinkg.validate, shapes compiled to SPARQL on pyoxigraph),
pyshacl, pyshacl-turbo (pySHACL-compatible API, Rust), shifty (package
pyshifty) and rudof (package pyrudof). All with inference off, as the build.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

ROOT = Path(__file__).resolve().parents[1]
SHAPES = ROOT / "shapes" / "twinkg.shapes.ttl"

Key = tuple[str, str]
"""(focus node, result path) of one result; blank nodes as _:blank."""
Outcome = tuple[bool, frozenset[Key]]


def _text(term: rdflib.term.Node | None) -> str:
    if term is None:
        return ""
    return "_:blank" if isinstance(term, rdflib.BNode) else str(term)


def _from_report(report: rdflib.Graph) -> Outcome:
    """Conformance and result keys of a W3C sh:ValidationReport (top-level results only)."""
    conforms = all(o.toPython() is True for o in report.objects(None, SH.conforms))
    keys = frozenset((_text(report.value(r, SH.focusNode)),
                      _text(p) if isinstance(p := report.value(r, SH.resultPath), rdflib.URIRef) else "")
                     for r in report.objects(None, SH.result))
    return conforms, keys


def run_compiled(nt: bytes, shapes: rdflib.Graph) -> Outcome:
    from twinkg.validate import validate
    report = validate(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES), shapes)
    return report.conforms, frozenset((r.focus, r.path) for r in report.results)


def run_pyshacl(nt: bytes, shapes: rdflib.Graph) -> Outcome:
    import pyshacl
    data = rdflib.Graph().parse(data=nt, format="nt")
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    assert isinstance(report, rdflib.Graph)
    return _from_report(report)


def run_turbo(nt: bytes, shapes: rdflib.Graph) -> Outcome:
    import pyshacl_turbo
    data = rdflib.Graph().parse(data=nt, format="nt")
    _, report, _ = pyshacl_turbo.validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    if not isinstance(report, rdflib.Graph):
        report = rdflib.Graph().parse(data=report, format="turtle")
    return _from_report(report)


def run_shifty(nt: bytes, shapes: rdflib.Graph) -> Outcome:
    import shifty
    data = rdflib.Graph().parse(data=nt, format="nt")
    _, report, _ = shifty.validate(data, shapes, infer=False)
    return _from_report(report)


def run_rudof(nt: bytes, shapes: rdflib.Graph) -> Outcome:
    import pyrudof
    rudof = pyrudof.Rudof()
    rudof.read_data(nt.decode(), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(shapes.serialize(format="turtle"), format=pyrudof.ShaclFormat.Turtle)
    rudof.validate_shacl()
    text = rudof.serialize_shacl_validation_results(format=pyrudof.ResultShaclValidationFormat.Turtle)
    return _from_report(rdflib.Graph().parse(data=text, format="turtle"))


ENGINES: dict[str, Callable[[bytes, rdflib.Graph], Outcome]] = {
    "compiled": run_compiled, "pyshacl": run_pyshacl, "pyshacl-turbo": run_turbo, "shifty": run_shifty, "rudof": run_rudof}


def cases() -> list[tuple[str, bytes]]:
    """Each case of tests/test_shapes.py as the N-Triples of its data graph."""
    sys.path.insert(0, str(ROOT / "tests"))
    import test_shapes as t

    base = rdflib.Graph()
    for path in ("ontology/twinkg.ttl", "ontology/concepts.ttl", "tests/shapes/valid.ttl"):
        base.parse(ROOT / path)
    out = []
    for name, update, *_ in [*t.CASES, *t.STILL_VALID]:
        data = rdflib.Graph()
        data += base
        for operation in (update,) if isinstance(update, str) else update:
            data.update(t.PREFIXES + operation)
        out.append((name, data.serialize(format="nt", encoding="utf-8")))
    return out


def agreement(shapes: rdflib.Graph) -> dict[str, dict[str, object]]:
    """Per engine: cases agreeing with pyshacl, the ones that do not, errors by kind, seconds over all cases."""
    reference: dict[str, Outcome] = {}
    table: dict[str, dict[str, object]] = {}
    all_cases = cases()
    order = ["pyshacl", *[e for e in ENGINES if e != "pyshacl"]]  # pyshacl first: its outcomes are the reference
    for engine in order:
        agree, differ, errors, seconds = 0, [], Counter(), 0.0
        for name, nt in all_cases:
            start = time.perf_counter()
            try:
                outcome = ENGINES[engine](nt, shapes)
            except Exception as exc:  # noqa: BLE001  # an engine that fails a case disagrees there
                errors[f"{type(exc).__name__}: {str(exc)[:120]}"] += 1
                differ.append(name)
                continue
            finally:
                seconds += time.perf_counter() - start
            if engine == "pyshacl":
                reference[name] = outcome
            if outcome == reference[name]:
                agree += 1
            else:
                differ.append(name)
        table[engine] = {"cases": len(all_cases), "agree": agree, "differ": differ, "errors": dict(errors),
                         "seconds_all_cases": round(seconds, 2)}
        print(f"cases {engine}: {agree}/{len(all_cases)} agree, {len(differ)} differ, {dict(errors)}", file=sys.stderr, flush=True)
    return table


def default_graph_nt(dist: Path) -> bytes:
    """The build's checked graphs (ontology, curated, wikidata) merged, as N-Triples."""
    quads = ox.parse(gzip.decompress((dist / "twinkg.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS)
    triples = {q.triple for q in quads if not q.graph_name.value.endswith("/graph/meta")}
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data


def one_engine(engine: str, nt_path: Path) -> None:
    """In a fresh process: validate the graph, print the outcome's size."""
    shapes = rdflib.Graph().parse(SHAPES)
    conforms, keys = ENGINES[engine](nt_path.read_bytes(), shapes)
    print(json.dumps({"conforms": conforms, "results": len(keys)}))


def timed_engine(engine: str, nt_path: Path, timeout: float, cpu_limit: int, src: Path | None = None) -> dict[str, object]:
    """One engine in its own process: its own wall, CPU and peak RSS (wait4 of that process), stopped after
    `timeout` wall seconds or `cpu_limit` CPU seconds (RLIMIT_CPU: a bound that means the same on a busy machine)."""
    start = time.perf_counter()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit))

    child = subprocess.Popen([sys.executable, "-m", "bench.shacl_engines", "--one", engine, str(nt_path)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=limit,
                             env={**os.environ, **({"PYTHONPATH": str(src)} if src else {})})
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > timeout:
            child.kill()
            pid, status, usage = os.wait4(child.pid, 0)
            break
        time.sleep(0.1)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = child.communicate()
    out: dict[str, object] = {"finished": child.returncode == 0, "wall": round(wall, 2),
                              "cpu": round(usage.ru_utime + usage.ru_stime, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024)}
    if child.returncode == 0:
        out |= json.loads(stdout.strip().splitlines()[-1])
    elif wall > timeout:
        out["note"] = f"stopped after {timeout:.0f} s wall"
    elif usage.ru_utime + usage.ru_stime >= cpu_limit:
        out["note"] = f"stopped after {cpu_limit} CPU s"
    else:
        out["note"] = (stderr.strip().splitlines() or ["no output"])[-1][:200]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dist", type=Path, nargs="?", help="a build's output folder (for the default graph)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="wall seconds per engine on the default graph")
    parser.add_argument("--cpu-limit", type=int, default=120, help="CPU seconds per engine on the default graph")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--skip-cases", action="store_true")
    parser.add_argument("--peer-src", type=Path, default=None,
                        help="a src/ folder of other twinkg code: its compiled engine is timed too, alternating with ours")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # the fresh process of one timed engine
    args, rest = parser.parse_known_args()
    if args.one:
        one_engine(args.one, Path(rest[0] if rest else args.dist))
        return
    engines = args.engines.split(",")
    shapes = rdflib.Graph().parse(SHAPES)
    summary: dict[str, object] = {}
    if not args.skip_cases:
        summary["cases"] = agreement(shapes)
    if args.dist:
        nt_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"twinkg-shacl-{os.getpid()}.nt"
        nt_path.write_bytes(default_graph_nt(args.dist))
        try:
            default: dict[str, object] = {}
            for engine in engines:
                default[engine] = timed_engine(engine, nt_path, args.timeout, args.cpu_limit)
                print(f"default graph {engine}: {default[engine]}", file=sys.stderr, flush=True)
                if engine == "compiled" and args.peer_src:
                    default["compiled (peer)"] = timed_engine(engine, nt_path, args.timeout, args.cpu_limit, args.peer_src)
                    print(f"default graph compiled (peer): {default['compiled (peer)']}", file=sys.stderr, flush=True)
            summary["default_graph"] = default
        finally:
            nt_path.unlink()
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
