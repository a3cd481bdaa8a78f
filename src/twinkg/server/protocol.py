"""The SPARQL 1.1 Protocol and the endpoint's query policy.

Reading a request (GET, form POST, direct POST; limits on its size), checking
a query before it runs (no SERVICE, FROM only of this store's graphs, the
dataset's IRIs, the media type, the row cap) and writing an answer with the
row-cap headers. Everything here is shared by /sparql and by the pages' own
queries (`server.queries`).
"""

from __future__ import annotations

import asyncio
import os
import re
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from twinkg.formats import GRAPH_MEDIA_TYPES, QueryForm, rdf_bytes
from twinkg.server import conneg
from twinkg.server.config import ServerConfig
from twinkg.server.errors import ProtocolError
from twinkg.store import Answer, QueryRequest
from twinkg.vocab import PREFIXES

ROW_HEADERS = ("X-SPARQL-Max-Rows", "X-SPARQL-Max-Bytes", "X-SPARQL-Rows", "X-SPARQL-Truncated", "X-SPARQL-Time-Ms")
SPOOL_OVER = 256 << 10
"""Answers of /sparql larger than this are written to a file by the store and streamed from it."""
SEND_TIMEOUT_FACTOR = 3
"""A client that takes more than this many read timeouts to take one chunk of a streamed answer is let go."""
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$")


async def _body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise ProtocolError(413, f"request body of {length} bytes is over the {limit}-byte limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, f"request body is over the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(400, f"the {what} is not valid UTF-8") from None


async def read_protocol_request(request: Request, limit: int) -> tuple[str | None, list[tuple[str, str]]]:
    """The query text (None if the request carries none) and all protocol parameters."""
    params = list(request.query_params.multi_items())
    if request.method in ("GET", "HEAD"):
        if len(request.url.query) > limit:
            raise ProtocolError(414, f"the query string is over the {limit}-byte limit; POST the query instead")
    elif request.method == "POST":
        ctype = request.headers.get("content-type", "")
        media, _, rest = ctype.partition(";")
        media = media.strip().lower()
        charset = ""
        for part in rest.split(";"):
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip('"').lower()
        body = await _body(request, limit)
        if media == "application/x-www-form-urlencoded":
            try:
                params += parse_qsl(_decode(body, "form body"), keep_blank_values=True, strict_parsing=False)
            except ValueError as exc:
                raise ProtocolError(400, f"unreadable form body: {exc}") from None
        elif media == "application/sparql-query":
            if charset and charset not in ("utf-8", "utf8"):
                raise ProtocolError(415, f"queries must be sent as UTF-8, not {charset}")
            params.append(("query", _decode(body, "query")))
        elif media == "application/sparql-update":
            raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are not accepted")
        else:
            raise ProtocolError(415, "POST a query as application/x-www-form-urlencoded (query=...) or as "
                                     f"application/sparql-query; got {media or 'no Content-Type'}")
    else:
        raise ProtocolError(405, f"{request.method} is not a SPARQL Protocol method; use GET or POST",
                            {"Allow": "GET, HEAD, POST, OPTIONS"})
    names = [k for k, _ in params]
    if "update" in names:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are not accepted")
    queries = [v for k, v in params if k == "query"]
    if len(queries) > 1:
        raise ProtocolError(400, "give exactly one query parameter")
    return (queries[0] if queries else None), params


async def prepare(config: ServerConfig, query: str, params: list[tuple[str, str]], media_type: str | None,
                  accept: str | None, base_iri: str | None = None, max_rows: int | None = None) -> QueryRequest:
    """Check a query before it runs: its safety, its dataset, the media type and the row cap."""
    info = await config.checker.analyse(query, PREFIXES)  # a full parse, in a worker: QueryRefused if no query
    if info.uses_service:
        raise ProtocolError(400, "SERVICE is refused: this endpoint never calls other endpoints")
    if info.from_graphs or info.from_named_graphs:
        known = await config.store.graph_names()
        outside = [g for g in info.from_graphs + info.from_named_graphs if g not in known]
        if outside:
            raise ProtocolError(400, "FROM/FROM NAMED may only name graphs of this store (remote graphs are never "
                                     f"fetched): {', '.join('<' + g + '>' for g in outside)} is not one of them; "
                                     f"the graphs are {', '.join('<' + g + '>' for g in sorted(known))}")
    offers = conneg.GRAPH_OFFERS if info.form and info.form.answers_graph else conneg.RESULT_OFFERS
    if media_type is None:
        fmt = next((v for k, v in params if k == "format"), None)
        media_type = conneg.choose(offers, accept, fmt)
        if media_type is None:
            served = sorted({served for _, served in offers})
            raise ProtocolError(406, f"cannot answer a {info.form or 'query'} as {fmt or accept}; "
                                     f"available: {', '.join(served)}")
    default = tuple(v for k, v in params if k == "default-graph-uri")
    named = tuple(v for k, v in params if k == "named-graph-uri")
    for graph in default + named:
        if not _ABSOLUTE_IRI.match(graph):
            raise ProtocolError(400, f"default-graph-uri and named-graph-uri take absolute IRIs, got {graph!r}")
    text = query
    cap = max_rows or config.max_rows
    if info.form == QueryForm.SELECT and (info.limit is None or info.limit > cap):
        text = info.with_limit(query, cap + 1)
    dataset: dict[str, Any] = {}
    if default or named:
        dataset = {"default_graphs": default, "named_graphs": named}
    elif info.from_graphs or info.from_named_graphs:
        dataset = {"union_default": False}
    return QueryRequest(text, media_type, max_rows=cap, max_bytes=config.settings.max_answer_bytes, form=info.form,
                        prefixes=PREFIXES, base_iri=base_iri, star_at=info.star_at, variable_order=info.variable_order,
                        **dataset)


class SpooledResponse(Response):
    """A body in a file the store wrote (`Answer.spool`), sent in chunks as fast as the client reads them.

    The file is removed at once (the open handle keeps it readable), so nothing is left behind whatever
    happens to the request; a slow reader holds one chunk in this process, not the answer."""

    CHUNK = 64 << 10

    def __init__(self, path: str, media_type: str, headers: dict[str, str], send_timeout: float) -> None:
        self.send_timeout = send_timeout
        self.file = open(path, "rb")  # noqa: SIM115 - closed once sent, or with the response
        os.unlink(path)
        size = os.fstat(self.file.fileno()).st_size
        super().__init__(None, media_type=media_type, headers={**headers, "Content-Length": str(size)})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with self.file:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            if scope["method"] == "HEAD":
                await send({"type": "http.response.body", "body": b""})
                return
            while chunk := self.file.read(self.CHUNK):
                try:  # a client that stops reading is let go, with its file and its connection
                    await asyncio.wait_for(send({"type": "http.response.body", "body": chunk, "more_body": True}),
                                           self.send_timeout)
                except TimeoutError:
                    return
            await send({"type": "http.response.body", "body": b""})


def answer_response(config: ServerConfig, answer: Answer, extra: dict[str, str] | None = None) -> Response:
    """An answer with the row-cap and byte-cap headers (X-SPARQL-*)."""
    headers = {"Vary": "Accept", "X-SPARQL-Max-Rows": str(config.max_rows),
               "X-SPARQL-Max-Bytes": str(config.settings.max_answer_bytes),
               "X-SPARQL-Time-Ms": f"{answer.elapsed_ms:.1f}", **(extra or {})}
    if answer.rows is not None:
        headers["X-SPARQL-Rows"] = str(answer.rows)
        headers["X-SPARQL-Truncated"] = "true" if answer.truncated else "false"
    media = answer.media_type
    if media.startswith("text/") or media.endswith("+xml"):
        media += "; charset=utf-8"
    if answer.spool is not None:
        return SpooledResponse(answer.spool, media, headers, SEND_TIMEOUT_FACTOR * config.settings.read_timeout)
    return Response(answer.body, media_type=media, headers=headers)


def rdf_response(triples: list[ox.Triple], media_type: str, headers: dict[str, str] | None = None) -> Response:
    """Triples the server made itself (service description, VoID), with the usual prefixes where they help."""
    body = rdf_bytes(triples, GRAPH_MEDIA_TYPES[media_type],
                     PREFIXES if media_type in ("text/turtle", "application/ld+json") else None)
    media = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    return Response(body, media_type=media, headers={"Vary": "Accept", **(headers or {})})
