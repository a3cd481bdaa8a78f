"""The embedded store: a pool of worker processes over one read-only on-disk store.

pyoxigraph has no query timeout, so a query that runs past its time has its
worker killed and replaced: the work really stops, and the other workers keep
answering meanwhile. This is why the pool is hand-written rather than a
`concurrent.futures` pool, which cannot kill one busy worker.

Extension points: `_spawn` (how a worker starts), `_run` (one query on one
worker, with its deadline), `_watch` (healing: however a worker ends, another
is started, retrying with backoff while the system refuses, e.g. when file
descriptors run out).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import logging
import os
import pickle
import resource
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from cachetools import LRUCache

from twinkg.errors import QueryTimeout, QueryTooLarge, StoreBusy, StoreError, StoreUnavailable
from twinkg.forked import die_with_parent
from twinkg.query_text import QueryInfo
from twinkg.store.base import Answer, Cost, QueryRequest, Store, graph_names_of
from twinkg.store.worker import HEADER, Check, Reply, frame


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


log = logging.getLogger("twinkg.store")

SLOW_MS = 50.0
"""A query whose last run took longer than this is slow: it may only use the slow lane's workers."""
SLOW_REMEMBERED = 10_000
"""How many slow queries the pool remembers (least recently seen out first)."""
CHECKS_REMEMBERED = 1_000
"""How many query checks (parses) a checking pool keeps: a repeated query is not parsed again."""
LIGHT_CHECK_CHARS = 8_192
"""A query text up to this long parses within tens of milliseconds (bench/RESULTS.md) on any checking worker; a
longer one (parse time grows with the text: seconds for 1 MiB) waits for the one slow-lane checking worker."""
WORKER_ENDED = "the query worker ended while it answered this query; the query was stopped, try again"
"""What a client is told when a worker dies: a plain sentence (what it died of goes to the log, not the client)."""
RESPAWN_BACKOFF = (0.05, 5.0)
"""First and longest wait between attempts to start a worker that could not start (doubling in between)."""


def _key(request: bytes) -> bytes:
    """What the pool remembers a framed request by (whether it ran slow or fast)."""
    return hashlib.blake2b(request, digest_size=16).digest()


@dataclass
class EmbeddedStore(Store):
    """`workers` processes answer any query; `fast_workers` more are kept for fast ones.

    A query takes the slow lane when its same request last ran longer than
    SLOW_MS (or timed out), or when the caller marks it `heavy` (its client's
    queries have been slow, whatever their text: server.fairness): at most
    `workers` slow queries run at once, so a lookup never queues behind them
    (head-of-line blocking). Any other query may take any worker."""

    store_dir: Path | None
    """None: workers without a store that only check queries (`analyse`)."""
    workers: int
    timeout: float
    fast_workers: int
    startup_timeout: float
    """Seconds for start-up work (a worker starting, listing the graphs): not held to the query `timeout`."""
    memory_bytes: int | None = None
    """Address space of each worker (RLIMIT_AS): a query that needs more ends its worker, not the machine."""
    _idle: asyncio.Queue[_Worker] = field(init=False, repr=False)
    _slow_lane: asyncio.Semaphore = field(init=False, repr=False)
    _slow: LRUCache[bytes, None] = field(default_factory=lambda: LRUCache(SLOW_REMEMBERED), init=False, repr=False)
    _all: set[_Worker] = field(default_factory=set, init=False, repr=False)
    _graphs: frozenset[str] = field(default=frozenset(), init=False)
    _checked: LRUCache[bytes, QueryInfo] = field(default_factory=lambda: LRUCache(CHECKS_REMEMBERED), init=False,
                                                 repr=False)
    _filling: asyncio.Future[list[None]] | None = field(default=None, init=False, repr=False)
    """A checker's start in the background (`fill`), begun once the store's query workers answer: the server
    answers /healthz, pages and data without waiting for it (nor sharing the CPU with it meanwhile); a query
    to check waits for a checking worker as for any busy worker."""
    _closing: bool = field(default=False, init=False)
    _respawning: set[asyncio.Task[None]] = field(default_factory=set, init=False, repr=False)

    description = "embedded"
    follows_dump = True

    def _prepare(self) -> None:
        self._idle = asyncio.Queue()
        self._slow_lane = asyncio.Semaphore(self.workers)

    async def start(self) -> None:
        self._prepare()
        await asyncio.gather(*(self._spawn() for _ in range(self.workers + self.fast_workers)))
        if self.store_dir is None:
            return
        listing = frame(QueryRequest("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", "text/tab-separated-values",
                                     union_default=False, max_rows=1_000_000))
        try:
            answer = await self._run(listing, _key(listing), limit=self.startup_timeout)
            assert isinstance(answer, Answer)
        except StoreError as exc:
            raise StoreUnavailable(f"cannot list the graphs of {self.store_dir}: {exc}") from None
        self._graphs = graph_names_of(answer.body)

    def fill(self) -> None:
        """Start the workers in the background, each retried until it starts, as a replaced worker is."""
        self._prepare()
        self._filling = asyncio.gather(*(self._respawn() for _ in range(self.workers + self.fast_workers)))

    @property
    def size(self) -> int:
        """Workers alive now (the pool heals back to workers + fast_workers)."""
        return sum(1 for w in self._all if w.proc.returncode is None)

    async def _spawn(self) -> None:
        """Start one worker and check that it answers before it takes queries."""
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "twinkg.store.worker", *([str(self.store_dir)] if self.store_dir else []),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 20,
            preexec_fn=functools.partial(self._in_child, os.getpid()),
            env={**os.environ, "MALLOC_ARENA_MAX": "2"})  # fewer 64 MiB arenas reserved against the ceiling
        worker = _Worker(proc)
        try:
            probe = QueryRequest("ASK {}", "text/tab-separated-values") if self.store_dir else Check("ASK {}")
            reply = await asyncio.wait_for(worker.ask(frame(probe)), self.startup_timeout)
        except BaseException as exc:  # not started, or the pool closes while it starts: it must not outlive either
            worker.kill()
            await proc.wait()
            if isinstance(exc, (TimeoutError, asyncio.IncompleteReadError, ConnectionError)):
                raise StoreUnavailable(f"a query worker did not start: {exc!r}") from None
            raise
        if isinstance(reply, StoreError):
            worker.kill()
            await proc.wait()
            raise StoreUnavailable(f"a query worker did not start: {reply}")
        self._all.add(worker)
        self._idle.put_nowait(worker)
        watcher = asyncio.get_running_loop().create_task(self._watch(worker))
        self._respawning.add(watcher)
        watcher.add_done_callback(self._respawning.discard)

    def _in_child(self, server: int) -> None:
        """In the child, before it runs Python: die with the server, and the memory ceiling.

        A worker reads its queries from the server's pipe and stops at its end, but only between
        queries: killed with SIGKILL, the server would leave a busy worker running its query to
        the end. The kernel kills it instead (PR_SET_PDEATHSIG, Linux); if the server died
        before that was set, the worker's parent is no longer the server and it leaves at once."""
        die_with_parent(server)
        if self.memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))

    async def _watch(self, worker: _Worker) -> None:
        """However a worker ends (killed on timeout, crashed, killed from outside), start another."""
        await worker.proc.wait()
        self._all.discard(worker)
        await self._respawn()

    async def _respawn(self) -> None:
        """Start a worker, retrying with backoff while the system refuses (until the pool closes)."""
        delay, longest = RESPAWN_BACKOFF
        while not self._closing:
            try:
                await self._spawn()
                return
            except (OSError, StoreError) as exc:  # e.g. no file descriptors left: try again, more slowly
                log.warning("cannot start a query worker (%s); retrying in %.2f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, longest)

    async def graph_names(self) -> frozenset[str]:
        return self._graphs

    async def analyse(self, query: str, prefixes: dict[str, str] | None = None) -> QueryInfo:
        """What the query does, parsed by a worker of this store-less pool (twinkg.store.checking): off the event
        loop, stopped at the timeout."""
        request = frame(Check(query, prefixes))
        key = _key(request)
        info = self._checked.get(key)
        if info is None:
            fast = len(query) <= LIGHT_CHECK_CHARS or not self.fast_workers
            reply = await (self._run(request, key) if fast else self._in_slow_lane(request, key))
            assert isinstance(reply, QueryInfo)
            info = self._checked[key] = reply
        return info

    async def run(self, req: QueryRequest) -> Answer:
        request = frame(req)
        same = request if req.cost == Cost.UNKNOWN else frame(dataclasses.replace(req, cost=Cost.UNKNOWN))
        key = _key(same)
        fast = self._fast_lane(key, req.cost) or not self.fast_workers
        reply = await (self._run(request, key) if fast else self._in_slow_lane(request, key))
        assert isinstance(reply, Answer)
        return reply

    async def _in_slow_lane(self, request: bytes, key: bytes) -> Answer | QueryInfo:
        """As one of at most `workers` slow requests at once."""
        start = time.perf_counter()
        try:
            await asyncio.wait_for(self._slow_lane.acquire(), self.timeout)
        except TimeoutError:
            raise self._busy() from None
        try:
            return await self._run(request, key, start)
        finally:
            self._slow_lane.release()

    def _fast_lane(self, key: bytes, cost: Cost) -> bool:
        """Not marked heavy, and its same request did not run slow last time."""
        return cost != Cost.HEAVY and key not in self._slow

    def _busy(self) -> StoreBusy:
        return StoreBusy(f"every query worker stayed busy for {self.timeout:g} s; try again")

    def _note(self, key: bytes, elapsed_ms: float) -> None:
        if elapsed_ms > SLOW_MS:
            self._slow[key] = None
        else:
            self._slow.pop(key, None)

    async def _run(self, request: bytes, key: bytes, start: float | None = None,
                   limit: float | None = None) -> Answer | QueryInfo:
        """One query on the next idle worker, done `limit` seconds (the query timeout if not given) after `start`."""
        start = time.perf_counter() if start is None else start
        limit = self.timeout if limit is None else limit
        deadline = start + limit
        while True:
            try:
                worker = await asyncio.wait_for(self._idle.get(), max(0.001, deadline - time.perf_counter()))
            except TimeoutError:
                raise self._busy() from None
            if worker.proc.returncode is None:
                break  # a worker that ended while idle is being replaced by its watcher
        try:
            reply = await asyncio.wait_for(worker.ask(request), max(0.001, deadline - time.perf_counter()))
        except TimeoutError:
            self._note(key, limit * 1000)
            await self._replace(worker)
            raise QueryTimeout(f"the query ran longer than the {limit:g} s limit and was stopped") from None
        except (asyncio.IncompleteReadError, ConnectionError, BrokenPipeError) as exc:
            await self._replace(worker)
            if worker.proc.returncode == -signal.SIGABRT and self.memory_bytes:  # the engine could not allocate
                raise QueryTooLarge(f"the query needed more than the {self.memory_bytes >> 20} MiB a query may use "
                                    "and was stopped") from None
            log.warning("a query worker ended while answering (exit code %s): %r", worker.proc.returncode, exc)
            raise StoreUnavailable(WORKER_ENDED) from None
        except asyncio.CancelledError:  # the client went away mid-query: the worker's state is unknown
            await asyncio.shield(self._replace(worker))
            raise
        self._idle.put_nowait(worker)
        if isinstance(reply, StoreError):
            raise reply
        if isinstance(reply, Answer):
            self._note(key, reply.elapsed_ms)
        return reply

    async def _replace(self, worker: _Worker) -> None:
        """Kill a worker whose state is unknown; its watcher starts the next one."""
        worker.kill()
        try:
            await asyncio.wait_for(worker.proc.wait(), 5)
        except TimeoutError:
            pass

    async def close(self) -> None:
        self._closing = True
        if self._filling is not None:  # a worker starting now is let finish (and then closed), no other begins
            await asyncio.gather(self._filling, return_exceptions=True)
        respawning = list(self._respawning)
        for task in respawning:
            task.cancel()
        await asyncio.gather(*respawning, return_exceptions=True)  # a worker they were starting is ended
        for worker in list(self._all):
            if worker.proc.stdin is not None:
                worker.proc.stdin.close()
        for worker in list(self._all):
            try:
                await asyncio.wait_for(worker.proc.wait(), 2)
            except TimeoutError:
                worker.kill()
                await worker.proc.wait()
        self._all.clear()


def checker(timeout: float, startup_timeout: float, memory_bytes: int | None = None) -> EmbeddedStore:
    """Two store-less workers that only parse queries (`analyse`), one of them kept for short texts."""
    return EmbeddedStore(None, workers=1, timeout=timeout, fast_workers=1, startup_timeout=startup_timeout,
                         memory_bytes=memory_bytes)
