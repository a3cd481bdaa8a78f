"""A query worker process: `python -m twinkg.store.worker [STORE_DIR]`.

It first cuts itself off every network (twinkg.sandbox), then opens the
on-disk store read-only and answers one framed request at a time on
stdin/stdout. A frame is an 8-byte big-endian length and a pickle: requests
are a `QueryRequest` (evaluate) or a `Check` (parse: what the query does),
replies an `Answer`, a `QueryInfo` or the `StoreError` the request raised.
Without a store the worker only checks queries (for a remote store). Pickle
is safe here because both ends are this package: the pool starts the worker
and nothing else writes to its pipes.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, TypeAlias

import pyoxigraph as ox

from twinkg.errors import QueryRefused, StoreError, StoreUnavailable
from twinkg.sandbox import isolate_or_warn
from twinkg.store.base import Answer, QueryRequest
from twinkg.store.results import evaluate

if TYPE_CHECKING:
    from twinkg.query_text import QueryInfo

HEADER = struct.Struct("!Q")


@dataclass(frozen=True)
class Check:
    """Parse a query and say what it does (twinkg.query_text.analyse)."""

    query: str
    prefixes: dict[str, str] | None = None


Request = QueryRequest | Check
Reply: TypeAlias = "Answer | QueryInfo | StoreError"


def frame(obj: Request | Reply) -> bytes:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(payload)) + payload


def _read_exactly(inp: BinaryIO, n: int) -> bytes:
    chunks = []
    while n:
        chunk = inp.read(n)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def answer(store: ox.Store | None, req: Request) -> Reply:
    """The reply to one request: every failure becomes a reply, so the worker lives on."""
    if isinstance(req, Check):
        from twinkg.query_text import analyse  # only checking workers load the parser (see serve)

        try:
            return analyse(req.query, req.prefixes)
        except StoreError as exc:
            return exc
        except MemoryError:  # over the worker's memory ceiling: a parse tree of that size is refused
            return QueryRefused("the query is too large to read within the memory a query may use")
    if store is None:
        return StoreUnavailable("this worker has no store: it only checks queries")
    start = time.perf_counter()
    try:
        reply = evaluate(store, req)
    except StoreError as exc:
        return exc
    except OSError as exc:  # its text could tell an open port from a closed one: keep it in the log
        print(f"twinkg query worker: {exc!r}", file=sys.stderr, flush=True)
        return StoreError("the query failed with an input/output error")
    except Exception as exc:  # noqa: BLE001 - a bug in one query's evaluation must not end the worker
        print(f"twinkg query worker: {exc!r}", file=sys.stderr, flush=True)  # the log has the engine's text
        return StoreError("the store's engine failed on this query")
    reply.elapsed_ms = (time.perf_counter() - start) * 1000
    return reply


def serve(store_dir: str | None) -> None:
    """Read framed requests on stdin, write framed replies on stdout, until stdin closes."""
    isolate_or_warn("the query worker")  # first: unshare needs a single thread, and the store starts threads
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not into the frames
    inp = os.fdopen(0, "rb", buffering=0)
    store = ox.Store.read_only(store_dir) if store_dir else None
    if store is None:  # a checking worker: load the parser now (half a second), not during the first query
        from twinkg.query_text import parser

        parser()
    while True:
        try:
            (size,) = HEADER.unpack(_read_exactly(inp, HEADER.size))
            req: Request = pickle.loads(_read_exactly(inp, size))
        except EOFError:
            return
        out.write(frame(answer(store, req)))


if __name__ == "__main__":
    if len(sys.argv) > 2:
        sys.exit("usage: python -m twinkg.store.worker [STORE_DIR]")
    # The importable module's functions, not __main__'s: requests unpickle as twinkg.store.worker.Check.
    from twinkg.store import worker

    worker.serve(sys.argv[1] if len(sys.argv) == 2 else None)
