"""Query checking: what a query does (twinkg.query_text), read off the event loop, apart from the stores.

Checking is not a store's job: one checker serves the server whatever store answers (embedded, remote,
in memory), so no store runs a second pool of its own. `WorkerChecker` parses in store-less worker
processes (never killed by a slow query, stopped at the timeout, started in the background so that the
server answers /healthz, pages and data meanwhile); `InProcessChecker` parses in the calling process, for
tests and in-process apps over a `MemoryStore`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from twinkg.query_text import QueryInfo, analyse
from twinkg.store.pool import EmbeddedStore, checker


class QueryChecker(Protocol):
    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def analyse(self, query: str, prefixes: dict[str, str] | None = None) -> QueryInfo:
        """What the query does; QueryRefused when it is no query."""
        ...


@dataclass
class WorkerChecker:
    """Two store-less worker processes that parse queries, one of them kept for short texts."""

    timeout: float
    startup_timeout: float
    memory_bytes: int | None = None
    _pool: EmbeddedStore | None = field(default=None, init=False, repr=False)

    async def start(self) -> None:
        """Start the workers in the background: a query to check waits for them as for a busy worker."""
        self._pool = checker(self.timeout, self.startup_timeout, self.memory_bytes)
        self._pool.fill()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    async def analyse(self, query: str, prefixes: dict[str, str] | None = None) -> QueryInfo:
        assert self._pool is not None, "start() the checker first"
        return await self._pool.analyse(query, prefixes)


class InProcessChecker:
    """Parses in the calling process (no timeout, no processes): for tests over a MemoryStore."""

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def analyse(self, query: str, prefixes: dict[str, str] | None = None) -> QueryInfo:
        return analyse(query, prefixes)
