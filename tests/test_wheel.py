"""The installable package: a wheel built with `python -m build`, installed into a fresh venv, run from an
empty folder with no checkout in sight, builds a graph, serves it and exports the network (issue 21).

Slow (a wheel, a venv and its dependencies from pip's cache, a build and a server): marked `slow`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from markupsafe import escape
from support.builds import MINI, PROJECT_ROOT
from support.processes import Server, free_port, stop_group, up_or_killed

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path, env: dict[str, str], timeout: float = 900) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_wheel_builds_serves_and_exports_outside_the_checkout(tmp_path: Path) -> None:
    dist, venv, empty = tmp_path / "wheelhouse", tmp_path / "venv", tmp_path / "empty"
    empty.mkdir()
    # nothing of the checkout on the path: no PYTHONPATH, no TWINKG_* defaults pointing into it
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith(("TWINKG_", "VIRTUAL_ENV"))}
    run(sys.executable, "-m", "build", "--outdir", dist, PROJECT_ROOT, cwd=tmp_path, env=env)
    wheel = next(dist.glob("twinkg-*.whl"))
    # A venv without pip of its own (ensurepip took 3.8 s of the test), filled by this interpreter's pip through
    # --python: the same install of the wheel and its dependencies into an environment that holds nothing else.
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path, env=env)
    # --no-compile: pip's byte-compiling of every installed module was half the install's CPU (about 6 s of 12.7 s);
    # what the test runs compiles on import as it would anyway
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "--quiet", "--no-compile", wheel,
        cwd=tmp_path, env=env)
    where = run(venv / "bin" / "python", "-c", "import twinkg; print(twinkg.__file__)", cwd=empty, env=env)
    assert str(venv) in where and str(PROJECT_ROOT / "src") not in where, where

    run(venv / "bin" / "twinkg", "build", "--data", MINI, cwd=empty, env=env)
    assert (empty / "dist" / "twinkg.nq.gz").is_file() and (empty / "dist" / "queries.json").is_file()
    run(venv / "bin" / "twinkg", "export", "--as-of", "2000", cwd=empty, env=env)
    assert (empty / "twinkg-2000" / "twinnings.csv").is_file()

    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(venv / "bin" / "twinkg"), "serve", "--port", str(port), "--data", str(MINI)],
                                cwd=empty, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    proc.log_path = log  # type: ignore[attr-defined]
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    try:
        up_or_killed(server.url + "/healthz", proc, 240)
        assert server.get("/healthz").json()["status"] == "ok"
        page = server.get("/page/id/place/alpha-town", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Alpha Town" in page.text, page.text[:500]
        answer = server.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?p a <https://w3id.org/twinkg/ontology#Place> }"},
                            headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200 and int(answer.json()["results"]["bindings"][0]["n"]["value"]) > 0
        context = server.get("/context.jsonld")
        assert context.status_code == 200 and json.loads(context.text) == json.loads((empty / "dist" / "context.jsonld").read_text())
        workbench = server.get("/query", headers={"Accept": "text/html"})
        examples = json.loads((empty / "dist" / "queries.json").read_text())
        assert examples and all(str(escape(e["title"])) in workbench.text for e in examples)
        assert server.get("/static/style.css").status_code == 200
    finally:
        stop_group(proc)
