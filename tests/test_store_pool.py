"""The embedded store's pool: its start-up work has its own allowance, not the public query timeout; the
query-checking workers start after the pool answers."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pyoxigraph as ox
import pytest

from twinkg.config import Settings
from twinkg.errors import QueryTimeout
from twinkg.store import QueryRequest
from twinkg.store.checking import WorkerChecker
from twinkg.store.pool import EmbeddedStore

pytestmark = pytest.mark.slow

GRAPHS = 20_000


@pytest.fixture(scope="module")
def many_graphs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store of many named graphs: listing them takes far longer than a millisecond."""
    location = tmp_path_factory.mktemp("many-graphs") / "store"
    store = ox.Store(str(location))
    store.extend(ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), ox.NamedNode("https://example.org/p"),
                         ox.Literal(str(i)), ox.NamedNode(f"https://example.org/g{i}")) for i in range(GRAPHS))
    store.flush()
    del store
    return location


def test_start_up_is_not_held_to_the_query_timeout(many_graphs: Path) -> None:
    """A slow machine (or a short --timeout) must not stop the server from starting: the graph listing
    runs under the start-up allowance, while a public query is still held to the query timeout."""

    async def scenario() -> tuple[int, Exception | None]:
        pool = EmbeddedStore(many_graphs, workers=1, fast_workers=0, timeout=0.001,
                             startup_timeout=Settings.startup_timeout)
        try:
            await pool.start()
            graphs = len(await pool.graph_names())
            try:
                await pool.run(QueryRequest("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", "text/tab-separated-values",
                                            union_default=False, max_rows=1_000_000))
            except QueryTimeout as exc:
                return graphs, exc
            return graphs, None
        finally:
            await pool.close()

    graphs, stopped = asyncio.run(scenario())
    assert graphs == GRAPHS
    assert isinstance(stopped, QueryTimeout) and "0.001 s limit" in str(stopped)


def test_a_busy_worker_dies_with_a_killed_server(tmp_path: Path) -> None:
    """SIGKILL leaves the server no chance to stop its workers; one busy with a long query would run it to
    the end (its pipe is read only between queries). The kernel ends it with the server (PR_SET_PDEATHSIG)."""
    import subprocess
    import threading
    import time

    import httpx
    from support.builds import MINI
    from support.processes import BIN, alive, children, cpu_ticks, start_twinkg

    out = tmp_path / "dist"
    subprocess.run([str(BIN / "twinkg"), "build", "--data", str(MINI), "--out", str(out)], check=True, capture_output=True)
    srv = start_twinkg(out, MINI, tmp_path, "--quiet", "--timeout", "300", "--workers", "1")
    try:
        before = children(srv.proc.pid)
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"

        def ask() -> None:
            try:
                httpx.post(srv.url + "/sparql", data={"query": slow}, timeout=60)
            except httpx.HTTPError:  # the server is killed while it answers
                pass

        threading.Thread(target=ask, daemon=True).start()
        busy: set[int] = set()
        deadline = time.monotonic() + 30
        while not busy and time.monotonic() < deadline:  # a worker that has used CPU since the query came
            time.sleep(0.5)
            busy = {pid for pid in before if cpu_ticks(pid) > 50}
        assert busy, "no worker took up the slow query"
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in busy) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(pid) for pid in busy), "a busy worker outlived its server"
    finally:
        for pid in before:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        if srv.proc.poll() is None:
            srv.proc.kill()



def checking_workers() -> list[int]:
    """Live child processes of this one that only check queries (`python -m twinkg.store.worker`, no store)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError):
            continue
        if int(stat[1]) == os.getpid() and stat[0] != "Z" and argv[-2:] == [b"twinkg.store.worker", b""]:
            found.append(int(entry))
    return found


def test_checking_workers_start_after_the_pool_answers(tmp_path: Path) -> None:
    """The store runs no checking workers of its own (issue 21: checking is a service apart, one per server);
    the checker's `start` returns at once, so /healthz, pages and data do not wait for its workers (nor share
    the CPU with their start); the first query to check waits for them; one killed while it starts is started
    again; closing the checker right after it started leaves none of them running."""
    location = tmp_path / "store"
    ox.Store(str(location)).flush()
    before = set(checking_workers())  # those of an app another test of this process runs in process

    def ours() -> list[int]:
        return [pid for pid in checking_workers() if pid not in before]

    async def scenario() -> None:
        pool = EmbeddedStore(location, workers=1, fast_workers=0, timeout=30, startup_timeout=Settings.startup_timeout)
        checker = WorkerChecker(30, Settings.startup_timeout)
        try:
            await pool.start()
            await pool.run(QueryRequest("ASK {}", "text/tab-separated-values"))
            assert ours() == []  # the store starts none
            await checker.start()
            assert ours() == []
            info = await checker.analyse("SELECT * WHERE { ?s ?p ?o } LIMIT 3")
            assert (info.form, info.limit) == ("SELECT", 3)
            assert len(ours()) == 2
        finally:
            await checker.close()
            await pool.close()
        assert ours() == []
        checker = WorkerChecker(30, Settings.startup_timeout)
        try:
            await checker.start()
            while not ours():
                await asyncio.sleep(0.01)
            for pid in ours():  # killed while they start (or just after)
                os.kill(pid, signal.SIGKILL)
            assert (await checker.analyse("ASK {}")).form == "ASK"
        finally:
            await checker.close()
        checker = WorkerChecker(30, Settings.startup_timeout)
        await checker.start()
        await checker.close()
        assert ours() == []

    asyncio.run(scenario())
