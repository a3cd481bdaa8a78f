"""An in-memory store, evaluated in the server's own process: for tests and small graphs.

It has no timeout (a query runs to its end) and no worker processes, so it
lets route handlers be tested in process, with Starlette's test client.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from twinkg.store.base import Answer, QueryRequest, Store
from twinkg.store.results import evaluate


@dataclass
class MemoryStore(Store):
    quads: Iterable[ox.Quad] = ()
    follows_dump: bool = False
    """Set when the quads are the build's dump, to let the web layer cache what it renders."""
    _store: ox.Store = field(default_factory=ox.Store, init=False, repr=False)

    description = "memory"

    def __post_init__(self) -> None:
        self._store.extend(self.quads)
        self.quads = ()

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def graph_names(self) -> frozenset[str]:
        return frozenset(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))


    async def run(self, req: QueryRequest) -> Answer:
        start = time.perf_counter()
        answer = evaluate(self._store, req)
        answer.elapsed_ms = (time.perf_counter() - start) * 1000
        return answer
