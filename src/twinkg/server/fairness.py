"""Fair use of the store whatever the query text: per-client concurrency and classification by cost.

The embedded store keeps a fast lane for queries not known to be slow, but
"the same query" is its exact text: a client that adds a random comment to
each heavy query would look new every time. So the cost is also remembered
per client address (a moving average of its queries' time that rises at once
and falls slowly): a client whose queries have been slow has its next ones
marked `heavy`, whatever their text, and kept off the fast lane. The cost also
fades with time (it halves every HALF_LIFE seconds the client runs nothing), so
one heavy query does not keep a researcher's lookups in the slow lane for
minutes: a query stopped at a 5 s timeout counts for about 33 s, a 500 ms one
for about 17 s. A client not
seen yet has one query at a time until one has finished (so a crowd of new
heavy clients takes one worker each, once); after that, at most `per_client`
at once (the rest wait, up to the timeout, then 503), so no client can take
every worker.

The client is the TCP peer address (a proxy in front makes every client one:
run replicas behind it, or give each its own limits there). `FairStore` wraps
any Store; `ClientAddress` (ASGI middleware) tells it who is asking"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from twinkg.errors import QueryTimeout, StoreBusy
from twinkg.store import Answer, Cost, QueryRequest, Store
from twinkg.store.pool import SLOW_MS

client_address: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="")
CLIENTS_REMEMBERED = 10_000
WEIGHT = 0.2
"""Weight of a fast query in a client's moving average of query time."""
HALF_LIFE = 5.0
"""Seconds in which a client's remembered query time halves (while it runs nothing slower)."""


class ClientAddress:
    """Sets `client_address` for the request being served (pure ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = client_address.set((scope.get("client") or ("", 0))[0])
        try:
            await self.app(scope, receive, send)
        finally:
            client_address.reset(token)


@dataclass
class _Client:
    running: asyncio.Semaphore
    first: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Held by the queries of a client not seen yet: one at a time until one has finished."""
    users: int = 0
    cost_ms: float = 0.0
    noted: float = 0.0
    """When cost_ms was last set (the store's clock)."""
    seen: bool = False

    def cost_at(self, now: float) -> float:
        """The remembered query time, faded by the time since it was noted."""
        return self.cost_ms * math.pow(0.5, max(0.0, now - self.noted) / HALF_LIFE)


@dataclass
class FairStore(Store):
    """A Store that marks the queries of heavy clients and bounds each client's concurrent queries."""

    inner: Store
    per_client: int
    timeout: float
    clock: Callable[[], float] = time.monotonic
    _clients: OrderedDict[str, _Client] = field(default_factory=OrderedDict, init=False, repr=False)
    description: str = field(init=False)
    follows_dump: bool = field(init=False)

    def __post_init__(self) -> None:
        self.description = self.inner.description
        self.follows_dump = self.inner.follows_dump

    def __getattr__(self, name: str) -> Any:
        """Whatever else a store offers is the wrapped store's (only `run` is scheduled here, and `select` runs `run`)."""
        return getattr(self.inner, name)

    async def start(self) -> None:
        await self.inner.start()

    async def close(self) -> None:
        await self.inner.close()

    async def graph_names(self) -> frozenset[str]:
        return await self.inner.graph_names()

    def _client(self, address: str) -> _Client:
        found = self._clients.get(address)
        if found is None:
            found = self._clients[address] = _Client(asyncio.Semaphore(self.per_client))
            while len(self._clients) > CLIENTS_REMEMBERED:  # forget the least recent idle client
                oldest = next((a for a, c in self._clients.items() if c.users == 0), None)
                if oldest is None:
                    break
                del self._clients[oldest]
        self._clients.move_to_end(address)
        return found

    async def run(self, req: QueryRequest) -> Answer:
        address = client_address.get()
        client = self._client(address)
        client.users += 1
        try:
            try:
                await asyncio.wait_for(client.running.acquire(), self.timeout)
            except TimeoutError:
                raise StoreBusy(f"this client already has {self.per_client} queries running; "
                                f"none finished within {self.timeout:g} s") from None
            held = False
            try:
                if not client.seen:  # one query at a time until one has finished
                    try:
                        await asyncio.wait_for(client.first.acquire(), self.timeout)
                    except TimeoutError:
                        raise StoreBusy(f"this client's first query did not finish within {self.timeout:g} s; "
                                        "try again") from None
                    held = True
                if req.cost == Cost.UNKNOWN and client.seen:  # judged when its turn comes, on what ran before it
                    req = dataclasses.replace(req, cost=Cost.HEAVY if client.cost_at(self.clock()) > SLOW_MS else Cost.LIGHT)
                try:
                    answer = await self.inner.run(req)
                except QueryTimeout:
                    self._note(client, self.timeout * 1000, self.clock())
                    raise
                self._note(client, answer.elapsed_ms, self.clock())
                return answer
            finally:
                if held:
                    client.first.release()
                client.running.release()
        finally:
            client.users -= 1

    @staticmethod
    def _note(client: _Client, ms: float, now: float) -> None:
        """A slow query counts at once; fast ones bring the cost down only slowly, so a heavy client cannot
        make itself look light with a few lookups between its heavy queries (time alone can)."""
        cost = client.cost_at(now)
        client.cost_ms = ms if ms > cost else WEIGHT * ms + (1 - WEIGHT) * cost
        client.noted = now
        client.seen = True
