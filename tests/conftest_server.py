"""Helpers for the server tests: free ports, a real `twinkg serve` (or `oxigraph serve`) on loopback."""

from __future__ import annotations

import gzip
import os
import signal
import socket
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from twinkg.config import PROJECT_ROOT

from conftest import MINI

BIN = Path(sys.executable).parent
CONFORMANCE = PROJECT_ROOT / "tests" / "conformance" / "sparql11-protocol"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
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


def up_or_killed(url: str, proc: subprocess.Popen, seconds: float) -> None:
    """Wait until the server answers; if it does not (or the test is interrupted meanwhile), it is killed."""
    try:
        wait_until_up(url, proc, seconds)
    except BaseException:
        proc.kill()
        proc.wait()
        raise


def read_log(proc: subprocess.Popen) -> str:
    log = getattr(proc, "log_path", None)
    return Path(log).read_text(errors="replace")[-4000:] if log else ""


def children(pid: int) -> set[int]:
    """Direct child processes of pid (Linux /proc)."""
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:
            pass
    return out


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log_path: Path
    extra: dict = field(default_factory=dict)

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=kw.pop("timeout", 30), follow_redirects=False, **kw)

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


def stop_group(proc: subprocess.Popen) -> None:
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


def start_twinkg(out_dir: Path, data_dir: Path, log_dir: Path, *args: str, timeout_s: float = START_SECONDS,
                 port: int | None = None) -> Server:
    port = port or free_port()
    log_path = log_dir / f"serve-{port}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([str(BIN / "twinkg"), "serve", "--port", str(port), "--out", str(out_dir),
                             "--data", str(data_dir), *args],
                            stdout=log, stderr=subprocess.STDOUT, cwd=str(PROJECT_ROOT),
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    proc.log_path = log_path  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}"
    up_or_killed(url + "/healthz", proc, timeout_s)
    return Server(url, proc, log_path)


def start_oxigraph(location: Path, log_dir: Path, *args: str) -> Server:
    port = free_port()
    log_path = log_dir / f"oxigraph-{port}.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([str(BIN / "oxigraph"), "serve", "--location", str(location),
                             "--bind", f"127.0.0.1:{port}", *args], stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log_path  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}"
    up_or_killed(url + "/query?query=ASK%7B%7D", proc, 60)
    return Server(url, proc, log_path)


def write_dump(out_dir: Path, graphs: dict[str, str]) -> None:
    """A minimal output folder (twinkg.nq.gz + SHA256SUMS) holding N-Triples files as named graphs."""
    import hashlib

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


def mini_server(name: str, *args: str):  # type: ignore[no-untyped-def]
    """A module-scoped fixture: `twinkg serve` (with extra options) over the mini fixture's build."""

    @pytest.fixture(scope="module")
    def server(mini_build, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
        settings, _ = mini_build
        srv = start_twinkg(settings.out_dir, MINI, tmp_path_factory.mktemp(name), *args)
        srv.extra["out_dir"] = settings.out_dir
        yield srv
        srv.stop()

    return server


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
"""Debian's Chromium (installed by `make test`), never a downloaded one."""
ARTIFACTS = Path(__file__).parent / "artifacts"
"""Screenshots of the browser tests (gitignored)."""
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps"]
