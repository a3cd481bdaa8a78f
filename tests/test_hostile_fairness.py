"""A client's slowness fades with time: one heavy query does not keep its lookups in the slow lane for minutes;
the pages' own queries are scheduled like /sparql's, by their client's cost."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from twinkg.build import Built
from twinkg.config import Settings
from twinkg.graphs import quads
from twinkg.server.app import create_app
from twinkg.server.config import ServerConfig
from twinkg.server.fairness import HALF_LIFE, FairStore, client_address
from twinkg.store import Answer, QueryRequest, Store
from twinkg.store.memory import MemoryStore
from twinkg.vocab import Iris


@dataclasses.dataclass
class TimedStore(Store):
    """Answers at once, saying each query took what `took` says; records how each was marked."""

    took: list[float]
    description: str = "timed"
    follows_dump: bool = False
    costs: list[str] = dataclasses.field(default_factory=list)

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def graph_names(self) -> frozenset[str]:
        return frozenset()

    async def run(self, req: QueryRequest) -> Answer:
        self.costs.append(req.cost)
        return Answer("text/csv", b"", elapsed_ms=self.took.pop(0))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _ask(store: FairStore, address: str = "192.0.2.7") -> None:
    token = client_address.set(address)
    try:
        await store.run(QueryRequest("SELECT * WHERE { ?s ?p ?o }", "text/csv"))
    finally:
        client_address.reset(token)


def test_one_timed_out_query_penalises_an_address_for_about_half_a_minute() -> None:
    clock = Clock()
    inner = TimedStore(took=[5000.0, 2.0, 2.0, 2.0])
    store = FairStore(inner, per_client=2, timeout=5, clock=clock)

    async def scenario() -> None:
        await _ask(store)  # one heavy query: 5 s
        clock.now += 1
        await _ask(store)  # a second later: still heavy
        clock.now += 40  # 40 s without a query
        await _ask(store)
        await _ask(store)

    asyncio.run(scenario())
    assert inner.costs == ["unknown", "heavy", "light", "light"], inner.costs
    assert 5000 * 0.5 ** (40 / HALF_LIFE) < 50  # what the README says: about 33 s for a 5 s query


def test_a_client_that_keeps_running_heavy_queries_stays_heavy() -> None:
    clock = Clock()
    inner = TimedStore(took=[3000.0] * 10)
    store = FairStore(inner, per_client=2, timeout=5, clock=clock)

    async def scenario() -> None:
        for _ in range(10):
            await _ask(store)
            clock.now += 3

    asyncio.run(scenario())
    assert inner.costs[1:] == ["heavy"] * 9, inner.costs


@dataclasses.dataclass
class Recorder(Store):
    """A MemoryStore that records how each query was marked, and says a query with `# heavy` took 5 s."""

    inner: MemoryStore
    costs: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    description: str = "recorder"
    follows_dump: bool = False

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def graph_names(self) -> frozenset[str]:
        return await self.inner.graph_names()

    async def run(self, req: QueryRequest) -> Answer:
        self.costs.append((req.query, req.cost))
        answer = await self.inner.run(req)
        return dataclasses.replace(answer, elapsed_ms=5000.0 if "# heavy" in req.query else 1.0)


@pytest.fixture()
def pages(mini_build: tuple[Settings, Built]) -> Iterator[tuple[TestClient, Recorder]]:
    settings, built = mini_build
    recorder = Recorder(MemoryStore(quads(built.graphs, Iris(settings.base))))
    fair = FairStore(recorder, per_client=2, timeout=5)
    config = ServerConfig(store=fair, settings=settings, out_dir=settings.out_dir)
    with TestClient(create_app(config), follow_redirects=False) as c:
        yield c, recorder


def test_a_heavy_clients_page_views_are_kept_off_the_fast_lane_like_its_queries(
        pages: tuple[TestClient, Recorder]) -> None:
    client, recorder = pages
    assert client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } # heavy"}).status_code == 200
    recorder.costs.clear()
    for path in ("/places", "/", "/statistics"):
        assert client.get(path).status_code == 200, path
    assert recorder.costs and {cost for _, cost in recorder.costs} == {"heavy"}, recorder.costs


def test_a_search_flood_costs_the_store_nothing(pages: tuple[TestClient, Recorder]) -> None:
    client, recorder = pages
    assert "/page/id/place/alpha-town" in client.get("/search", params={"q": "alpha"}).text  # builds the index
    recorder.costs.clear()
    for q in ("xqz", "alp", "bet", "Alpha Town", "zzz", "gam"):
        assert client.get("/search", params={"q": q}).status_code == 200
    assert recorder.costs == []
