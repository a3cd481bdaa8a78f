"""One way to start a real process on loopback and stop it: `twinkg serve`, `oxigraph serve`, Virtuoso.

For what only a real process shows: sockets and HTTP limits, memory, the sandbox, rebuilds, replicas, start-up,
the remote stores. A test about handlers uses `support.inprocess` instead (no process, no socket)."""

from __future__ import annotations

import gzip
import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from support.builds import MINI, PROJECT_ROOT, required

BIN = Path(sys.executable).parent
CONFORMANCE = PROJECT_ROOT / "tests" / "conformance" / "sparql11-protocol"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_up(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {read_log(proc)}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


def up_or_killed(url: str, proc: subprocess.Popen[bytes], seconds: float) -> None:
    """Wait until the server answers; if it does not (or the test is interrupted meanwhile), it is killed."""
    try:
        wait_until_up(url, proc, seconds)
    except BaseException:
        proc.kill()
        proc.wait()
        raise


def read_log(proc: subprocess.Popen[bytes]) -> str:
    log = getattr(proc, "log_path", None)
    return Path(log).read_text(errors="replace")[-4000:] if log else ""


def open_window(s: socket.socket) -> None:
    """Let a socket whose receive buffer was shrunk after connecting read at full speed again: Linux fixes the
    largest window it offers when the connection is made (from the buffer size then), so the buffer alone does
    not grow it back; the clamp does. A 4 KiB window reads the 4 MiB a server still had queued in 2 minutes."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_WINDOW_CLAMP, 4 << 20)


def children(pid: int) -> set[int]:
    """Direct child processes of pid (Linux /proc)."""
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


def cpu_ticks(pid: int) -> int:
    """CPU clock ticks (user + system) a process has used; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting for its parent does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def client(self, **kw: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=kw.pop("timeout", 30), follow_redirects=False, **kw)

    def request(self, method: str, path: str, timeout: float = 30, **kw: Any) -> httpx.Response:
        """One request on a connection of its own, closed after it: a test must not leave keep-alive
        connections behind, which the server counts against the client's connection limit."""
        with self.client(timeout=timeout) as c:
            return c.request(method, path, **kw)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def stop_group(proc: subprocess.Popen[Any]) -> None:
    """Stop a process started with `start_new_session=True` and everything it started (its process group),
    SIGTERM then SIGKILL after 20 s: on every path, so no server or child outlives its test.

    Background jobs of a non-interactive shell ignore SIGINT, hence SIGTERM."""
    for sig, seconds in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            proc.poll()
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
    proc.wait()


START_SECONDS = 240.0
"""How long a test waits for `twinkg serve` to answer: loading the default build's store alone (501k quads)
took 37 s at load average 15 on 2 cores, before the workers start."""


SMALL_POOL = ("--workers", "1", "--fast-workers", "0")
"""The query pool of a server whose test is not about the pool (one worker, no fast lane): a test that is
passes --workers or --fast-workers itself."""


def start_twinkg(out_dir: Path, data_dir: Path, log_dir: Path, *args: str, timeout_s: float = START_SECONDS,
                 port: int | None = None) -> Server:
    if "--workers" not in args and "--fast-workers" not in args:
        args = (*args, *SMALL_POOL)
    port = port or free_port()
    log_path = log_dir / f"serve-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(BIN / "twinkg"), "serve", "--port", str(port), "--out", str(out_dir),
                                 "--data", str(data_dir), *args],
                                stdout=log, stderr=subprocess.STDOUT, cwd=str(PROJECT_ROOT),
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
    proc.log_path = log_path  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}"
    up_or_killed(url + "/healthz", proc, timeout_s)
    return Server(url, proc, log_path)


def oxigraph_load(location: Path, files: list[Path]) -> None:
    """Load RDF files into a new Oxigraph store folder with `oxigraph load` (before `start_oxigraph`)."""
    subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location), "--file", *map(str, files)],
                   check=True, capture_output=True)


def start_oxigraph(location: Path, log_dir: Path, *args: str) -> Server:
    port = free_port()
    log_path = log_dir / f"oxigraph-{port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(BIN / "oxigraph"), "serve", "--location", str(location),
                                 "--bind", f"127.0.0.1:{port}", *args], stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log_path  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}"
    up_or_killed(url + "/query?query=ASK%7B%7D", proc, 60)
    return Server(url, proc, log_path)


VIRTUOSO = Path("/usr/bin/virtuoso-t")
VIRTUOSO_ISQL = Path("/usr/bin/isql-vt")
VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 10
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxSortedTopRows = 1000000
DirsAllowed = {db}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = {max_seconds}
"""


@dataclass
class RemoteStoreServer(Server):
    """A real SPARQL store on loopback: where to query, where to PUT graphs, where to send updates."""

    kind: str = "sparql11"
    query_path: str = "/query"
    store_path: str = "/store"
    update_path: str = "/update"

    @property
    def query_url(self) -> str:
        return self.url + self.query_path

    @property
    def store_url(self) -> str:
        return self.url + self.store_path

    @property
    def update_url(self) -> str:
        return self.url + self.update_path

    def serve_args(self) -> tuple[str, ...]:
        """The `twinkg serve` options that put it over this store."""
        return ("--sparql-endpoint", self.query_url, "--sparql-endpoint-kind", self.kind)

    def publish(self, out_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "twinkg"), "publish", "--to", self.store_url, "--update", self.update_url,
                               "--out", str(out_dir), *extra], capture_output=True, text=True, timeout=300, check=False)


def start_virtuoso(location: Path, log_dir: Path, max_seconds: int = 0) -> RemoteStoreServer:
    """OpenLink Virtuoso 7 (Debian's virtuoso-opensource-7-bin) with a new database in `location`.

    The anonymous SPARQL user may update (loopback only, for the tests); `max_seconds` is the store's own
    query time limit (0: none)."""
    required(VIRTUOSO, "Debian's virtuoso-opensource-7-bin (OpenLink Virtuoso)")
    location.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = location / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=location, sql_port=sql_port, http_port=http_port, max_seconds=max_seconds))
    log_path = log_dir / f"virtuoso-{http_port}.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(VIRTUOSO), "-f", "-c", str(ini)], cwd=location, stdout=log,
                                stderr=subprocess.STDOUT)
    proc.log_path = log_path  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{http_port}"
    try:
        wait_until_up(url + "/sparql?query=ASK%7B%7D", proc, 120)
        grant = subprocess.run([str(VIRTUOSO_ISQL), str(sql_port), "dba", "dba",
                                "exec=GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"],
                               capture_output=True, text=True, timeout=60, check=False)
        assert grant.returncode == 0, grant.stdout + grant.stderr
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return RemoteStoreServer(url, proc, log_path, kind="virtuoso", query_path="/sparql",
                             store_path="/sparql-graph-crud", update_path="/sparql")


def start_remote_store(kind: str, location: Path, log_dir: Path, query_seconds: int = 0) -> RemoteStoreServer:
    """A real store of one of the products twinkg is tested against: "oxigraph" or "virtuoso",
    with its own query time limit when query_seconds is given (what stops the work of a runaway query)."""
    if kind == "virtuoso":
        return start_virtuoso(location, log_dir, query_seconds)
    limit = ("--timeout-s", str(query_seconds)) if query_seconds else ()
    srv = start_oxigraph(location, log_dir, "--union-default-graph", *limit)
    return RemoteStoreServer(srv.url, srv.proc, srv.log_path)


REMOTE_STORES = ("oxigraph", "virtuoso")
"""The real SPARQL stores `publish` and `serve --sparql-endpoint` are tested against."""
STORES = ("embedded", *REMOTE_STORES)
STORE_SECONDS = 10
"""The remote stores' own query time limit under `twinkg serve`: it stops the work twinkg has given up on."""


def write_dump(out_dir: Path, graphs: dict[str, str]) -> None:
    """A minimal output folder (twinkg.nq.gz + SHA256SUMS) holding N-Triples files as named graphs."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lines = []
    for graph, ntriples in graphs.items():
        for line in ntriples.splitlines():
            line = line.strip()
            if line:
                assert line.endswith(".")
                lines.append(f"{line[:-1].rstrip()} <{graph}> .\n")
    data = gzip.compress("".join(lines).encode(), mtime=0)
    (out_dir / "twinkg.nq.gz").write_bytes(data)
    (out_dir / "SHA256SUMS").write_text(f"{hashlib.sha256(data).hexdigest()}  twinkg.nq.gz\n")


def store_param(kind: str) -> Any:
    """A parameter naming a store (STORES); a remote one marks its tests `remote_store` and `slow`."""
    return pytest.param(kind, marks=[pytest.mark.remote_store, pytest.mark.slow] if kind in REMOTE_STORES else [])


def mini_server(name: str, *args: str):  # type: ignore[no-untyped-def]
    """A module-scoped fixture: `twinkg serve` (with extra options) over the mini fixture's build, on the embedded
    store (the remote stores: tests/test_server_remote*.py and the protocol suite)."""

    @pytest.fixture(scope="module")
    def server(mini_build, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
        settings, _ = mini_build
        srv = start_twinkg(settings.out_dir, MINI, tmp_path_factory.mktemp(name), *args)
        srv.extra.update(store="embedded", out_dir=settings.out_dir)
        yield srv
        srv.stop()

    return server
