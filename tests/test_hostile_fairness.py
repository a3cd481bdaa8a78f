"""A client's slowness fades with time: one heavy query does not keep its lookups in the slow lane for minutes;
the pages' own queries are scheduled like /sparql's, by their client's cost."""

from __future__ import annotations

import asyncio
import dataclasses

from twinkg.server.fairness import HALF_LIFE, FairStore, client_address
from twinkg.store import Answer, QueryRequest


@dataclasses.dataclass
class TimedStore:
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
    store = FairStore(inner, per_client=2, timeout=5, clock=clock)  # type: ignore[arg-type]

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
    store = FairStore(inner, per_client=2, timeout=5, clock=clock)  # type: ignore[arg-type]

    async def scenario() -> None:
        for _ in range(10):
            await _ask(store)
            clock.now += 3

    asyncio.run(scenario())
    assert inner.costs[1:] == ["heavy"] * 9, inner.costs
