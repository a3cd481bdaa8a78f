"""Every example of README.md, the docs/ pages and data/README.md is run, so a documented command cannot be wrong.

The convention (README.md, "Tests"): every fenced block whose info string is
`sh`, `python` or `sparql` is an example and is executed; nothing else is.
New examples are picked up by that alone. They run in document order in a
fresh copy of the repository's tracked files, with no build: the README's first
example, `make serve`, builds the graph as on a fresh clone (an example run
alone, with `-k`, gets a `twinkg build` first when nothing has built one yet):

* `sh` blocks run with bash (`set -euo pipefail`), the current `.venv/bin`
  first on PATH. A line that starts a server (`make serve`, `twinkg serve`,
  `oxigraph serve`) runs in the background; the next line waits until its
  port answers, and the block's servers are stopped when it ends. A block
  that queries `127.0.0.1:8080` without starting a server there gets a
  `twinkg serve` of the fresh build started by the test.
* `python` blocks run with the current interpreter; `sparql` blocks are
  evaluated on the build's `twinkg.nq.gz` (default graph = union), as the
  SPARQL endpoint does.
* The documented ports 8080 and 7878 and the folder `/srv/twinkg` are the
  only text rewritten: to free loopback ports and a temporary folder.
  `twinkg enrich` is pointed at the loopback Wikidata-shaped fixture through
  `TWINKG_WIKIDATA_ENDPOINT`, so no outside address is ever contacted.
* `make test` is the one command not run here: it is the command that runs
  this test, and CI runs it (`.ci/run`); the test checks that it does.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from support.builds import PROJECT_ROOT, count
from support.processes import BIN, Server, free_port, start_twinkg, stop_group

pytestmark = [pytest.mark.slow, pytest.mark.docs]

DOCUMENTS = ("README.md", "docs/research-exports.md", "docs/data-model.md", "docs/serving.md", "docs/deployment.md",
             "docs/wikidata.md", "docs/contributing.md", "data/README.md")
"""In the order the examples run: the README, its pages in the order it lists them, the curators' guide."""
EXECUTED = ("sh", "python", "sparql")
COVERED_ELSEWHERE = {"make test": ".ci/run"}
SERVER_LINE = re.compile(r"^\s*(make serve|twinkg serve|oxigraph serve)\b")
FENCE = re.compile(r"^```(\S*)\s*$")
COMMENT = re.compile(r"\s+#\s.*$")
BLOCK_SECONDS = 600
"""Most seconds one example may take: the README's `twinkg publish` of the default build (with the Wikidata
world network) ran more than 400 s at load average 15 on 2 cores (the store's one-transaction MOVE of the
72 MB wikidata graph)."""
SETUP_SECONDS = 300
"""The module's copy of the repository and Wikidata fixture, and the `twinkg build` an example may need first
(a build took 198 s at load average 15)."""
PORT_SECONDS = 300
"""Most seconds a server an example starts has to answer on its port (it may load the store first)."""


@dataclass(frozen=True)
class Example:
    document: str
    line: int
    kind: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"


def examples() -> list[Example]:
    found: list[Example] = []
    for document in DOCUMENTS:
        lines = (PROJECT_ROOT / document).read_text(encoding="utf-8").splitlines()
        start, kind = 0, None
        for number, line in enumerate(lines, 1):
            fence = FENCE.match(line)
            if not fence:
                continue
            if kind is None:
                start, kind = number, fence.group(1)
            else:
                if kind in EXECUTED:
                    found.append(Example(document, start, kind, "\n".join(lines[start:number - 1]) + "\n"))
                kind = None
    return found


EXAMPLES = examples()


@dataclass
class DocEnv:
    root: Path
    env: dict[str, str]
    ports: dict[str, str]

    def rewrite(self, text: str) -> str:
        for old, new in self.ports.items():
            text = text.replace(old, new)
        return text

    @property
    def port(self) -> int:
        return int(self.ports["127.0.0.1:8080"].rpartition(":")[2])


@pytest.fixture(scope="module")
def doc_env(tmp_path_factory: pytest.TempPathFactory, wikidata_endpoint: str) -> Iterator[DocEnv]:
    """A copy of the repository's tracked files (a fresh clone's content), not built: `make serve` builds it."""
    root = tmp_path_factory.mktemp("docs") / "twinkg"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    # The copy uses this interpreter's environment; dated so `make` does not reinstall it from the copy.
    (root / ".venv").symlink_to(BIN.parent)
    os.utime(root / "pyproject.toml", (0, 0))
    twinkg_port, store_port = free_port(), free_port()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "TWINKG_DATA": str(root / "data"), "TWINKG_OUT": str(root / "dist"),
           "TWINKG_WIKIDATA_ENDPOINT": wikidata_endpoint, "PORT": str(twinkg_port), "PYTHONUNBUFFERED": "1"}
    ports = {"127.0.0.1:8080": f"127.0.0.1:{twinkg_port}", "--port 8080": f"--port {twinkg_port}",
             "127.0.0.1:7878": f"127.0.0.1:{store_port}", "/srv/twinkg": str(root.parent / "srv-twinkg")}
    yield DocEnv(root, env, ports)


def builds_itself(example: Example) -> bool:
    """`make serve` builds the graph when there is none (README.md: "build the graph and serve it")."""
    return example.kind == "sh" and any(COMMENT.sub("", line).strip().startswith("make serve")
                                        for line in example.text.splitlines())


def ensure_built(doc: DocEnv) -> None:
    """A `twinkg build` of the copy, unless an example already built it."""
    if (doc.root / "dist" / "twinkg.nq.gz").is_file():
        return
    done = subprocess.run([str(BIN / "twinkg"), "build"], cwd=doc.root, env=doc.env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def shell_script(text: str, default_port: int) -> str:
    """The block as a bash script: server lines go to the background and the next line waits for them."""
    lines = [line for line in text.replace("\\\n", " ").splitlines() if line.strip()]
    out = ["set -euo pipefail",
           (f"wait_for() {{ for _ in $(seq {PORT_SECONDS * 10}); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; "
            "sleep 0.1; done; echo \"nothing answers on port $1\" >&2; return 1; }")]
    for line in lines:
        command = COMMENT.sub("", line).strip()
        if command in COVERED_ELSEWHERE:
            continue
        if SERVER_LINE.match(command):
            listen = re.search(r"--port (\d+)|--bind \S*:(\d+)", command)
            port = (listen.group(1) or listen.group(2)) if listen else str(default_port)
            out.append(f"{command.removesuffix('&').rstrip()} &")
            out.append(f"wait_for {port}")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def run_shell(example: Example, doc: DocEnv, log_dir: Path) -> None:
    script = shell_script(doc.rewrite(example.text), doc.port)
    needs_server = f"127.0.0.1:{doc.port}" in script and not any(
        SERVER_LINE.match(line) for line in script.splitlines() if "wait_for" not in line)
    server: Server | None = None
    if needs_server:
        server = start_twinkg(doc.root / "dist", doc.root / "data", log_dir, "--quiet", port=doc.port)
    out, err = log_dir / "stdout", log_dir / "stderr"
    with open(out, "wb") as stdout, open(err, "wb") as stderr:  # files, not pipes: servers outlive the script
        proc = subprocess.Popen(["bash", "-c", script], cwd=doc.root, env=doc.env, stdout=stdout, stderr=stderr,
                                start_new_session=True)
    try:
        try:
            proc.wait(timeout=BLOCK_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"{example.id} ran longer than {BLOCK_SECONDS} s:\n{script}\n"
                        f"{out.read_text(errors='replace')[-2000:]}\n{err.read_text(errors='replace')[-3000:]}")
        assert proc.returncode == 0, (f"{example.id} failed ({proc.returncode}):\n{script}\n"
                                      f"{out.read_text(errors='replace')[-2000:]}\n{err.read_text(errors='replace')[-3000:]}")
        if any(SERVER_LINE.match(line) for line in script.splitlines()):
            # The servers it started are still running (in its process group): they must answer.
            health = httpx.get(f"http://127.0.0.1:{doc.port}/healthz", timeout=30)
            assert health.status_code == 200, f"{example.id}: /healthz {health.status_code} {health.text}"
    finally:
        stop_group(proc)
        if server is not None:
            server.stop()


@pytest.mark.timeout(BLOCK_SECONDS + SETUP_SECONDS)
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_runs(example: Example, doc_env: DocEnv, tmp_path: Path) -> None:
    if not builds_itself(example):
        ensure_built(doc_env)
    if example.kind == "sh":
        run_shell(example, doc_env, tmp_path)
    elif example.kind == "python":
        done = subprocess.run([sys.executable, "-c", doc_env.rewrite(example.text)], cwd=doc_env.root,
                              env=doc_env.env, capture_output=True, text=True, timeout=BLOCK_SECONDS, check=False)
        assert done.returncode == 0, f"{example.id} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    else:
        store = ox.Store()
        store.bulk_load(gzip.decompress((doc_env.root / "dist" / "twinkg.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS)
        count(store.query(example.text, use_default_graph_as_union=True))  # a syntax error raises


def test_examples_are_found() -> None:
    """The convention picks up the README's blocks (and would pick up new ones), on every page of docs/."""
    assert {p.relative_to(PROJECT_ROOT).as_posix() for p in (PROJECT_ROOT / "docs").glob("*.md")} <= set(DOCUMENTS)
    kinds = {e.kind for e in EXAMPLES}
    assert {"sh", "sparql"} <= kinds, kinds
    assert any("twinkg publish" in e.text for e in EXAMPLES)
    assert builds_itself(EXAMPLES[0]), "the first example no longer builds the unbuilt copy (`make serve`)"
    for command, runner in COVERED_ELSEWHERE.items():
        assert command in (PROJECT_ROOT / runner).read_text(), f"{runner} no longer runs `{command}`"


def test_shell_script_backgrounds_servers() -> None:
    script = shell_script(textwrap.dedent("""\
        oxigraph serve --location x --bind 127.0.0.1:7 &
        twinkg publish --to http://127.0.0.1:7/store   # a comment
        make test
        """), 9)
    assert "oxigraph serve --location x --bind 127.0.0.1:7 &\nwait_for 7\ntwinkg publish --to http://127.0.0.1:7/store   # a comment\n" in script
    assert "make test" not in script
