"""/sparql: the SPARQL 1.1 Protocol endpoint and its service description.

A browser asking /sparql for HTML gets the query page; which page that is the app decides (`endpoint(page)`),
so that the protocol does not depend on the pages."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from twinkg import __version__
from twinkg.formats import GRAPH_MEDIA_TYPES
from twinkg.server import conneg
from twinkg.server.config import ServerConfig
from twinkg.server.errors import ProtocolError
from twinkg.server.protocol import (
    SPOOL_OVER,
    answer_response,
    prepare,
    rdf_response,
    read_protocol_request,
)
from twinkg.vocab import RDF, SD

QueryPage = Callable[[Request, str | None], Awaitable[Response]]
"""The page a browser gets: for a query (its answer as a table), or for none (the editor)."""
Endpoint = Callable[[Request], Awaitable[Response]]


def endpoint(query_page: QueryPage) -> Endpoint:
    """The /sparql handler, showing `query_page` to a browser that prefers HTML."""

    async def sparql(request: Request) -> Response:
        return await answer(request, query_page)

    return sparql


async def answer(request: Request, query_page: QueryPage) -> Response:
    config: ServerConfig = request.app.state.config
    query, params = await read_protocol_request(request, config.settings.max_request_bytes)
    accept = request.headers.get("accept")
    if query is None:
        if conneg.prefers_html(accept, conneg.GRAPH_OFFERS):
            return await query_page(request, None)
        media = conneg.choose(conneg.GRAPH_OFFERS, accept, request.query_params.get("format"))
        if media is None:
            raise ProtocolError(406, "the service description is available as " + ", ".join(GRAPH_MEDIA_TYPES))
        graphs = await config.store.graph_names()
        return rdf_response(service_description(config, str(request.url_for("sparql")), graphs), media)
    if request.query_params.get("format") is None and conneg.prefers_html(accept, conneg.RESULT_OFFERS):
        return await query_page(request, query)
    prepared = await prepare(config, query, params, None, accept, str(request.url_for("sparql")))
    return answer_response(config, await config.store.run(dataclasses.replace(prepared, spool_over=SPOOL_OVER)))


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
            f"queries stop after {config.timeout:g} s; at most {config.max_rows} rows or triples and "
            f"{config.settings.max_answer_bytes} bytes per answer (announced in the X-SPARQL-Max-Rows and "
            "X-SPARQL-Max-Bytes headers, X-SPARQL-Truncated says when one applied).", language="en")),
    ]
    for media in list(conneg.FORMAT_NAMES.values()):
        if media != "text/html":
            triples.append(ox.Triple(svc, n(SD + "resultFormat"), n(f"https://www.iana.org/assignments/media-types/{media}")))
    for i, g in enumerate(sorted(graphs)):
        ng = ox.BlankNode(f"graph{i}")
        triples += [ox.Triple(ds, n(SD + "namedGraph"), ng), ox.Triple(ng, a, n(SD + "NamedGraph")),
                    ox.Triple(ng, n(SD + "name"), n(g))]
    return triples
