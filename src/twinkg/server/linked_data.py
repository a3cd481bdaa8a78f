"""Dereferencing the graph's IRIs: /id/… and /vocab/… redirect (303) to a page or a data document."""

from __future__ import annotations

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from twinkg.server import conneg
from twinkg.server.cache import remembered
from twinkg.server.config import ServerConfig
from twinkg.server.errors import ProtocolError, not_found
from twinkg.server.protocol import answer_response
from twinkg.server.queries import exists, resource_construct, run_query
from twinkg.server.urls import iri_for_path, safe_local
from twinkg.store.results import GRAPH_FORMATS
from twinkg.vocab import PREFIXES


async def in_graph(request: Request, iri: str) -> bool:
    config: ServerConfig = request.app.state.config
    return await remembered(request, ("exists", iri, ""), lambda: exists(config, iri))


async def dereference(request: Request) -> Response:
    """303 to the HTML page or the data document, by Accept; 404 for what is not in the graph."""
    config: ServerConfig = request.app.state.config
    local = request.url.path.lstrip("/")
    if not safe_local(local) or not await in_graph(request, iri_for_path(config.base, local)):
        return await not_found(request)
    accept = request.headers.get("accept")
    if conneg.prefers_html(accept, conneg.GRAPH_OFFERS) or not accept:
        target = f"/page/{local}"
    else:
        media = conneg.choose(conneg.GRAPH_OFFERS, accept, request.query_params.get("format"))
        if media is None:
            raise ProtocolError(406, "available: text/html, " + ", ".join(GRAPH_FORMATS))
        target = f"/data/{local}.{conneg.EXTENSION_OF[media]}"
    return RedirectResponse(target, status_code=303, headers={"Vary": "Accept"})


async def data_document(request: Request) -> Response:
    """/data/{local}.{ext}: the resource's statements in one RDF format."""
    config: ServerConfig = request.app.state.config
    local, ext = request.path_params["local"], request.path_params["ext"]
    media = conneg.EXTENSIONS.get(ext)
    if media is None or not safe_local(local):
        return await not_found(request)
    iri = iri_for_path(config.base, local)
    if not await in_graph(request, iri):
        return await not_found(request)
    answer = await run_query(config, resource_construct(iri), media)
    answer.body = _with_prefixes(answer.body, media)
    response = answer_response(config, answer, {"Link": f'<{iri}>; rel="describes"'})
    del response.headers["vary"]
    return response


def _with_prefixes(body: bytes, media: str) -> bytes:
    if media not in ("text/turtle", "application/ld+json"):
        return body
    triples = list(ox.parse(body, format=GRAPH_FORMATS[media]))
    return ox.serialize(triples, format=GRAPH_FORMATS[media], prefixes=PREFIXES)
