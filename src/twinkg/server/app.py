"""The application factory: routes, middleware, error handlers, the store's lifetime.

The app holds no state of its own beyond configuration and the response
cache: every answer comes from the store or from the build's files, so
several replicas can run behind a load balancer. Middleware is listed in
`middleware()`; a new one (limits, fairness) is one more entry there.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from twinkg import __version__
from twinkg.errors import StoreError, TwinkgError
from twinkg.server import errors
from twinkg.server.access_log import AccessLog
from twinkg.server.cache import ResponseCache, cached
from twinkg.server.config import ServerConfig
from twinkg.server.conneg import RESULTS
from twinkg.server.discovery import robots, sitemap
from twinkg.server.fairness import ClientAddress
from twinkg.server.files import dump, void
from twinkg.server.headers import SecurityHeaders
from twinkg.server.linked_data import context_document, data_document, dereference
from twinkg.server.protocol import ROW_HEADERS
from twinkg.server.render import HERE
from twinkg.server.sparql import endpoint
from twinkg.server.views import dataset, listings, resources, suggest, twinnings, workbench
from twinkg.store import Cost, QueryRequest

SPARQL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]
"""Methods /sparql accepts so that it can answer the wrong ones with the protocol's own 405 message."""


async def healthz(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    start = time.perf_counter()
    problem = None
    try:
        await config.store.run(QueryRequest("ASK { }", RESULTS, cost=Cost.LIGHT))
    except StoreError as exc:
        problem = str(exc)
    return JSONResponse({"status": "failing" if problem else "ok", "store": config.store.description,
                         "version": __version__, "query_ms": round((time.perf_counter() - start) * 1000, 2),
                         **({"error": problem} if problem else {})},
                        status_code=503 if problem else 200, headers={"Cache-Control": "no-store"})


def routes() -> list[BaseRoute]:
    """The protocol and data routes, then the pages' (each views module lists its own)."""
    sparql = endpoint(workbench.query_page)
    return [
        Route("/sparql", sparql, methods=SPARQL_METHODS, name="sparql"),
        Route("/sparql/", sparql, methods=SPARQL_METHODS),
        Route("/id/{rest:path}", dereference),
        Route("/vocab/{rest:path}", dereference),
        Route("/data/{local:path}.{ext:str}", cached(data_document), name="data"),
        Route("/dumps/{name:str}", dump, name="dump"),
        Route("/void", void, name="void"),
        Route("/.well-known/void", void),
        Route("/context.jsonld", context_document, name="context"),
        Route("/robots.txt", robots, name="robots"),
        Route("/sitemap.xml", sitemap, name="sitemap"),
        Route("/healthz", healthz, name="healthz"),
        *listings.routes, *suggest.routes, *resources.routes, *dataset.routes, *twinnings.routes,
        *workbench.routes,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]


def middleware() -> list[Middleware]:
    return [Middleware(ClientAddress), Middleware(SecurityHeaders),
            Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                       allow_headers=["Accept", "Content-Type"], allow_credentials=False,
                       expose_headers=list(ROW_HEADERS), max_age=86400)]


def create_app(config: ServerConfig) -> ASGIApp:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await config.store.start()
        try:
            await config.checker.start()  # in the background, once the store answers: /healthz does not wait for it
            try:
                yield
            finally:
                await config.checker.close()
        finally:
            await config.store.close()

    app = Starlette(routes=routes(), lifespan=lifespan, middleware=middleware(),
                    exception_handlers={404: errors.not_found, 405: errors.method_not_allowed,
                                        TwinkgError: errors.handle,
                                        ClientDisconnect: errors.client_gone})
    app.state.config = config
    app.state.cache = ResponseCache(config.settings.page_cache_bytes)
    return AccessLog(app)
