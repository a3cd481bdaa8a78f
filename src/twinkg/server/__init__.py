"""`twinkg serve`: the web layer over the embedded store or a remote SPARQL store.

`create_app` (app.py) builds the ASGI app from a ServerConfig; `make_config`
here prepares what it needs (the on-disk store, or the remote one) and `run`
runs it under uvicorn. The modules, by concern:

- app: factory, routes, middleware, health;  errors: errors → HTTP, in one place;
- protocol: reading SPARQL requests, the query policy, answers with row-cap headers;
- sparql: the /sparql route and service description;  queries: the pages' own queries;
- linked_data: /id/…, /vocab/…, /data/…;  files: /dumps/…, /void;
- views/ + render + templates/: HTML pages (resources, listings, dataset, workbench);  cache: rendered responses, ETag;
- fairness: per-client concurrency, heavy clients off the fast lane;
- http: the HTTP layer's limits (deadlines, head size, connections);  headers: CSP on HTML, plain OPTIONS;
- access_log;  conneg: media types from Accept;  urls: IRIs ↔ local paths;  config.
"""

from __future__ import annotations

import uvicorn

from twinkg import output
from twinkg.config import Progress, Settings
from twinkg.server.access_log import configure_access_log
from twinkg.server.app import create_app
from twinkg.server.config import ServerConfig
from twinkg.server.fairness import FairStore
from twinkg.server.http import HttpLimits, protocol_for
from twinkg.store import Store
from twinkg.store.checking import WorkerChecker
from twinkg.store.loading import store_for_dump
from twinkg.store.pool import EmbeddedStore
from twinkg.store.remote import ADAPTERS, RemoteStore


def make_config(settings: Settings, progress: Progress) -> ServerConfig:
    """The store and app configuration for `twinkg serve` (loading the dump as needed).

    The server pins the build it starts with (twinkg.output): it serves that build as a whole, its
    files and its store, until it is restarted, and no rebuild removes it meanwhile."""
    store: Store
    pin: output.Pin | None = None
    if settings.sparql_endpoint:
        store = RemoteStore(settings.sparql_endpoint, timeout=settings.timeout,
                            adapter=ADAPTERS[settings.sparql_endpoint_kind])
        if output.current(settings.out_dir) is not None:
            pin = output.pin(settings.out_dir)
    else:
        pin = output.pin(settings.out_dir)
        progress(f"loading {pin.path / output.NQ_DUMP} into the embedded store")
        store = EmbeddedStore(store_for_dump(pin.path), workers=settings.workers, timeout=settings.timeout,
                              startup_timeout=settings.startup_timeout, fast_workers=settings.fast_workers,
                              memory_bytes=settings.worker_memory_bytes)
    fair = FairStore(store, per_client=settings.max_queries_per_client, timeout=settings.timeout)
    checker = WorkerChecker(settings.timeout, settings.startup_timeout, settings.worker_memory_bytes)
    return ServerConfig(store=fair, settings=settings, out_dir=pin.path if pin else None, pin=pin, checker=checker)


def run(config: ServerConfig) -> None:
    if config.settings.access_log:
        configure_access_log()
    limits = HttpLimits.of(config.settings)
    uvicorn.run(create_app(config), host=config.settings.host, port=config.settings.port, log_level="warning",
                access_log=False, http=protocol_for(limits), loop="uvloop", server_header=False,
                timeout_keep_alive=int(limits.idle_timeout), timeout_graceful_shutdown=5)
