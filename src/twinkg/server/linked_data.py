"""Dereferencing the graph's IRIs: /id/… and /vocab/… redirect (303) to a page or a data document."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from twinkg import jsonld
from twinkg.config import packaged
from twinkg.formats import EXTENSION_OF, EXTENSIONS, GRAPH_MEDIA_TYPES, rdf_bytes
from twinkg.output import CONTEXT_FILE
from twinkg.publication import LICENSE
from twinkg.server import conneg
from twinkg.server.cache import remembered
from twinkg.server.config import ServerConfig
from twinkg.server.errors import ProtocolError, not_found
from twinkg.server.protocol import answer_response
from twinkg.server.queries import exists, resource_construct, run_query
from twinkg.server.urls import iri_for_path, safe_local
from twinkg.store import Store
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
            raise ProtocolError(406, "available: text/html, " + ", ".join(GRAPH_MEDIA_TYPES))
        target = f"/data/{local}.{EXTENSION_OF[media]}"
    return RedirectResponse(target, status_code=303,
                            headers={"Vary": "Accept", "Link": link_header(config, local, "describedby")})


def follows_incoming(config: ServerConfig, iri: str) -> bool:
    """Resources get the statements that point at them; concepts and the vocabulary do not (every twinning
    points at its status: thousands of statements that say nothing about the concept)."""
    return iri.startswith(config.base + "id/")


async def compacted_document(config: ServerConfig, iri: str) -> bytes:
    """The resource's data document as JSON-LD compacted with the published context."""
    answer = await run_query(config, resource_construct(iri, follows_incoming(config, iri)), "application/n-triples")
    triples = ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)
    return jsonld.compact_triples(triples, await published_context(config))


@functools.lru_cache(maxsize=4)
def _build_context(out_dir: Path) -> jsonld.Context:
    context: jsonld.Context = json.loads((out_dir / CONTEXT_FILE).read_bytes())
    return context


_derived: dict[int, tuple[Store, jsonld.Context]] = {}
"""Contexts derived from a store's ontology graph, by the store's id (the store is kept with it, so the id
is not reused); stores need not be hashable."""


async def published_context(config: ServerConfig) -> jsonld.Context:
    """The JSON-LD context of the build being served: its context.jsonld (a build's folder never changes);
    with no local build (a remote store alone), derived once from the ontology graph that store holds; only
    a store without one (a test's) gets the context of the package's own ontology."""
    if config.out_dir is not None and (config.out_dir / CONTEXT_FILE).is_file():
        return _build_context(config.out_dir)
    if id(config.store) not in _derived:
        answer = await run_query(config, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(config.iris.graph('ontology'))} "
                                 "{ ?s ?p ?o } }", "application/n-triples")
        ontology = list(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
        context = jsonld.context(ontology) if ontology else jsonld.context_of(packaged("ontology"))
        _derived[id(config.store)] = (config.store, context)
    return _derived[id(config.store)][1]


def data_links(local: str) -> dict[str, str]:
    """The data documents of a resource, by extension."""
    return {ext: f"/data/{local}.{ext}" for ext in EXTENSION_OF.values()}


def link_header(config: ServerConfig, local: str, rel: str, exclude: str | None = None) -> str:
    """`Link` to the resource's data documents (rel `alternate` from a page or another format,
    `describedby` from the IRI itself) and the licence."""
    media_of = {ext: media for media, ext in EXTENSION_OF.items()}
    entries = [f'<{href}>; rel="{rel}"; type="{media_of[ext]}"' for ext, href in data_links(local).items() if ext != exclude]
    return ", ".join([*entries, f'<{LICENSE}>; rel="license"'])


async def data_document(request: Request) -> Response:
    """/data/{local}.{ext}: the resource's statements in one RDF format."""
    config: ServerConfig = request.app.state.config
    local, ext = request.path_params["local"], request.path_params["ext"]
    media = EXTENSIONS.get(ext)
    if media is None or not safe_local(local):
        return await not_found(request)
    iri = iri_for_path(config.base, local)
    if not await in_graph(request, iri):
        return await not_found(request)
    links = f'<{iri}>; rel="describes", ' + link_header(config, local, "alternate", exclude=ext)
    if media == "application/ld+json":
        return Response(await compacted_document(config, iri), media_type=media, headers={"Link": links})
    answer = await run_query(config, resource_construct(iri, follows_incoming(config, iri)), media)
    answer.body = _with_prefixes(answer.body, media)
    response = answer_response(config, answer, {"Link": links})
    del response.headers["vary"]
    return response


def _with_prefixes(body: bytes, media: str) -> bytes:
    if media != "text/turtle":
        return body
    triples = list(ox.parse(body, format=GRAPH_MEDIA_TYPES[media]))
    return rdf_bytes(triples, GRAPH_MEDIA_TYPES[media], PREFIXES)


async def context_document(request: Request) -> Response:
    """/context.jsonld: the JSON-LD context of the dumps and data documents."""
    config: ServerConfig = request.app.state.config
    return Response(jsonld.render_context(await published_context(config)),
                    media_type="application/ld+json", headers={"Cache-Control": "public, max-age=3600"})
