"""The embedded store: a pool of worker processes over one read-only on-disk store.

pyoxigraph has no query timeout, so a query that runs past its time has its
worker killed and replaced: the work really stops, and the other workers keep
answering meanwhile. This is why the pool is hand-written rather than a
`concurrent.futures` pool, which cannot kill one busy worker.

Extension points: `_spawn` (how a worker starts), `_run` (one query on one
worker, with its deadline), `_replace` (healing after a kill or a crash).
"""

from __future__ import annotations

import asyncio
import hashlib
import pickle
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from twinkg.errors import QueryTimeout, StoreBusy, StoreError, StoreUnavailable
from twinkg.store.base import Answer, QueryRequest, graph_names_of
from twinkg.store.worker import HEADER, Reply, frame


@dataclass(eq=False)
class _Worker:
    proc: asyncio.subprocess.Process

    async def ask(self, request: bytes) -> Reply:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(request)
        await self.proc.stdin.drain()
        (size,) = HEADER.unpack(await self.proc.stdout.readexactly(HEADER.size))
        reply: Reply = pickle.loads(await self.proc.stdout.readexactly(size))
        return reply

    def kill(self) -> None:
        if self.proc.returncode is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass


SLOW_MS = 50.0
"""A query whose last run took longer than this is slow: it may only use the slow lane's workers."""
SLOW_REMEMBERED = 10_000
"""How many slow queries the pool remembers (least recently seen out first)."""


@dataclass
class EmbeddedStore:
    """`workers` processes answer any query; `fast_workers` more are kept for fast ones.

    A query is slow when the same request last ran longer than SLOW_MS (or
    timed out): at most `workers` slow queries run at once, so a lookup never
    queues behind them (head-of-line blocking). A query not seen before counts
    as fast, so at worst the pool behaves as one of workers + fast_workers."""

    store_dir: Path
    workers: int
    timeout: float
    fast_workers: int
    _idle: asyncio.Queue[_Worker] = field(init=False, repr=False)
    _slow_lane: asyncio.Semaphore = field(init=False, repr=False)
    _slow: OrderedDict[bytes, None] = field(default_factory=OrderedDict, init=False, repr=False)
    _all: set[_Worker] = field(default_factory=set, init=False, repr=False)
    _graphs: frozenset[str] = field(default=frozenset(), init=False)
    _closing: bool = field(default=False, init=False)

    description = "embedded"
    follows_dump = True

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        self._slow_lane = asyncio.Semaphore(self.workers)
        await asyncio.gather(*(self._spawn() for _ in range(self.workers + self.fast_workers)))
        try:
            answer = await self.run(QueryRequest("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", "text/tab-separated-values",
                                                 union_default=False, max_rows=1_000_000))
        except StoreError as exc:
            raise StoreUnavailable(f"cannot list the graphs of {self.store_dir}: {exc}") from None
        self._graphs = graph_names_of(answer.body)

    async def _spawn(self) -> None:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "twinkg.store.worker", str(self.store_dir),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 20)
        worker = _Worker(proc)
        self._all.add(worker)
        self._idle.put_nowait(worker)

    async def graph_names(self) -> frozenset[str]:
        return self._graphs

    async def run(self, req: QueryRequest) -> Answer:
        request = frame(req)
        key = hashlib.blake2b(request, digest_size=16).digest()
        if key not in self._slow or not self.fast_workers:
            return await self._run(request, key)
        start = time.perf_counter()
        try:
            await asyncio.wait_for(self._slow_lane.acquire(), self.timeout)
        except asyncio.TimeoutError:
            raise self._busy() from None
        try:
            return await self._run(request, key, start)
        finally:
            self._slow_lane.release()

    def _busy(self) -> StoreBusy:
        return StoreBusy(f"every query worker stayed busy for {self.timeout:g} s; try again")

    def _note(self, key: bytes, elapsed_ms: float) -> None:
        if elapsed_ms > SLOW_MS:
            self._slow[key] = None
            self._slow.move_to_end(key)
            if len(self._slow) > SLOW_REMEMBERED:
                self._slow.popitem(last=False)
        else:
            self._slow.pop(key, None)

    async def _run(self, request: bytes, key: bytes, start: float | None = None) -> Answer:
        start = time.perf_counter() if start is None else start
        deadline = start + self.timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), max(0.001, deadline - time.perf_counter()))
        except asyncio.TimeoutError:
            raise self._busy() from None
        try:
            reply = await asyncio.wait_for(worker.ask(request), max(0.001, deadline - time.perf_counter()))
        except asyncio.TimeoutError:
            self._note(key, self.timeout * 1000)
            await self._replace(worker)
            raise QueryTimeout(f"the query ran longer than the {self.timeout:g} s limit and was stopped") from None
        except (asyncio.IncompleteReadError, ConnectionError, BrokenPipeError) as exc:
            await self._replace(worker)
            raise StoreUnavailable(f"the query worker failed: {exc!r}") from None
        except asyncio.CancelledError:  # the client went away mid-query: the worker's state is unknown
            await asyncio.shield(self._replace(worker))
            raise
        self._idle.put_nowait(worker)
        if isinstance(reply, StoreError):
            raise reply
        self._note(key, reply.elapsed_ms)
        return reply

    async def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._all.discard(worker)
        try:
            await asyncio.wait_for(worker.proc.wait(), 5)
        except asyncio.TimeoutError:
            pass
        if not self._closing:
            await self._spawn()

    async def close(self) -> None:
        self._closing = True
        for worker in list(self._all):
            if worker.proc.stdin is not None:
                worker.proc.stdin.close()
        for worker in list(self._all):
            try:
                await asyncio.wait_for(worker.proc.wait(), 2)
            except asyncio.TimeoutError:
                worker.kill()
                await worker.proc.wait()
        self._all.clear()
