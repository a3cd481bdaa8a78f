"""Settings shared by the commands: where things are, which base IRI to mint, the server's limits.

Defaults work with no configuration, in a checkout and from an installed wheel alike: the ontology,
shapes and example queries are the package's own data (`packaged`), the curated data and the output
folder are `data/` and `dist/` of the current folder. Each can be overridden on the command line or
through `TWINKG_*` environment variables. Each default is written once, here: the CLI's options take
their defaults from `Settings`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from twinkg.vocab import DEFAULT_BASE

Progress = Callable[[str], None]
"""How a long step reports what it is doing: one line at a time."""
Counter = Callable[[int, int], None]
"""How a batch job reports how far it got: (done, total)."""


def packaged(name: str) -> Path:
    """A folder of the package's data (ontology, shapes, queries), wherever the package is installed.

    In a checkout these are links to the top-level folders (the sources of truth the design names);
    a wheel holds copies of them (see pyproject.toml's package-data)."""
    return Path(str(files("twinkg").joinpath(name)))


def build_time() -> dt.datetime:
    """The build's timestamp: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        except ValueError:
            raise SystemExit(f"SOURCE_DATE_EPOCH must be an integer number of seconds, got {epoch!r}") from None
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(os.environ.get("TWINKG_DATA", "data")).absolute()
    out_dir: Path = Path(os.environ.get("TWINKG_OUT", "dist")).absolute()
    base: str = os.environ.get("TWINKG_BASE", DEFAULT_BASE)
    ontology_dir: Path = packaged("ontology")
    shapes_dir: Path = packaged("shapes")
    queries_dir: Path = packaged("queries")
    """The example queries the build publishes (queries.json) for the server's /query page."""
    built_at: dt.datetime = field(default_factory=build_time)
    shacl_engine: str = "compiled"
    """compiled (shapes as SPARQL on pyoxigraph) or pyshacl (the reference engine); see twinkg.validate."""
    # serving (twinkg serve)
    host: str = "127.0.0.1"
    port: int = 8080
    sparql_endpoint: str | None = None
    """A remote SPARQL 1.1 store to query instead of the embedded one."""
    sparql_endpoint_kind: str = "sparql11"
    """Which product the remote store is: a name in twinkg.store.remote.ADAPTERS."""
    timeout: float = 5.0
    """Seconds a query may run before it is stopped."""
    startup_timeout: float = 60.0
    """Seconds the store has for its start-up work (starting a query worker, listing the graphs): not a
    public query, so not held to `timeout`, and a loaded machine may start slowly."""
    max_rows: int = 10_000
    """Most rows (SELECT) or triples (CONSTRUCT/DESCRIBE) per answer."""
    workers: int = 2
    """Query worker processes of the embedded store (any query)."""
    fast_workers: int = 2
    """Extra workers kept for queries that ran fast last time."""
    max_request_bytes: int = 1 << 20
    max_answer_bytes: int = 32 << 20
    """Most bytes per answer; a larger one is cut at a row or triple (announced in X-SPARQL-Max-Bytes)."""
    worker_memory_bytes: int = 4 << 30
    """Address space of each query worker (RLIMIT_AS); a query needing more stops with 503 and the worker
    is replaced."""
    max_queries_per_client: int = 2
    """Queries of one client address in the store at once; more wait (up to the timeout, then 503)."""
    read_timeout: float = 10.0
    """Seconds a client has to send a request's head, and between chunks of its body (408 after)."""
    max_connections: int = 1000
    """Open connections in all; one more gets 503 and is closed (keep it under the file-descriptor limit)."""
    max_connections_per_client: int = 64
    """Open connections from one client address."""
    page_cache_bytes: int = 32 << 20
    """Bound of the cache of rendered pages and data documents (0: no cache)."""
    access_log: bool = True

    @property
    def wikidata_dir(self) -> Path:
        return self.data_dir / "wikidata"

    @property
    def snapshots_dir(self) -> Path:
        """The dated offline Wikidata extracts the build reads (`data/snapshots/`)."""
        return self.data_dir / "snapshots"
