"""The cache of rendered pages and data documents, with ETag and If-None-Match, and gzip.

Everything in it is derived from the store, which only changes with the dump:
the key starts with the dump's SHA-256 (from SHA256SUMS, re-read when that
file changes), so a new dump is never answered from an old page. Only for a
store that follows the dump: a remote store can change without it.

A cached answer of GZIP_MIN bytes or more goes gzip-compressed to a client that
accepts it (pages and RDF shrink about 6×, the network map from 669 to 150 KB):
compressed once, off the event loop, and kept beside the plain one as an entry
of its own, with its own entity tag.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import time
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from cachetools import LRUCache
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from twinkg.output import NQ_DUMP, SUMS, read_checksums
from twinkg.server.config import ServerConfig

Key = tuple[str, ...]
Entry = tuple[int, bytes, list[tuple[bytes, bytes]]]
Handler = Callable[[Request], Awaitable[Response]]
T = TypeVar("T")
ENTRY_OVERHEAD = 200
"""Bytes counted for an entry beyond its body (key, headers), so many empty entries still fill the cache."""


def _cost(entry: Entry) -> int:
    return len(entry[1]) + ENTRY_OVERHEAD


class ResponseCache:
    """Rendered responses by (dump digest, path, query, Accept), least recently used out first, bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.entries: LRUCache[Key, Entry] = LRUCache(maxsize=max(max_bytes, 1), getsizeof=_cost)
        self._sums: tuple[tuple[int, int, int], str] | None = None

    @property
    def size(self) -> int:
        return int(self.entries.currsize)

    def digest(self, config: ServerConfig) -> str | None:
        """The dump's digest to key entries by; None when nothing may be cached."""
        if self.max_bytes <= 0 or config.out_dir is None or not config.store.follows_dump:
            return None
        try:
            st = (config.out_dir / SUMS).stat()
        except OSError:
            return None
        mark = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._sums is None or self._sums[0] != mark:
            self._sums = (mark, read_checksums(config.out_dir).get(NQ_DUMP, ""))
            self.entries.clear()
        return self._sums[1] or None

    def get(self, key: Key) -> Entry | None:
        return self.entries.get(key)

    def put(self, key: Key, value: Entry) -> None:
        if _cost(value) <= self.max_bytes // 8:  # one big page must not empty the cache of small ones
            self.entries[key] = value


GZIP_MIN = 1024
"""Smaller answers are sent as they are: compressing them saves less than it costs."""
GZIP_LEVEL = 6


def accepts_gzip(request: Request) -> bool:
    """Accept-Encoding gives gzip, or else `*`, a weight above 0 (RFC 9110 §12.5.3)."""
    weights: dict[str, float] = {}
    for item in request.headers.get("accept-encoding", "").split(","):
        name, *params = [part.strip() for part in item.split(";")]
        q = next((param[2:] for param in params if param.lower().startswith("q=")), "1")
        try:
            weights[name.lower()] = float(q)
        except ValueError:
            weights[name.lower()] = 0.0
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers with Accept-Encoding added to Vary: the answer depends on it."""
    vary = [v for k, v in headers if k == b"vary"]
    rest = [(k, v) for k, v in headers if k != b"vary"]
    return [*rest, (b"vary", b", ".join([*vary, b"Accept-Encoding"]))]


async def _compressed(entry: Entry) -> Entry:
    """The gzip variant of a plain entry: its body compressed in a thread, its tag marked as another entity's."""
    status, body, headers = entry
    packed = await run_in_threadpool(gzip.compress, body, GZIP_LEVEL, mtime=0)
    tagged = [(k, v[:-1] + b'-gzip"' if k == b"etag" else v) for k, v in headers]
    return status, packed, [*tagged, (b"content-encoding", b"gzip")]


def etag_matches(request: Request, etag: str) -> bool:
    """If-None-Match names this entity tag (weak comparison, RFC 9110 §13.1.2)."""
    inm = request.headers.get("if-none-match")
    if inm is None:
        return False
    tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
    return etag in tags or "*" in tags


def cached(handler: Handler) -> Handler:
    """Serve a GET from the response cache; store 200 answers; give them an ETag and answer If-None-Match;
    send the gzip variant of a cached answer to a client that accepts it."""

    async def wrapped(request: Request) -> Response:
        config: ServerConfig = request.app.state.config
        cache: ResponseCache = request.app.state.cache
        if request.method not in ("GET", "HEAD"):
            return await handler(request)
        digest = cache.digest(config)
        key = (digest or "", request.url.path, request.url.query, request.headers.get("accept", ""))
        found = cache.get(key) if digest is not None else None
        if found is None:
            response = await handler(request)
            if response.status_code != 200 or not hasattr(response, "body"):
                return response
            body = bytes(response.body)
            # Over a remote store (no digest) nothing is kept, but the tag, a hash of the body alone, is the same
            # on every replica, so conditional requests work behind a load balancer.
            etag = '"' + hashlib.blake2b((digest or "").encode() + body, digest_size=12).hexdigest() + '"'
            headers = [(k, v) for k, v in response.raw_headers if k not in (b"content-length", b"etag")]
            headers.append((b"etag", etag.encode()))
            if digest is not None and len(body) >= GZIP_MIN and not any(k == b"content-encoding" for k, _ in headers):
                headers = _with_vary(headers)
            found = (200, body, headers)
            if digest is not None:
                cache.put(key, found)
        if digest is not None and accepts_gzip(request) and any(k == b"vary" and b"Accept-Encoding" in v
                                                                for k, v in found[2]):
            packed = cache.get((*key, "gzip"))
            if packed is None:
                packed = await _compressed(found)
                cache.put((*key, "gzip"), packed)
            found = packed
        status, body, headers = found
        etag = next(v for k, v in headers if k == b"etag").decode()
        if etag_matches(request, etag):
            response = Response(status_code=304)
            response.raw_headers = [(k, v) for k, v in headers if k in (b"etag", b"vary", b"link", b"cache-control")]
            return response
        response = Response(body, status_code=status)
        response.raw_headers = [*headers, (b"content-length", str(len(body)).encode())]
        return response

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


async def remembered(request: Request, key: Key, check: Callable[[], Awaitable[bool]]) -> bool:
    """A yes/no fact about the dump (does this IRI exist?), asked once per dump; only yes is kept."""
    config: ServerConfig = request.app.state.config
    cache: ResponseCache = request.app.state.cache
    digest = cache.digest(config)
    full = (digest or "", *key)
    if digest is not None and cache.get(full) is not None:
        return True
    found = await check()
    if found and digest is not None:
        cache.put(full, (200, b"", []))
    return found


REMOTE_TTL = 300.0
"""Seconds a PerBuild value is kept when the server cannot tell whether the store changed (a remote store)."""


H = TypeVar("H", bound="PerBuild[Any]")


class PerBuild(Generic[T]):
    """A value derived from the whole build being served (an index the pages read instead of asking the store
    each time), made by `build` the first time it is asked after the dump changes, or after REMOTE_TTL seconds
    over a remote store; one build at a time, which the requests arriving meanwhile wait for."""

    def __init__(self) -> None:
        self.value: T | None = None
        self.key: str | None = None
        self.built_at = 0.0
        self.lock = asyncio.Lock()

    @classmethod
    def of(cls: type[H], state: Any, name: str) -> H:
        """The app's one holder of this kind, kept on its `state` under `name` and made on first use."""
        found = getattr(state, name, None)
        if found is None:
            found = cls()
            setattr(state, name, found)
        return found

    async def build(self, config: ServerConfig) -> T:
        raise NotImplementedError

    async def get(self, config: ServerConfig, cache: ResponseCache) -> T:
        digest = cache.digest(config)
        if self.value is not None and self._fresh(digest):
            return self.value
        async with self.lock:
            if self.value is None or not self._fresh(digest):
                self.value, self.key, self.built_at = await self.build(config), digest, time.monotonic()
            return self.value

    def _fresh(self, digest: str | None) -> bool:
        if digest is not None:
            return digest == self.key
        return self.key is None and time.monotonic() - self.built_at < REMOTE_TTL
