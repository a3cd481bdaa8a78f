"""`twinkg serve`: the web layer over the embedded store or a remote SPARQL store.

`create_app` (in app.py) builds the ASGI app from a ServerConfig; `serve`
here prepares what it needs (a fresh build, the on-disk store) and runs it
under uvicorn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    sparql_endpoint: str | None = None
    timeout: float = 5.0
    max_rows: int = 10_000
    workers: int = 2
    fast_workers: int = 2
    max_request_bytes: int = 1 << 20
    access_log: bool = True


def make_config(settings, options: ServeOptions, progress: Progress):  # type: ignore[no-untyped-def]
    """The store and app configuration for `twinkg serve` (building and loading as needed).

    The server pins the build it starts with (twinkg.output): it serves that build as a whole, its
    files and its store, until it is restarted, and no rebuild removes it meanwhile."""
    from twinkg import output
    from twinkg.server.app import ServerConfig
    from twinkg.store import EmbeddedStore, RemoteStore, store_for_dump

    extra = {}
    if options.sparql_endpoint:
        store = RemoteStore(options.sparql_endpoint, timeout=options.timeout)
        out_dir = None
        if output.current(settings.out_dir) is not None:
            extra["pin"] = output.pin(settings.out_dir)
            out_dir = extra["pin"].path
    else:
        extra["pin"] = output.pin(settings.out_dir)
        out_dir = extra["pin"].path
        progress(f"loading {out_dir / 'twinkg.nq.gz'} into the embedded store")
        store = EmbeddedStore(store_for_dump(out_dir), workers=options.workers, timeout=options.timeout,
                              fast_workers=options.fast_workers)
    return ServerConfig(store=store, base=settings.base, out_dir=out_dir, queries_dir=settings.queries_dir,
                        timeout=options.timeout, max_rows=options.max_rows,
                        max_request_bytes=options.max_request_bytes, extra=extra)


def run(config, options: ServeOptions) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    from twinkg.server.app import configure_access_log, create_app

    if options.access_log:
        configure_access_log()
    uvicorn.run(create_app(config), host=options.host, port=options.port, log_level="warning",
                access_log=False, http="httptools", loop="uvloop", server_header=False,
                timeout_graceful_shutdown=5)
