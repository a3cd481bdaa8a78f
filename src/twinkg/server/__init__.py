"""`twinkg serve`: the web layer over the embedded store or a remote SPARQL store.

`create_app` (in app.py) builds the ASGI app from a ServerConfig; `serve`
here prepares what it needs (a fresh build, the on-disk store) and runs it
under uvicorn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
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


def newest_input(paths: list[Path]) -> float:
    """The latest modification time of any file under the given folders (0 if none)."""
    latest = 0.0
    for root in paths:
        if root.is_file():
            latest = max(latest, root.stat().st_mtime)
        elif root.is_dir():
            for path in root.rglob("*"):
                if path.is_file():
                    latest = max(latest, path.stat().st_mtime)
    return latest


def build_is_stale(out_dir: Path, inputs: list[Path]) -> bool:
    marker = out_dir / "SHA256SUMS"
    if not (out_dir / "twinkg.nq.gz").is_file() or not marker.is_file():
        return True
    return newest_input(inputs) > marker.stat().st_mtime


def make_config(settings, options: ServeOptions, progress: Progress):  # type: ignore[no-untyped-def]
    """The store and app configuration for `twinkg serve` (building and loading as needed)."""
    from twinkg.server.app import ServerConfig
    from twinkg.store import EmbeddedStore, RemoteStore, store_for_dump

    if options.sparql_endpoint:
        store = RemoteStore(options.sparql_endpoint, timeout=options.timeout)
        out_dir = settings.out_dir if (settings.out_dir / "SHA256SUMS").is_file() else None
    else:
        out_dir = settings.out_dir
        progress(f"loading {out_dir / 'twinkg.nq.gz'} into the embedded store")
        store = EmbeddedStore(store_for_dump(out_dir), workers=options.workers, timeout=options.timeout,
                              fast_workers=options.fast_workers)
    return ServerConfig(store=store, base=settings.base, out_dir=out_dir, queries_dir=settings.queries_dir,
                        timeout=options.timeout, max_rows=options.max_rows,
                        max_request_bytes=options.max_request_bytes)


def run(config, options: ServeOptions) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    from twinkg.server.app import configure_access_log, create_app

    if options.access_log:
        configure_access_log()
    uvicorn.run(create_app(config), host=options.host, port=options.port, log_level="warning",
                access_log=False, http="httptools", loop="uvloop", server_header=False,
                timeout_graceful_shutdown=5)
