"""A bounded load test on loopback: a few thousand requests, several at a time; no 5xx, bounded memory.

Bound: after a warm-up, the resident memory of the web process and of its query
workers together may grow by at most 40 MiB over 3,000 requests."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from support.processes import Server, children, mini_server, rss_kib

pytestmark = pytest.mark.slow

REQUESTS = 3000
CONCURRENCY = 8
RSS_BOUND_KIB = 40 * 1024
MIX = [
    ("GET", "/sparql", {"query": "SELECT ?p ?o WHERE { <https://w3id.org/twinkg/id/place/alpha-town> ?p ?o }"}),
    ("GET", "/sparql", {"query": "ASK { ?t a tw:Twinning ; tw:status ?s }", "format": "xml"}),
    ("GET", "/page/id/place/alpha-town", None),
    ("GET", "/id/twinning/alpha-town--beta-city", None),
    ("GET", "/data/id/place/gamma.ttl", None),
    ("GET", "/healthz", None),
    ("GET", "/sparql", {"query": "SELEKT"}),
    ("GET", "/dumps/twinkg.ttl", None),
]


server = mini_server("load", "--quiet")


def total_rss(pid: int) -> int:
    return rss_kib(pid) + sum(rss_kib(c) for c in children(pid))


async def hammer(url: str, n: int) -> tuple[dict[int, int], float]:
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)

    async def client() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=30) as c:
            while not queue.empty():
                method, path, params = MIX[queue.get_nowait() % len(MIX)]
                r = await c.request(method, path, params=params)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    return statuses, time.perf_counter() - start


def test_load(server: Server) -> None:
    asyncio.run(hammer(server.url, 300))  # warm-up
    before = total_rss(server.proc.pid)
    statuses, seconds = asyncio.run(hammer(server.url, REQUESTS))
    after = total_rss(server.proc.pid)
    print(f"{REQUESTS} requests in {seconds:.1f} s ({REQUESTS / seconds:.0f}/s), statuses {statuses}, "
          f"RSS {before} → {after} KiB")
    assert sum(statuses.values()) == REQUESTS
    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {200, 303, 400}
    assert after - before < RSS_BOUND_KIB
