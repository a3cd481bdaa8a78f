"""The web application: SPARQL endpoint, dereferenceable IRIs, pages, dumps, health.

The app holds no state of its own beyond configuration: every answer comes
from the store (embedded worker pool or remote endpoint) or from the build's
files, so several replicas can run behind a load balancer.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import json
import logging
import re
import sys
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from twinkg import __version__
from twinkg.output import FILES, NQ_DUMP, SUMS, read_checksums
from twinkg.query_text import QueryTextError, analyse
from twinkg.server import conneg
from twinkg.store import GRAPH_FORMATS, Answer, QueryRequest, Store
from twinkg.vocab import PREFIXES, RDF, SD, Iris

HERE = Path(__file__).parent
ROW_HEADERS = ("X-SPARQL-Max-Rows", "X-SPARQL-Rows", "X-SPARQL-Truncated", "X-SPARQL-Time-Ms")
access_log = logging.getLogger("twinkg.access")

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$")


@dataclass
class ServerConfig:
    store: Store
    base: str
    out_dir: Path | None
    queries_dir: Path | None = None
    timeout: float = 5.0
    max_rows: int = 10_000
    max_request_bytes: int = 1 << 20
    page_cache_bytes: int = 32 << 20
    """Bound of the cache of rendered pages and data documents (0: no cache)."""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def iris(self) -> Iris:
        return Iris(self.base)


def text_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


# --------------------------------------------------------------------------- access log (pure ASGI, cheap)

class AccessLog:
    """One JSON line per request: time, method, path, status, duration in ms, response bytes."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        seen = {"status": 500, "bytes": 0}

        async def logging_send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, logging_send)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(json.dumps({
                    "ts": round(time.time(), 3), "method": scope["method"], "path": scope["path"],
                    "status": seen["status"], "ms": round((time.perf_counter() - start) * 1000, 2),
                    "bytes": seen["bytes"],
                    "client": (scope.get("client") or ("", 0))[0],
                }, separators=(",", ":")))


def configure_access_log(stream: Any = None) -> None:
    if access_log.handlers:
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False


# --------------------------------------------------------------------------- cache of rendered responses

class ResponseCache:
    """Rendered pages and data documents by (dump digest, path, query, Accept), least recently used out first.

    Everything in it is derived from the store, which only changes with the dump: the key starts with the
    dump's SHA-256 (from SHA256SUMS, re-read when that file changes), so a new dump is never answered from an
    old page. Only for the embedded store: a remote store can change without the dump changing."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[tuple[str, ...], tuple[int, bytes, list[tuple[bytes, bytes]]]] = OrderedDict()
        self._sums: tuple[tuple[int, int, int], str] | None = None
        self.hits = self.misses = 0

    def digest(self, config: ServerConfig) -> str | None:
        if self.max_bytes <= 0 or config.out_dir is None or config.store.description != "embedded":
            return None
        try:
            st = (config.out_dir / SUMS).stat()
        except OSError:
            return None
        mark = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._sums is None or self._sums[0] != mark:
            self._sums = (mark, dump_files(config.out_dir).get(NQ_DUMP, ""))
            self.entries.clear()
            self.size = 0
        return self._sums[1] or None

    def get(self, key: tuple[str, ...]) -> tuple[int, bytes, list[tuple[bytes, bytes]]] | None:
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
            self.hits += 1
        else:
            self.misses += 1
        return found

    def put(self, key: tuple[str, ...], value: tuple[int, bytes, list[tuple[bytes, bytes]]]) -> None:
        cost = len(value[1]) + 200
        if cost > self.max_bytes // 8:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old[1]) + 200
        self.entries[key] = value
        self.size += cost
        while self.size > self.max_bytes:
            _, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped[1]) + 200


def _not_modified(request: Request, etag: str) -> bool:
    inm = request.headers.get("if-none-match")
    if inm is None:
        return False
    tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
    return etag in tags or "*" in tags


def cached(handler: Any) -> Any:
    """Serve a GET from the response cache; store 200 answers; give them an ETag and answer If-None-Match."""

    async def wrapped(request: Request) -> Response:
        config: ServerConfig = request.app.state.config
        cache: ResponseCache = request.app.state.cache
        digest = cache.digest(config) if request.method in ("GET", "HEAD") else None
        if digest is None:
            return await handler(request)
        key = (digest, request.url.path, request.url.query, request.headers.get("accept", ""))
        found = cache.get(key)
        if found is None:
            response = await handler(request)
            if response.status_code != 200 or not hasattr(response, "body"):
                return response
            body = bytes(response.body)
            etag = '"' + hashlib.blake2b(digest.encode() + body, digest_size=12).hexdigest() + '"'
            headers = [(k, v) for k, v in response.raw_headers if k not in (b"content-length", b"etag")]
            headers.append((b"etag", etag.encode()))
            found = (200, body, headers)
            cache.put(key, found)
        status, body, headers = found
        etag = next(v for k, v in headers if k == b"etag").decode()
        if _not_modified(request, etag):
            response = Response(status_code=304)
            response.raw_headers = [(k, v) for k, v in headers if k in (b"etag", b"vary", b"link", b"cache-control")]
            return response
        response = Response(body, status_code=status)
        response.raw_headers = [*headers, (b"content-length", str(len(body)).encode())]
        return response

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


async def _cached_exists(request: Request, config: ServerConfig, iri: str) -> bool:
    cache: ResponseCache = request.app.state.cache
    digest = cache.digest(config)
    key = (digest or "", "exists", iri, "")
    if digest is not None and cache.get(key) is not None:
        return True
    found = await exists(config, iri)
    if found and digest is not None:
        cache.put(key, (200, b"", []))
    return found


# --------------------------------------------------------------------------- the SPARQL protocol

class ProtocolError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers


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
    if request.method == "GET":
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
                            {"Allow": "GET, POST, OPTIONS"})
    names = [k for k, _ in params]
    if "update" in names:
        raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are not accepted")
    queries = [v for k, v in params if k == "query"]
    if len(queries) > 1:
        raise ProtocolError(400, "give exactly one query parameter")
    return (queries[0] if queries else None), params


@dataclass
class Prepared:
    request: QueryRequest
    form: str | None


async def prepare(config: ServerConfig, query: str, params: list[tuple[str, str]], media_type: str | None,
                  accept: str | None, base_iri: str | None = None, max_rows: int | None = None) -> Prepared:
    """Check a query before it runs: its safety, its dataset, the media type and the row cap."""
    try:
        info = analyse(query, PREFIXES)
    except QueryTextError as exc:
        raise ProtocolError(400, f"SPARQL syntax error: {exc}") from None
    if info.uses_service:
        raise ProtocolError(400, "SERVICE is refused: this endpoint never calls other endpoints")
    if info.from_graphs or info.from_named_graphs:
        known = await config.store.graph_names()
        outside = [g for g in info.from_graphs + info.from_named_graphs if g not in known]
        if outside:
            raise ProtocolError(400, "FROM/FROM NAMED may only name graphs of this store (remote graphs are never "
                                     f"fetched): {', '.join('<' + g + '>' for g in outside)} is not one of them; "
                                     f"the graphs are {', '.join('<' + g + '>' for g in sorted(known))}")
    offers = conneg.GRAPH_OFFERS if info.form in ("CONSTRUCT", "DESCRIBE") else conneg.RESULT_OFFERS
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
    if info.form == "SELECT" and (info.limit is None or info.limit > cap):
        text = info.with_limit(query, cap + 1)
    dataset: dict[str, Any] = {}
    if default or named:
        dataset = {"default_graphs": default, "named_graphs": named}
    elif info.from_graphs or info.from_named_graphs:
        dataset = {"union_default": False}
    return Prepared(QueryRequest(text, media_type, max_rows=cap, form=info.form, prefixes=PREFIXES,
                                 base_iri=base_iri, **dataset), info.form)


def answer_response(config: ServerConfig, answer: Answer, extra: dict[str, str] | None = None) -> Response:
    headers = {"Vary": "Accept", "X-SPARQL-Max-Rows": str(config.max_rows),
               "X-SPARQL-Time-Ms": f"{answer.elapsed_ms:.1f}"}
    if extra:
        headers.update(extra)
    if answer.status != 200:
        if answer.status == 503:
            headers["Retry-After"] = "1"
        return text_error(answer.status, answer.message, headers)
    if answer.rows is not None:
        headers["X-SPARQL-Rows"] = str(answer.rows)
        headers["X-SPARQL-Truncated"] = "true" if answer.truncated else "false"
    media = answer.media_type
    if media.startswith("text/") or media.endswith("+xml"):
        media += "; charset=utf-8"
    return Response(answer.body, media_type=media, headers=headers)


PAGE_ROWS = 100_000
"""The row cap of the app's own queries (pages, data documents); they bound themselves with LIMIT."""


async def run_query(config: ServerConfig, query: str, media_type: str | None = None,
                    params: list[tuple[str, str]] | None = None, accept: str | None = None,
                    max_rows: int | None = PAGE_ROWS) -> Answer:
    """Prepare and run a query for the app's own pages (raises ProtocolError on refusal)."""
    prepared = await prepare(config, query, params or [], media_type, accept, max_rows=max_rows)
    return await config.store.run(prepared.request)


async def select(config: ServerConfig, query: str) -> list[dict[str, dict[str, str]]]:
    """Run a SELECT of the app's own and give its bindings (SPARQL JSON, parsed)."""
    answer = await run_query(config, query, conneg.RESULTS)
    if answer.status != 200:
        raise ProtocolError(answer.status if answer.status >= 500 else 500, answer.message)
    return json.loads(answer.body)["results"]["bindings"]


def service_description(config: ServerConfig, endpoint: str, graphs: frozenset[str]) -> list[ox.Triple]:
    n = ox.NamedNode
    a = n(RDF + "type")
    svc = n(endpoint)
    ds = ox.BlankNode("dataset")
    dg = ox.BlankNode("default")
    triples = [
        ox.Triple(svc, a, n(SD + "Service")),
        ox.Triple(svc, n(SD + "endpoint"), svc),
        ox.Triple(svc, n(SD + "supportedLanguage"), n(SD + "SPARQL11Query")),
        ox.Triple(svc, n(SD + "feature"), n(SD + "UnionDefaultGraph")),
        ox.Triple(svc, n(SD + "defaultDataset"), ds),
        ox.Triple(ds, a, n(SD + "Dataset")),
        ox.Triple(ds, n("http://purl.org/dc/terms/source"), n(config.iris.dataset())),
        ox.Triple(ds, n(SD + "defaultGraph"), dg),
        ox.Triple(dg, a, n(SD + "Graph")),
        ox.Triple(svc, n("http://www.w3.org/2000/01/rdf-schema#comment"), ox.Literal(
            f"twinkg {__version__}: read-only; SERVICE and FROM of graphs outside the store are refused; "
            f"queries stop after {config.timeout:g} s; at most {config.max_rows} rows or triples per answer "
            "(announced in the X-SPARQL-Max-Rows header, X-SPARQL-Truncated says when it applied).", language="en")),
    ]
    for media in list(conneg.FORMAT_NAMES.values()):
        if media != "text/html":
            triples.append(ox.Triple(svc, n(SD + "resultFormat"), n(f"https://www.iana.org/assignments/media-types/{media}")))
    for i, g in enumerate(sorted(graphs)):
        ng = ox.BlankNode(f"graph{i}")
        triples += [ox.Triple(ds, n(SD + "namedGraph"), ng), ox.Triple(ng, a, n(SD + "NamedGraph")),
                    ox.Triple(ng, n(SD + "name"), n(g))]
    return triples


def rdf_response(triples: list[ox.Triple], media_type: str, headers: dict[str, str] | None = None) -> Response:
    body = ox.serialize(triples, format=GRAPH_FORMATS[media_type],
                        prefixes=PREFIXES if media_type in ("text/turtle", "application/ld+json") else None)
    media = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    return Response(body, media_type=media, headers={"Vary": "Accept", **(headers or {})})


async def sparql(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    try:
        query, params = await read_protocol_request(request, config.max_request_bytes)
        accept = request.headers.get("accept")
        if query is None:
            if conneg.prefers_html(accept, conneg.GRAPH_OFFERS):
                from twinkg.server.pages import query_page
                return await query_page(request)
            media = conneg.choose(conneg.GRAPH_OFFERS, accept, request.query_params.get("format"))
            if media is None:
                raise ProtocolError(406, "the service description is available as " + ", ".join(GRAPH_FORMATS))
            graphs = await config.store.graph_names()
            return rdf_response(service_description(config, str(request.url_for("sparql")), graphs), media)
        if request.query_params.get("format") is None and conneg.prefers_html(accept, conneg.RESULT_OFFERS):
            from twinkg.server.pages import query_page
            return await query_page(request, query)
        prepared = await prepare(config, query, params, None, accept, str(request.url_for("sparql")))
        answer = await config.store.run(prepared.request)
        return answer_response(config, answer)
    except ProtocolError as exc:
        return text_error(exc.status, str(exc), {"Vary": "Accept", **(exc.headers or {})})


# --------------------------------------------------------------------------- linked data

def iri_for_path(config: ServerConfig, path: str) -> str:
    return config.base + path.lstrip("/")


async def exists(config: ServerConfig, iri: str) -> bool:
    answer = await run_query(config, f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}", conneg.RESULTS)
    return answer.status == 200 and b"true" in answer.body


def _safe_local(path: str) -> bool:
    return bool(path) and all(c not in path for c in '<>"{}|^`\\ \n\r\t')


async def dereference(request: Request) -> Response:
    """/id/…, /vocab/…: 303 to the HTML page or the data document, by Accept; 404 for what is not in the graph."""
    config: ServerConfig = request.app.state.config
    local = request.url.path.lstrip("/")
    if not _safe_local(local) or not await _cached_exists(request, config, iri_for_path(config, local)):
        return await not_found(request)
    accept = request.headers.get("accept")
    if conneg.prefers_html(accept, conneg.GRAPH_OFFERS) or not accept:
        target = f"/page/{local}"
    else:
        media = conneg.choose(conneg.GRAPH_OFFERS, accept, request.query_params.get("format"))
        if media is None:
            return text_error(406, "available: text/html, " + ", ".join(GRAPH_FORMATS), {"Vary": "Accept"})
        target = f"/data/{local}.{conneg.EXTENSION_OF[media]}"
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


def resource_construct(iri: str) -> str:
    """The resource's own statements, its blank nodes, and its sub-resources (geometry, names, roles)."""
    return (f"CONSTRUCT {{ <{iri}> ?p ?o . ?o ?p2 ?o2 }} WHERE {{ <{iri}> ?p ?o "
            f"OPTIONAL {{ ?o ?p2 ?o2 FILTER(isBlank(?o) || STRSTARTS(STR(?o), \"{iri}/\")) }} }}")


async def data_document(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    local, ext = request.path_params["local"], request.path_params["ext"]
    media = conneg.EXTENSIONS.get(ext)
    if media is None or not _safe_local(local):
        return await not_found(request)
    iri = iri_for_path(config, local)
    if not await _cached_exists(request, config, iri):
        return await not_found(request)
    answer = await run_query(config, resource_construct(iri), media)
    if answer.status == 200:
        answer.body = _with_prefixes(answer.body, media)
    response = answer_response(config, answer, {"Link": f'<{iri}>; rel="describes"'})
    if "vary" in response.headers:
        del response.headers["vary"]
    return response


def _with_prefixes(body: bytes, media: str) -> bytes:
    if media not in ("text/turtle", "application/ld+json"):
        return body
    triples = list(ox.parse(body, format=GRAPH_FORMATS[media]))
    return ox.serialize(triples, format=GRAPH_FORMATS[media], prefixes=PREFIXES)


# --------------------------------------------------------------------------- dumps, VoID, health

def _http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


def dump_files(out_dir: Path) -> dict[str, str]:
    """The build's files with their SHA-256 (from SHA256SUMS), by file name."""
    if not (out_dir / SUMS).is_file():
        return {}
    return {**read_checksums(out_dir), SUMS: ""}


async def dump(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    name = request.path_params["name"]
    if config.out_dir is None:
        return await not_found(request)
    files = dump_files(config.out_dir)
    if name not in files:
        return await not_found(request)
    path = config.out_dir / name
    try:
        stat = path.stat()
    except OSError:
        return await not_found(request)
    digest = files[name] or f"{int(stat.st_mtime)}-{stat.st_size}"
    etag = f'"{digest[:32]}"'
    headers = {"ETag": etag, "Last-Modified": _http_date(stat.st_mtime), "Cache-Control": "public, max-age=300"}
    if files[name]:
        headers["Digest"] = f"sha-256={files[name]}"
    inm = request.headers.get("if-none-match")
    ims = request.headers.get("if-modified-since")
    not_modified = False
    if inm is not None:
        not_modified = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
    elif ims is not None:
        try:
            since = email.utils.parsedate_to_datetime(ims).timestamp()
            not_modified = int(stat.st_mtime) <= since <= time.time()  # a date in the future is invalid (RFC 9110)
        except (TypeError, ValueError):
            not_modified = False
    if not_modified:
        return Response(status_code=304, headers=headers)
    media = FILES[name].content_type if name in FILES else "application/octet-stream"
    response = FileResponse(path, media_type=media, headers=headers, stat_result=stat)
    return response


async def void(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    if config.out_dir is None or not (config.out_dir / "void.ttl").is_file():
        iri = config.iris.graph("meta")
        answer = await run_query(config, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}",
                                 conneg.choose(conneg.GRAPH_OFFERS, request.headers.get("accept")) or "text/turtle")
        return answer_response(config, answer)
    media = conneg.choose(conneg.GRAPH_OFFERS, request.headers.get("accept"), request.query_params.get("format"))
    if media is None:
        if request.query_params.get("format"):
            return text_error(406, "VoID is available as " + ", ".join(GRAPH_FORMATS), {"Vary": "Accept"})
        media = "text/turtle"
    data = (config.out_dir / "void.ttl").read_bytes()
    if media == "text/turtle":
        return Response(data, media_type="text/turtle; charset=utf-8", headers={"Vary": "Accept"})
    return rdf_response(list(ox.parse(data, format=ox.RdfFormat.TURTLE)), media)


async def healthz(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    start = time.perf_counter()
    answer = await config.store.run(QueryRequest("ASK { }", conneg.RESULTS))
    ok = answer.status == 200
    return JSONResponse({"status": "ok" if ok else "failing", "store": config.store.description,
                         "version": __version__, "query_ms": round((time.perf_counter() - start) * 1000, 2),
                         **({} if ok else {"error": answer.message})},
                        status_code=200 if ok else 503, headers={"Cache-Control": "no-store"})


async def not_found(request: Request, exc: Exception | None = None) -> Response:
    from twinkg.server.pages import render

    accept = request.headers.get("accept", "")
    if "html" in accept:
        return render(request, "error.html", {"status": 404, "title": "Not found",
                                              "message": f"{request.url.path} is not part of this graph."}, 404)
    return text_error(404, f"{request.url.path} is not part of this graph")


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    return text_error(405, f"{request.method} is not allowed on {request.url.path}", {"Allow": "GET, HEAD"})


# --------------------------------------------------------------------------- the app

def create_app(config: ServerConfig) -> Any:
    from twinkg.server import pages

    routes = [
        Route("/", cached(pages.home), name="home"),
        Route("/sparql", sparql, methods=["GET", "POST", "PUT", "DELETE", "PATCH"], name="sparql"),
        Route("/sparql/", sparql, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/query", pages.query_page, name="query"),
        Route("/query/vocabulary.json", cached(pages.query_vocabulary), name="query-vocabulary"),
        Route("/id/{rest:path}", dereference),
        Route("/vocab/{rest:path}", dereference),
        Route("/page/{local:path}", cached(pages.resource_page), name="page"),
        Route("/data/{local:path}.{ext:str}", cached(data_document), name="data"),
        Route("/ontology", cached(pages.ontology_page), name="ontology"),
        Route("/dataset", cached(pages.dataset_page), name="dataset"),
        Route("/dumps/", pages.dataset_page),
        Route("/dumps/{name:str}", dump, name="dump"),
        Route("/void", void, name="void"),
        Route("/.well-known/void", void),
        Route("/healthz", healthz, name="healthz"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):  # type: ignore[no-untyped-def]
        await config.store.start()
        try:
            yield
        finally:
            await config.store.close()

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: method_not_allowed},
                    middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                                           allow_headers=["Accept", "Content-Type"], allow_credentials=False,
                                           expose_headers=list(ROW_HEADERS), max_age=86400)])
    app.state.config = config
    app.state.cache = ResponseCache(config.page_cache_bytes)
    return AccessLog(app)


def page_href(config: ServerConfig, iri: str) -> str | None:
    """Where a graph IRI is served on this server (None for IRIs outside the base)."""
    if iri.startswith(config.base):
        local = iri[len(config.base):]
        if local.startswith(("id/", "vocab/")):
            return "/page/" + quote(local, safe="/:@-._~!$&'()*+,;=")
        if local.startswith("ontology"):
            return "/ontology" + ("#" + local.split("#", 1)[1] if "#" in local else "")
        if local == "dataset" or local.startswith("graph/"):
            return "/dataset"
        if local.startswith("dumps/"):
            return "/" + local
    if iri.startswith("https://w3id.org/twinkg/ontology"):
        return "/ontology" + ("#" + iri.split("#", 1)[1] if "#" in iri else "")
    return None


def query_link(query: str) -> str:
    return "/query?" + urlencode({"query": query})


