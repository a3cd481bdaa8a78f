"""The embedded store's pool heals itself, and one client cannot take it over, whatever its query text."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import resource
import signal
import statistics
import threading
import time

import httpx
import pytest
from support.processes import Server, children, mini_server

from twinkg.server.fairness import FairStore, client_address
from twinkg.store import Answer, QueryRequest, Store

pytestmark = pytest.mark.slow

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f } # "
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/twinkg/id/place/alpha-town> ?p ?o }"

LOOKUPS = 100
"""Lookups timed while the heavy clients run (or as many as 6 s allow): 400 or so were timed in 6 s before."""
server = mini_server("pool-fairness", "--workers", "2", "--fast-workers", "2", "--timeout", "5", "--quiet")


def wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def from_address(srv: Server, address: str) -> httpx.Client:
    return httpx.Client(base_url=srv.url, timeout=30, transport=httpx.HTTPTransport(local_address=address))


def test_pool_back_to_full_size_after_file_descriptors_ran_out(server: Server) -> None:
    pid = server.proc.pid
    workers = children(pid)
    assert len(workers) == 6  # 2 + 2 query workers, 2 workers that parse queries: every one heals
    soft, hard = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    try:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (3, hard))  # no new pipe, socket or file
        for worker in workers:
            os.kill(worker, signal.SIGKILL)
        # every restart fails meanwhile, and is retried
        assert wait_for(lambda: server.log().count("cannot start a query worker") >= 2 * len(workers), 30), server.log()
        assert children(pid) == set()
    finally:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (soft, hard))
    assert wait_for(lambda: len(children(pid)) == 6, 30), children(pid)
    assert server.get("/healthz").status_code == 200


def test_varied_heavy_queries_do_not_defeat_the_fast_lane(server: Server) -> None:
    stop = threading.Event()
    heavy_times: list[float] = []
    answered: set[str] = set()

    def heavy(address: str) -> None:
        with from_address(server, address) as c:
            while not stop.is_set():
                t0 = time.monotonic()
                c.get("/sparql", params={"query": HEAVY + str(random.random())})
                heavy_times.append(time.monotonic() - t0)
                answered.add(address)

    addresses = [f"127.0.0.{10 + i}" for i in range(4)]
    threads = [threading.Thread(target=heavy, args=(address,)) for address in addresses]
    for t in threads:
        t.start()
    lookups: list[float] = []
    try:
        # every heavy client has been seen to be heavy: its first query has run (slow)
        assert wait_for(lambda: answered == set(addresses), 60), answered
        with from_address(server, "127.0.0.2") as c:
            end = time.monotonic() + 6
            while time.monotonic() < end and len(lookups) < LOOKUPS:
                t0 = time.monotonic()
                r = c.get("/sparql", params={"query": LOOKUP})
                lookups.append(time.monotonic() - t0)
                assert r.status_code == 200, r.text
    finally:
        stop.set()
        for t in threads:
            t.join()
    print(f"lookup p50 {statistics.median(lookups) * 1000:.1f} ms over {len(lookups)}, "
          f"heavy p50 {statistics.median(heavy_times) * 1000:.0f} ms over {len(heavy_times)}")
    # Queued behind the heavy queries, a lookup would wait about as long as one of them.
    assert statistics.median(lookups) < statistics.median(heavy_times) / 10


@dataclasses.dataclass
class SlowStore(Store):
    """Answers after `seconds`, recording how many queries it runs at once and how each was marked."""

    seconds: float
    description: str = "slow"
    follows_dump: bool = False
    running: dict[str, int] = dataclasses.field(default_factory=dict)
    most: dict[str, int] = dataclasses.field(default_factory=dict)
    costs: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def graph_names(self) -> frozenset[str]:
        return frozenset()

    async def run(self, req: QueryRequest) -> Answer:
        who = client_address.get()
        self.running[who] = self.running.get(who, 0) + 1
        self.most[who] = max(self.most.get(who, 0), self.running[who])
        self.costs.append((who, req.cost))
        await asyncio.sleep(self.seconds)
        self.running[who] -= 1
        return Answer("text/csv", b"", elapsed_ms=self.seconds * 1000)


async def as_client(store: FairStore, address: str, query: str) -> str:
    client_address.set(address)
    await store.run(QueryRequest(query, "text/csv"))
    return address


def test_one_client_gets_at_most_its_share_and_is_known_by_cost_not_text() -> None:
    async def scenario() -> SlowStore:
        inner = SlowStore(0.2)
        fair = FairStore(inner, per_client=2, timeout=5)
        greedy = [asyncio.create_task(as_client(fair, "10.0.0.1", f"heavy #{i}")) for i in range(7)]
        await asyncio.sleep(0.05)
        await as_client(fair, "10.0.0.2", "lookup")  # another client is not held up by the greedy one
        await asyncio.gather(*greedy)
        return inner

    inner = asyncio.run(scenario())
    assert inner.most == {"10.0.0.1": 2, "10.0.0.2": 1}
    greedy = [cost for who, cost in inner.costs if who == "10.0.0.1"]
    # Its first query alone and unknown; once that one ran slow, the rest are heavy whatever their text.
    assert greedy[0] == "unknown" and set(greedy[1:]) == {"heavy"} and len(greedy) == 7
    assert inner.costs[1] == ("10.0.0.2", "unknown")  # it ran while the greedy client's first one did
