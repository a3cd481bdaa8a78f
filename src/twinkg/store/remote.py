"""A remote store: a SPARQL 1.1 endpoint elsewhere (Oxigraph server, Fuseki, Virtuoso, QLever).

A query without a dataset of its own reads the published graphs as its
default graph, as over the embedded store: the store names them
(`default-graph-uri` and `named-graph-uri`, the store's graphs less the
product's own, the staging graphs of a publish under way and the graphs a
first publish is still loading in place), so readers
never see a build being uploaded beside the one published, whatever the
product takes its default graph to be. A query that brings a protocol
dataset reads only the published graphs of it (`published_only`). The caps are enforced on the answer
and by abandoning the request.

What differs between products (how a request is sent, which format of
results reads back faithfully, which graphs are the store's own, how a
refusal or a timeout is reported) lives in an `Adapter`: `SparqlProtocol`
follows the W3C recommendation and suits Oxigraph and Fuseki; `Virtuoso`
handles OpenLink Virtuoso 7 (docs/deployment.md, "A remote store"). A further product
gets its own adapter class and an entry in ADAPTERS, and nothing else changes.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Protocol

import httpx
import pyoxigraph as ox

from twinkg import http_client
from twinkg.config import Settings
from twinkg.errors import NotAcceptable, QueryRefused, QueryTimeout, StoreError, StoreUnavailable
from twinkg.formats import QueryForm
from twinkg.store.base import GRAPHS_QUERY, Answer, QueryRequest, Store, graph_names_of
from twinkg.store.results import cap_triples, cap_tsv, results_format
from twinkg.vocab import LOADING_GRAPHS, STAGING_GRAPHS


class Adapter(Protocol):
    """How one product speaks the SPARQL protocol."""

    select_media: str
    """The results format asked for SELECT: one the product writes faithfully (terms keep their kind)."""

    def request(self, endpoint: str, query: str, accept: str, default_graphs: tuple[str, ...] | None,
                named_graphs: tuple[str, ...] | None) -> httpx.Request: ...

    def solutions_tsv(self, body: bytes, cut: bool) -> bytes:
        """A SELECT answer in select_media (cut at the byte cap when `cut`), as standard SPARQL TSV."""
        ...

    def ask(self, body: bytes, sent: str, wanted: str) -> Answer:
        """An ASK answer the client wants as `wanted`, from what the product sent as `sent`."""
        ...

    def ask_request_media(self, media: str) -> str:
        """The media type to ask the product for an ASK answer the client wants as `media`."""
        ...

    def own_graph(self, iri: str) -> bool:
        """True for a graph the product keeps for itself (never part of the published data)."""
        ...

    def error(self, response: httpx.Response, query: str = "") -> StoreError:
        """The error a non-200 response stands for."""
        ...


class SparqlProtocol:
    """The SPARQL 1.1 Protocol as written: a form POST, the dataset as URL parameters."""

    select_media = "text/tab-separated-values"

    def request(self, endpoint: str, query: str, accept: str, default_graphs: tuple[str, ...] | None,
                named_graphs: tuple[str, ...] | None) -> httpx.Request:
        params: list[tuple[str, str | int | float | bool | None]] = [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        return httpx.Request("POST", endpoint, params=params, data={"query": query}, headers={"Accept": accept})

    def solutions_tsv(self, body: bytes, cut: bool) -> bytes:
        return body

    def ask_request_media(self, media: str) -> str:
        return media

    def ask(self, body: bytes, sent: str, wanted: str) -> Answer:
        return Answer(sent, body)

    def own_graph(self, iri: str) -> bool:
        return False

    def error(self, response: httpx.Response, query: str = "") -> StoreError:
        message = f"remote store: {response.status_code} {response.text[:500]}"
        if response.status_code == 400:
            return QueryRefused(f"SPARQL syntax error, from the remote store: {response.text[:500]}")
        if response.status_code == 406:
            return NotAcceptable(message)
        if response.status_code in (503, 504) and "timeout" in response.text.lower():
            return QueryTimeout(message)
        return StoreUnavailable(message)


NO_GRAPH = "urn:twinkg:no-graph"
"""A graph IRI no store holds: names an empty set of named graphs where a product has no other way."""
VIRTUOSO_GRAPHS = ("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#", "http://localuriqaserver/")
"""IRI starts of the graphs a Virtuoso database creates for itself (its schemas, LDP, the endpoint's own)."""


class Virtuoso(SparqlProtocol):
    """OpenLink Virtuoso 7, whose endpoint departs from the recommendation in four ways handled here.

    * Its default graph is every graph, its own system graphs included (`own_graph`
      leaves them out of the graphs the store names), and
      with a `default-graph-uri` but no `named-graph-uri` GRAPH still ranges
      over every graph: an empty named set is sent as a graph no store holds.
    * Its TSV writes IRIs as quoted strings, so SELECT is read as JSON, where
      blank nodes come as `nodeID://b1`, not a valid blank node label: they
      are renamed (`nodeID___b1`) before the answer is parsed.
    * An ASK after a BASE or PREFIX is answered as a one-row SELECT
      (`__ASK_RETVAL` = 1 or 0): it is asked as JSON and turned into a boolean.
    * At its own time limit (MaxQueryExecutionTime) it answers 500 `SR171:
      Transaction timed out`: that is a timeout (503), not a failing store.
    * Its errors are `Virtuoso 37000 Error SP030: SPARQL compiler, line 3:
      syntax error at 'FILTR' before '('`: rewritten as `error at 3:C: …`
      (the column of the token in the query), as the query page reads them.
    """

    select_media = "application/sparql-results+json"

    def request(self, endpoint: str, query: str, accept: str, default_graphs: tuple[str, ...] | None,
                named_graphs: tuple[str, ...] | None) -> httpx.Request:
        if default_graphs is not None and not named_graphs:
            named_graphs = (NO_GRAPH,)
        return super().request(endpoint, query, accept, default_graphs, named_graphs)

    def solutions_tsv(self, body: bytes, cut: bool) -> bytes:
        if cut:  # JSON cut short cannot be read: refuse rather than guess where the rows end
            raise QueryRefused("the remote store's answer is larger than the byte cap: add a LIMIT")
        answer = json.loads(body)
        for row in answer.get("results", {}).get("bindings", ()):
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = re.sub(r"[^A-Za-z0-9_]", "_", term["value"])
        solutions = ox.parse_query_results(json.dumps(answer).encode(), ox.QueryResultsFormat.JSON)
        return solutions.serialize(format=ox.QueryResultsFormat.TSV) or b""

    def ask_request_media(self, media: str) -> str:
        return "application/sparql-results+json"

    def ask(self, body: bytes, sent: str, wanted: str) -> Answer:
        answer = json.loads(body)
        value = answer.get("boolean")
        if value is None:
            rows = answer.get("results", {}).get("bindings", [])
            value = bool(rows) and rows[0].get("__ASK_RETVAL", {}).get("value") in ("1", "true")
        boolean = ox.parse_query_results(json.dumps({"head": {}, "boolean": bool(value)}).encode(),
                                         ox.QueryResultsFormat.JSON)
        return Answer(wanted, boolean.serialize(format=results_format(wanted, QueryForm.ASK)) or b"")

    def own_graph(self, iri: str) -> bool:
        return iri.startswith(VIRTUOSO_GRAPHS)

    def error(self, response: httpx.Response, query: str = "") -> StoreError:
        text = response.text[:500]
        located = re.search(r"SPARQL compiler, line (\d+): (.*?)(?:\n|$)", text)
        if response.status_code in (400, 500) and located:
            line, message = int(located.group(1)), located.group(2)
            token = re.search(r"at '([^']*)'", message)
            lines = query.splitlines()
            column = lines[line - 1].find(token.group(1)) + 1 if token and 0 < line <= len(lines) else 0
            return QueryRefused(f"SPARQL syntax error at {line}:{max(column, 1)}: {message}")
        if "SR171" in text:
            return QueryTimeout(f"the remote store stopped the query at its own time limit: {text}")
        if "Error SP031" in text or "Error 37000" in text:
            return QueryRefused(f"remote store cannot evaluate this query: {text}")
        return super().error(response, query)


ADAPTERS: dict[str, Adapter] = {"sparql11": SparqlProtocol(), "virtuoso": Virtuoso()}
"""The products a remote store can be, by the name `--sparql-endpoint-kind` takes."""


def published_only(default_graphs: tuple[str, ...] | None, named_graphs: tuple[str, ...] | None,
                   published: frozenset[str]) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """A protocol dataset (`default-graph-uri`, `named-graph-uri`) cut to the published graphs: any other graph the
    store holds (its own, a staging graph, one a first publish is still loading) reads as empty, as a graph the
    embedded store does not hold. A part left with no graph names one that no store holds: named none, it would
    leave the store's choice (every graph, to some)."""
    def cut(graphs: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return (tuple(g for g in graphs if g in published) or (NO_GRAPH,)) if graphs else graphs
    return cut(default_graphs), cut(named_graphs)


@dataclass
class RemoteStore(Store):
    endpoint: str
    timeout: float
    adapter: Adapter = field(default_factory=SparqlProtocol)
    graph_cache_seconds: float = 60.0
    _client: httpx.AsyncClient | None = field(default=None, init=False, repr=False)
    _graphs: frozenset[str] = field(default=frozenset(), init=False)
    _graphs_at: float = field(default=-1e9, init=False)

    description = "remote"
    follows_dump = False
    """A remote store can change without the dump changing: nothing of it is cached."""

    async def start(self) -> None:
        self._client = http_client.async_client(self.timeout)
        try:
            await self.graph_names()
        except StoreError:
            pass  # the server starts anyway; /healthz says the store is failing

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def graph_names(self) -> frozenset[str]:
        if time.monotonic() - self._graphs_at > self.graph_cache_seconds:
            body, _, _ = await self._post(GRAPHS_QUERY, self.adapter.select_media, None, None)
            names = graph_names_of(self.adapter.solutions_tsv(body, False))
            loading = {g.removeprefix(LOADING_GRAPHS) for g in names if g.startswith(LOADING_GRAPHS)}
            self._graphs = frozenset(g for g in names if not self.adapter.own_graph(g) and not g.startswith(STAGING_GRAPHS)
                                     and g not in loading)
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
                    raise self.adapter.error(response, query)
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
        default_graphs, named_graphs = req.default_graphs, req.named_graphs
        if req.union_default and default_graphs is None and named_graphs is None:
            default_graphs = named_graphs = tuple(sorted(await self.graph_names())) or (NO_GRAPH,)
        elif default_graphs or named_graphs:
            default_graphs, named_graphs = published_only(default_graphs, named_graphs, await self.graph_names())
        if req.prefixes:
            query = "".join(f"PREFIX {p}: <{iri}> " for p, iri in req.prefixes.items()) + query
        if req.base_iri:  # BASE first: SPARQL allows it anywhere in the prologue, Virtuoso only there
            query = f"BASE <{req.base_iri}> " + query
        # Both line-based, so an answer cut at the byte cap is cut at its last whole line.
        if req.form is not None and req.form.answers_graph:
            body, _, cut = await self._post(query, "application/n-triples", default_graphs, named_graphs,
                                            req.max_bytes)
            body = body[: body.rfind(b"\n") + 1] if cut else body
            answer = cap_triples(ox.parse(body, format=ox.RdfFormat.N_TRIPLES), req.media_type, req.max_rows,
                                 req.max_bytes, cut)
        elif req.form == QueryForm.SELECT:
            body, _, cut = await self._post(query, self.adapter.select_media, default_graphs, named_graphs,
                                            req.max_bytes)
            answer = cap_tsv(self.adapter.solutions_tsv(body, cut), req.media_type, req.max_rows, req.max_bytes, cut)
        else:
            body, media, _ = await self._post(query, self.adapter.ask_request_media(req.media_type), default_graphs,
                                              named_graphs)
            answer = self.adapter.ask(body, media, req.media_type)
        answer.elapsed_ms = (time.perf_counter() - start) * 1000
        return answer
