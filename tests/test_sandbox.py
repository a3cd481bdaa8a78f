"""Query workers cannot open network connections: a network namespace of their own, or a warning."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from netguard import closed_port, listener

from twinkg import sandbox

pytestmark = pytest.mark.slow

PROBE = textwrap.dedent("""
    import socket, sys
    import pyoxigraph as ox
    from twinkg import sandbox
    from twinkg.sandbox import isolate_network

    port, as_user = int(sys.argv[1]), int(sys.argv[2])
    if as_user >= 0:  # drop root and with it every capability: only a user namespace is left
        import os
        os.setgroups([])
        os.setgid(as_user)
        os.setuid(as_user)
        import ctypes
        ctypes.CDLL(None).prctl(4, 1)  # PR_SET_DUMPABLE, cleared by setuid: an ordinary user's process is dumpable
        print("plain namespace refused:", os.strerror(sandbox._unshare(sandbox.CLONE_NEWNET)))
    why = isolate_network()
    print("isolated" if why is None else "not isolated: " + why)
    try:
        with socket.socket() as s:  # no name lookup: after dropping root, stdlib modules under /root are out of reach
            s.settimeout(2)
            s.connect(("127.0.0.1", port))
        print("socket: connected")
    except OSError as exc:
        print("socket:", exc.strerror)
    try:
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"))
        print("service: answered")
    except Exception as exc:
        print("service:", type(exc).__name__, str(exc).replace(str(port), "PORT"))
""")


def probe(port: int, as_user: int = -1) -> str:
    proc = subprocess.run([sys.executable, "-c", PROBE, str(port), str(as_user)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("who", ["as it runs", "unprivileged"])
def test_an_isolated_process_reaches_no_port_and_cannot_tell_open_from_closed(who: str) -> None:
    # As root (here and in CI) the plain network namespace is used; dropped to `nobody`, the user namespace.
    as_user = 65534 if who == "unprivileged" and os.getuid() == 0 else -1
    with listener() as open_port:
        seen_open = probe(open_port.port, as_user)
        seen_closed = probe(closed_port(), as_user)
        assert open_port.connections == 0
    if as_user >= 0:
        assert "plain namespace refused: Operation not permitted" in seen_open
    assert "\nisolated\n" in "\n" + seen_open, seen_open
    assert "service: OSError Network is unreachable" in seen_open
    assert "socket: Network is unreachable" in seen_open
    assert seen_open == seen_closed


def test_without_isolation_the_probe_does_connect() -> None:
    """The listener and the probe work: the same connection, not isolated, arrives."""
    with listener() as open_port:
        out = subprocess.run([sys.executable, "-c", PROBE.replace("why = isolate_network()", "why = 'skipped'"),
                              str(open_port.port), "-1"], capture_output=True, text=True, timeout=60)
        assert "socket: connected" in out.stdout
    assert open_port.connections >= 1


def test_where_the_system_forbids_namespaces_the_worker_warns_and_goes_on(capsys: pytest.CaptureFixture[str]) -> None:
    refused = {}

    def unshare(flags: int) -> int:
        refused[flags] = True
        return 1  # EPERM

    assert sandbox.isolate_or_warn("query worker", unshare) is False
    assert set(refused) == {sandbox.CLONE_NEWNET, sandbox.CLONE_NEWNET | sandbox.CLONE_NEWUSER}
    err = capsys.readouterr().err
    assert "warning: query worker can open network connections" in err and "Operation not permitted" in err


def test_a_query_worker_cannot_call_out_even_when_asked_directly(mini_build) -> None:  # type: ignore[no-untyped-def]
    """The second line of defence alone: a SERVICE query handed straight to a worker (no parse, no policy)."""
    import asyncio

    from twinkg.errors import StoreError
    from twinkg.store.base import QueryRequest
    from twinkg.store.loading import store_for_dump
    from twinkg.store.pool import EmbeddedStore

    settings, _ = mini_build

    async def ask(ports: list[int]) -> list[str]:
        pool = EmbeddedStore(store_for_dump(settings.out_dir), workers=1, timeout=20, fast_workers=0, startup_timeout=60)
        await pool.start()
        messages = []
        try:
            for port in ports:
                query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
                try:
                    await pool.run(QueryRequest(query, "text/tab-separated-values"))
                    messages.append("answered")
                except StoreError as exc:
                    messages.append(str(exc).replace(str(port), "PORT"))
        finally:
            await pool.close()
        return messages

    with listener() as open_port:
        seen = asyncio.run(ask([open_port.port, closed_port()]))
        assert open_port.connections == 0
    assert seen[0] == seen[1] == "the query failed with an input/output error"
