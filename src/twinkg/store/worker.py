"""A query worker process: `python -m twinkg.store.worker STORE_DIR`.

It opens the on-disk store read-only and answers one framed request at a
time on stdin/stdout. A frame is an 8-byte big-endian length and a pickle:
requests are `QueryRequest`s, replies are an `Answer` or the `StoreError` the
query raised. Pickle is safe here because both ends are this package: the
pool starts the worker and nothing else writes to its pipes.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import time
from typing import BinaryIO

import pyoxigraph as ox

from twinkg.errors import StoreError
from twinkg.store.base import Answer, QueryRequest
from twinkg.store.results import evaluate

HEADER = struct.Struct("!Q")
Reply = Answer | StoreError


def frame(obj: QueryRequest | Reply) -> bytes:
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


def answer(store: ox.Store, req: QueryRequest) -> Reply:
    """The reply to one request: every failure becomes a reply, so the worker lives on."""
    start = time.perf_counter()
    try:
        reply = evaluate(store, req)
    except StoreError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - a bug in one query's evaluation must not end the worker
        return StoreError(f"{type(exc).__name__}: {exc}")
    reply.elapsed_ms = (time.perf_counter() - start) * 1000
    return reply


def serve(store_dir: str) -> None:
    """Read framed requests on stdin, write framed replies on stdout, until stdin closes."""
    out = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not into the frames
    inp = os.fdopen(0, "rb", buffering=0)
    store = ox.Store.read_only(store_dir)
    while True:
        try:
            (size,) = HEADER.unpack(_read_exactly(inp, HEADER.size))
            req: QueryRequest = pickle.loads(_read_exactly(inp, size))
        except EOFError:
            return
        out.write(frame(answer(store, req)))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m twinkg.store.worker STORE_DIR")
    serve(sys.argv[1])
