"""The store behind the web layer: embedded (pyoxigraph) or a remote SPARQL 1.1 endpoint.

Both answer one call, `run(QueryRequest) -> Answer`: a query, the media type
to answer in, the dataset, and the caps (time and rows). The web layer never
holds a store handle itself, so it keeps no state and can be replicated.

Embedded: the N-Quads dump is bulk-loaded once into an on-disk store
directory; a pool of worker processes (`python -m twinkg.store`) each open it
read-only and evaluate one query at a time. pyoxigraph has no query timeout,
so a query that runs past its time has its worker killed and replaced: the
work really stops, and the other workers keep answering meanwhile.

Remote: queries go to the endpoint over the SPARQL 1.1 Protocol; the caps are
enforced on the answer and by abandoning the request.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import itertools
import os
import pickle
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twinkg.output import NQ_DUMP, read_checksums, store_dir

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_HEADER = struct.Struct("!Q")


@dataclass(frozen=True)
class QueryRequest:
    query: str
    media_type: str
    """One of RESULT_FORMATS (SELECT, ASK) or GRAPH_FORMATS (CONSTRUCT, DESCRIBE)."""
    default_graphs: tuple[str, ...] | None = None
    """Protocol dataset (`default-graph-uri`); with named_graphs, None means: not given."""
    named_graphs: tuple[str, ...] | None = None
    union_default: bool = True
    """Without a protocol dataset or FROM: the default graph is the union of the named graphs."""
    max_rows: int = 10_000
    form: str | None = None
    prefixes: dict[str, str] | None = None
    base_iri: str | None = None
    """Relative IRIs in the query resolve against this (the endpoint's own URL)."""


@dataclass
class Answer:
    status: int
    media_type: str
    body: bytes
    rows: int | None = None
    truncated: bool = False
    message: str = ""
    elapsed_ms: float = 0.0


class StoreError(Exception):
    pass


# --------------------------------------------------------------------------- evaluation (worker side)

def _dataset_arguments(req: QueryRequest) -> dict[str, Any]:
    if req.default_graphs is not None or req.named_graphs is not None:
        return {
            "default_graph": [ox.NamedNode(g) for g in req.default_graphs or ()],
            "named_graphs": [ox.NamedNode(g) for g in req.named_graphs or ()],
        }
    if req.union_default:
        return {"use_default_graph_as_union": True}
    return {}


def evaluate(store: ox.Store, req: QueryRequest) -> Answer:
    """Run one query on a store and serialise its answer, with the row cap applied."""
    try:
        result = store.query(req.query, prefixes=req.prefixes, base_iri=req.base_iri, **_dataset_arguments(req))
    except SyntaxError as exc:
        return Answer(400, "text/plain", b"", message=f"SPARQL syntax error: {exc}")
    try:
        return _serialise(result, req)
    except SyntaxError as exc:  # some errors surface lazily, while iterating
        return Answer(400, "text/plain", b"", message=f"SPARQL error: {exc}")


def _serialise(result: Any, req: QueryRequest) -> Answer:
    media = req.media_type
    if isinstance(result, ox.QueryBoolean):
        fmt = RESULT_FORMATS.get(media)
        if fmt is None:
            return Answer(406, "text/plain", b"", message=f"an ASK query cannot be answered as {media}")
        return Answer(200, media, result.serialize(format=fmt), rows=None)
    if isinstance(result, ox.QuerySolutions):
        fmt = RESULT_FORMATS.get(media)
        if fmt is None:
            return Answer(406, "text/plain", b"", message=f"a SELECT query cannot be answered as {media}")
        if fmt == ox.QueryResultsFormat.CSV:  # CSV cannot be parsed back: count and cut it as TSV
            return _cap_tsv(result.serialize(format=ox.QueryResultsFormat.TSV), fmt, media, req.max_rows)
        body = result.serialize(format=fmt)  # straight to the asked format; the cap rarely applies
        rows = count_rows(body, fmt)
        if rows is not None and rows <= req.max_rows:
            return Answer(200, media, body, rows=rows, truncated=False)
        # over the cap (or not countable cheaply): cut it on the TSV form, one row a line
        tsv = body if fmt == ox.QueryResultsFormat.TSV else (
            ox.parse_query_results(body, format=fmt).serialize(format=ox.QueryResultsFormat.TSV))
        return _cap_tsv(tsv, fmt, media, req.max_rows)
    fmt = GRAPH_FORMATS.get(media)
    if fmt is None:
        return Answer(406, "text/plain", b"", message=f"a CONSTRUCT or DESCRIBE query cannot be answered as {media}")
    triples = list(itertools.islice(result, req.max_rows + 1))
    truncated = len(triples) > req.max_rows
    if truncated:
        triples = triples[: req.max_rows]
    return Answer(200, media, ox.serialize(triples, format=fmt), rows=len(triples), truncated=truncated)


_JSON_ROW = re.compile(rb'[\[,]\{"[^"]*":\{"type":')
"""Where a row of a SPARQL JSON answer (as Oxigraph writes it: compact, keys first) starts: `[{"var":{"type":`
or `,{"var":{"type":`. Inside a string every `"` is escaped, so a literal can never match."""


def count_rows(body: bytes, fmt: ox.QueryResultsFormat) -> int | None:
    """The rows of a SELECT answer serialised by Oxigraph, counted without parsing it; None when unsure."""
    if fmt == ox.QueryResultsFormat.TSV:
        return body.count(b"\n") - 1  # newlines inside terms are escaped as \n
    if fmt == ox.QueryResultsFormat.XML:
        return body.count(b"<result>")  # `<` inside a value is escaped as &lt;
    if fmt == ox.QueryResultsFormat.JSON:
        if b"{}" in body:  # a solution binding nothing is `{}`: rare, count it the slow way
            return None
        return len(_JSON_ROW.findall(body))
    return None


def _cap_tsv(tsv: bytes, fmt: ox.QueryResultsFormat, media: str, max_rows: int) -> Answer:
    """Count the rows of a TSV answer (one line each), cut at the cap, convert to the asked format."""
    rows = tsv.count(b"\n") - 1
    truncated = rows > max_rows
    if truncated:
        cut = -1
        for _ in range(max_rows + 1):
            cut = tsv.index(b"\n", cut + 1)
        tsv = tsv[: cut + 1]
        rows = max_rows
    if fmt == ox.QueryResultsFormat.TSV:
        return Answer(200, media, tsv, rows=rows, truncated=truncated)
    body = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=fmt)
    return Answer(200, media, body, rows=rows, truncated=truncated)


def _worker(store_dir: str) -> None:
    """Worker process: read framed requests on stdin, answer framed results on stdout."""
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not into the frames
    inp = os.fdopen(0, "rb", buffering=0)
    store = ox.Store.read_only(store_dir)

    def read_exactly(n: int) -> bytes:
        chunks = []
        while n:
            chunk = inp.read(n)
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    while True:
        try:
            (size,) = _HEADER.unpack(read_exactly(_HEADER.size))
            req: QueryRequest = pickle.loads(read_exactly(size))
        except EOFError:
            return
        start = time.perf_counter()
        try:
            answer = evaluate(store, req)
        except Exception as exc:  # noqa: BLE001 - every failure becomes an answer, the worker lives on
            answer = Answer(500, "text/plain", b"", message=f"{type(exc).__name__}: {exc}")
        answer.elapsed_ms = (time.perf_counter() - start) * 1000
        payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_HEADER.pack(len(payload)) + payload)


# --------------------------------------------------------------------------- loading

def load_store(nquads_gz: Path, store_dir: Path) -> None:
    """Bulk-load a gzipped N-Quads dump into a new on-disk store (in a child process: it needs memory)."""
    subprocess.run([sys.executable, "-m", "twinkg.store", "load", str(nquads_gz), str(store_dir)], check=True)


def _load(nquads_gz: str, store_dir: str) -> None:
    store = ox.Store(store_dir)
    with gzip.open(nquads_gz, "rb") as f:
        store.bulk_load(f, format=ox.RdfFormat.N_QUADS)
    store.optimize()
    store.flush()
    del store


def store_for_dump(out_dir: Path) -> Path:
    """The store directory for the dump in `out_dir`, loading it on first use.

    The directory is named by the dump's SHA-256, so a rebuilt dump gets a new
    store and several servers on one machine share one."""
    dump = out_dir / NQ_DUMP
    if not dump.is_file():
        raise StoreError(f"{dump} does not exist; run `twinkg build` first")
    # The build recorded the digest; hash the dump only when it came without SHA256SUMS.
    digest = read_checksums(out_dir).get(NQ_DUMP) or hashlib.sha256(dump.read_bytes()).hexdigest()
    target = store_dir(out_dir, digest)
    if (target / ".complete").is_file():
        return target
    staging = Path(tempfile.mkdtemp(prefix=".store-loading-", dir=out_dir))
    try:
        load_store(dump, staging / "db")
        (staging / "db" / ".complete").write_text(digest + "\n")
        try:
            (staging / "db").rename(target)
        except OSError:
            if not (target / ".complete").is_file():  # lost a race to another server: theirs is as good
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


# --------------------------------------------------------------------------- embedded store (main side)

@dataclass(eq=False)
class _Worker:
    proc: asyncio.subprocess.Process
    busy_since: float = 0.0
    served: int = 0

    async def ask(self, payload: bytes) -> Answer:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(_HEADER.pack(len(payload)) + payload)
        await self.proc.stdin.drain()
        (size,) = _HEADER.unpack(await self.proc.stdout.readexactly(_HEADER.size))
        answer: Answer = pickle.loads(await self.proc.stdout.readexactly(size))
        return answer

    def kill(self) -> None:
        if self.proc.returncode is None:
            try:
                self.proc.kill()
            except ProcessLookupError:
                pass


SLOW_MS = 50.0
"""A query whose last run took longer than this is slow: it may only use the slow lane's workers."""


@dataclass
class EmbeddedStore:
    """A pool of worker processes over one read-only on-disk store.

    `workers` processes answer any query; `fast_workers` more are kept for fast
    ones. A query is slow when the same request last ran longer than SLOW_MS (or
    timed out): at most `workers` slow queries run at once, so a lookup never
    queues behind them (head-of-line blocking). A query not seen before counts
    as fast, so at worst the pool behaves as one of workers + fast_workers."""

    store_dir: Path
    workers: int = 2
    timeout: float = 5.0
    fast_workers: int = 2
    _idle: asyncio.Queue[_Worker] = field(init=False, repr=False)
    _slow_lane: asyncio.Semaphore = field(init=False, repr=False)
    _slow: OrderedDict[bytes, None] = field(default_factory=OrderedDict, init=False, repr=False)
    _all: set[_Worker] = field(default_factory=set, init=False, repr=False)
    _graphs: frozenset[str] = field(default=frozenset(), init=False)
    _closing: bool = field(default=False, init=False)
    killed: int = field(default=0, init=False)

    description = "embedded"

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        self._slow_lane = asyncio.Semaphore(self.workers)
        await asyncio.gather(*(self._spawn() for _ in range(self.workers + self.fast_workers)))
        answer = await self.run(QueryRequest("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", "text/tab-separated-values",
                                             union_default=False, max_rows=1_000_000))
        if answer.status != 200:
            raise StoreError(f"cannot list the graphs of {self.store_dir}: {answer.message}")
        self._graphs = frozenset(line[1:-1] for line in answer.body.decode().splitlines()[1:] if line)

    async def _spawn(self) -> None:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "twinkg.store", "worker", str(self.store_dir),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=1 << 20)
        worker = _Worker(proc)
        self._all.add(worker)
        self._idle.put_nowait(worker)

    async def graph_names(self) -> frozenset[str]:
        return self._graphs

    async def run(self, req: QueryRequest) -> Answer:
        payload = pickle.dumps(req, protocol=pickle.HIGHEST_PROTOCOL)
        key = hashlib.blake2b(payload, digest_size=16).digest()
        if key not in self._slow or not self.fast_workers:
            return await self._run(payload, key)
        start = time.perf_counter()
        try:
            await asyncio.wait_for(self._slow_lane.acquire(), self.timeout)
        except asyncio.TimeoutError:
            return Answer(503, "text/plain", b"", message=f"every query worker stayed busy for {self.timeout:g} s; try again")
        try:
            return await self._run(payload, key, start)
        finally:
            self._slow_lane.release()

    def _note(self, key: bytes, elapsed_ms: float) -> None:
        if elapsed_ms > SLOW_MS:
            self._slow[key] = None
            self._slow.move_to_end(key)
            if len(self._slow) > 10_000:
                self._slow.popitem(last=False)
        else:
            self._slow.pop(key, None)

    async def _run(self, payload: bytes, key: bytes, start: float | None = None) -> Answer:
        start = time.perf_counter() if start is None else start
        deadline = start + self.timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), max(0.001, deadline - time.perf_counter()))
        except asyncio.TimeoutError:
            return Answer(503, "text/plain", b"", message=f"every query worker stayed busy for {self.timeout:g} s; try again")
        try:
            answer = await asyncio.wait_for(worker.ask(payload), max(0.001, deadline - time.perf_counter()))
        except asyncio.TimeoutError:
            self._note(key, self.timeout * 1000)
            await self._replace(worker)
            self.killed += 1
            return Answer(503, "text/plain", b"", message=(
                f"the query ran longer than the {self.timeout:g} s limit and was stopped"),
                elapsed_ms=(time.perf_counter() - start) * 1000)
        except (asyncio.IncompleteReadError, ConnectionError, BrokenPipeError) as exc:
            await self._replace(worker)
            return Answer(500, "text/plain", b"", message=f"the query worker failed: {exc!r}")
        except asyncio.CancelledError:  # the client went away mid-query: the worker's state is unknown
            await asyncio.shield(self._replace(worker))
            raise
        worker.served += 1
        self._idle.put_nowait(worker)
        self._note(key, answer.elapsed_ms)
        return answer

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

    def worker_pids(self) -> list[int]:
        return [w.proc.pid for w in self._all]


# --------------------------------------------------------------------------- remote store

@dataclass
class RemoteStore:
    """A SPARQL 1.1 endpoint elsewhere (Oxigraph server, Fuseki, Virtuoso, QLever).

    The remote store must treat its default graph as the union of its named
    graphs (e.g. `oxigraph serve --union-default-graph`), as the embedded one does."""

    endpoint: str
    timeout: float = 5.0
    graph_cache_seconds: float = 60.0
    _client: Any = field(default=None, init=False, repr=False)
    _graphs: frozenset[str] = field(default=frozenset(), init=False)
    _graphs_at: float = field(default=-1e9, init=False)

    description = "remote"

    async def start(self) -> None:
        import httpx

        self._client = httpx.AsyncClient(timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
                                         headers={"User-Agent": "twinkg-server"})
        await self.graph_names()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def graph_names(self) -> frozenset[str]:
        if time.monotonic() - self._graphs_at > self.graph_cache_seconds:
            answer = await self._post("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", "text/tab-separated-values", None, None)
            if answer.status == 200:
                self._graphs = frozenset(line.strip()[1:-1] for line in answer.body.decode().splitlines()[1:] if line.strip())
                self._graphs_at = time.monotonic()
        return self._graphs

    async def _post(self, query: str, accept: str, default_graphs: tuple[str, ...] | None,
                    named_graphs: tuple[str, ...] | None) -> Answer:
        import httpx

        params: list[tuple[str, str]] = [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        try:
            response = await self._client.post(self.endpoint, params=params, data={"query": query},
                                               headers={"Accept": accept})
        except httpx.TimeoutException:
            return Answer(503, "text/plain", b"", message=f"the remote store did not answer within {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return Answer(502, "text/plain", b"", message=f"the remote store failed: {exc}")
        if response.status_code != 200:
            status = 400 if response.status_code == 400 else 502
            return Answer(status, "text/plain", b"", message=f"remote store: {response.status_code} {response.text[:500]}")
        return Answer(200, response.headers.get("content-type", accept).split(";")[0], response.content)

    async def run(self, req: QueryRequest) -> Answer:
        start = time.perf_counter()
        query = req.query
        if req.base_iri:
            query = f"BASE <{req.base_iri}>\n" + query
        if req.prefixes:
            query = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in req.prefixes.items()) + query
        if req.form in ("CONSTRUCT", "DESCRIBE"):
            answer = await self._post(query, "application/n-triples", req.default_graphs, req.named_graphs)
            if answer.status == 200:
                triples = list(itertools.islice(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES), req.max_rows + 1))
                truncated = len(triples) > req.max_rows
                triples = triples[: req.max_rows]
                fmt = GRAPH_FORMATS.get(req.media_type)
                if fmt is None:
                    return Answer(406, "text/plain", b"", message=f"cannot answer as {req.media_type}")
                answer = Answer(200, req.media_type, ox.serialize(triples, format=fmt), rows=len(triples), truncated=truncated)
        elif req.form == "SELECT":
            answer = await self._post(query, "text/tab-separated-values", req.default_graphs, req.named_graphs)
            if answer.status == 200:
                fmt = RESULT_FORMATS.get(req.media_type)
                if fmt is None:
                    return Answer(406, "text/plain", b"", message=f"cannot answer as {req.media_type}")
                answer = _cap_tsv(answer.body, fmt, req.media_type, req.max_rows)
        else:
            answer = await self._post(query, req.media_type, req.default_graphs, req.named_graphs)
        answer.elapsed_ms = (time.perf_counter() - start) * 1000
        return answer


Store = EmbeddedStore | RemoteStore


if __name__ == "__main__":
    # Run the functions of the importable module, not of __main__, so that what the worker
    # pickles (Answer) unpickles as twinkg.store.Answer on the other side.
    from twinkg import store as _module

    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "worker":
        _module._worker(sys.argv[2])
    elif command == "load":
        _module._load(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: python -m twinkg.store worker STORE_DIR | load DUMP.nq.gz STORE_DIR")
