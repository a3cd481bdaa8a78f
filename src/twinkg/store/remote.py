"""A remote store: a SPARQL 1.1 endpoint elsewhere (Oxigraph server, Fuseki, Virtuoso, QLever).

The remote store must treat its default graph as the union of its named
graphs (e.g. `oxigraph serve --union-default-graph`), as the embedded one
does. The caps are enforced on the answer and by abandoning the request.

What differs between products (how a request is sent, how a refusal or a
timeout is reported) lives in an `Adapter`; `SparqlProtocol` follows the
W3C recommendation and suits Oxigraph and Fuseki. A second product gets its
own adapter class and an entry in ADAPTERS, and nothing else changes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import httpx
import pyoxigraph as ox

from twinkg import http_client
from twinkg.config import Settings
from twinkg.errors import NotAcceptable, QueryRefused, QueryTimeout, StoreError, StoreUnavailable
from twinkg.query_text import QueryInfo
from twinkg.store.base import GRAPHS_QUERY, Answer, QueryRequest, graph_names_of
from twinkg.store.pool import EmbeddedStore, checker
from twinkg.store.results import cap_tsv, cap_triples


class Adapter(Protocol):
    """How one product speaks the SPARQL protocol."""

    def request(self, endpoint: str, query: str, accept: str, default_graphs: tuple[str, ...] | None,
                named_graphs: tuple[str, ...] | None) -> httpx.Request: ...

    def error(self, response: httpx.Response) -> StoreError:
        """The error a non-200 response stands for."""
        ...


class SparqlProtocol:
    """The SPARQL 1.1 Protocol as written: a form POST, the dataset as URL parameters."""

    def request(self, endpoint: str, query: str, accept: str, default_graphs: tuple[str, ...] | None,
                named_graphs: tuple[str, ...] | None) -> httpx.Request:
        params: list[tuple[str, str | int | float | bool | None]] = [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        return httpx.Request("POST", endpoint, params=params, data={"query": query}, headers={"Accept": accept})

    def error(self, response: httpx.Response) -> StoreError:
        message = f"remote store: {response.status_code} {response.text[:500]}"
        if response.status_code == 400:
            return QueryRefused(message)
        if response.status_code == 406:
            return NotAcceptable(message)
        if response.status_code in (503, 504) and "timeout" in response.text.lower():
            return QueryTimeout(message)
        return StoreUnavailable(message)


ADAPTERS: dict[str, Adapter] = {"sparql11": SparqlProtocol()}
"""The products a remote store can be, by the name `twinkg serve --sparql-endpoint-kind` takes."""


@dataclass
class RemoteStore:
    endpoint: str
    timeout: float
    adapter: Adapter = field(default_factory=SparqlProtocol)
    graph_cache_seconds: float = 60.0
    _client: httpx.AsyncClient | None = field(default=None, init=False, repr=False)
    _graphs: frozenset[str] = field(default=frozenset(), init=False)
    _graphs_at: float = field(default=-1e9, init=False)
    _checker: EmbeddedStore | None = field(default=None, init=False, repr=False)
    """Worker processes without a store that parse queries (the remote store would run a SERVICE too)."""

    description = "remote"
    follows_dump = False
    """A remote store can change without the dump changing: nothing of it is cached."""

    async def start(self) -> None:
        self._checker = checker(self.timeout, Settings.startup_timeout)
        await self._checker.start()
        self._client = http_client.async_client(self.timeout)
        try:
            await self.graph_names()
        except StoreError:
            pass  # the server starts anyway; /healthz says the store is failing

    async def close(self) -> None:
        if self._checker is not None:
            await self._checker.close()
        if self._client is not None:
            await self._client.aclose()

    async def analyse(self, query: str, prefixes: dict[str, str] | None = None) -> QueryInfo:
        assert self._checker is not None, "start() the store first"
        return await self._checker.analyse(query, prefixes)

    async def graph_names(self) -> frozenset[str]:
        if time.monotonic() - self._graphs_at > self.graph_cache_seconds:
            body, _, _ = await self._post(GRAPHS_QUERY, "text/tab-separated-values", None, None)
            self._graphs = graph_names_of(body)
            self._graphs_at = time.monotonic()
        return self._graphs

    async def _post(self, query: str, accept: str, default_graphs: tuple[str, ...] | None,
                    named_graphs: tuple[str, ...] | None, limit: int = Settings.max_answer_bytes
                    ) -> tuple[bytes, str, bool]:
        """The body (read up to `limit` bytes), its media type and whether it was cut there, of a 200 answer;
        or the StoreError of any other outcome."""
        assert self._client is not None, "start() the store first"
        try:
            response = await self._client.send(
                self.adapter.request(self.endpoint, query, accept, default_graphs, named_graphs), stream=True)
            try:
                if response.status_code != 200:
                    await response.aread()
                    raise self.adapter.error(response)
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > limit:
                        break
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise QueryTimeout(f"the remote store did not answer within {self.timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise StoreUnavailable(f"the remote store failed: {exc}") from None
        body = b"".join(chunks)
        return body[:limit], response.headers.get("content-type", accept).split(";")[0], size > limit

    async def run(self, req: QueryRequest) -> Answer:
        start = time.perf_counter()
        # The declarations go before the query on its first line, so that the store's syntax errors name the
        # lines the user wrote (the query page underlines them there).
        query = req.query
        if req.base_iri:
            query = f"BASE <{req.base_iri}> " + query
        if req.prefixes:
            query = "".join(f"PREFIX {p}: <{iri}> " for p, iri in req.prefixes.items()) + query
        # Both line-based, so an answer cut at the byte cap is cut at its last whole line.
        if req.form in ("CONSTRUCT", "DESCRIBE"):
            body, _, cut = await self._post(query, "application/n-triples", req.default_graphs, req.named_graphs,
                                            req.max_bytes)
            body = body[: body.rfind(b"\n") + 1] if cut else body
            answer = cap_triples(ox.parse(body, format=ox.RdfFormat.N_TRIPLES), req.media_type, req.max_rows,
                                 req.max_bytes, cut)
        elif req.form == "SELECT":
            body, _, cut = await self._post(query, "text/tab-separated-values", req.default_graphs,
                                            req.named_graphs, req.max_bytes)
            answer = cap_tsv(body, req.media_type, req.max_rows, req.max_bytes, cut)
        else:
            body, media, _ = await self._post(query, req.media_type, req.default_graphs, req.named_graphs)
            answer = Answer(media, body)
        answer.elapsed_ms = (time.perf_counter() - start) * 1000
        return answer
