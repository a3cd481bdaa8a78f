"""`twinkg publish --to URL`: load the build's named graphs into a SPARQL store over HTTP.

Uses the SPARQL 1.1 Graph Store Protocol (PUT replaces a graph). What
"atomically" means here: each graph of the dump is first PUT into a staging
graph with a unique name; when all uploads have succeeded, one SPARQL Update
request moves every staging graph onto its real name (`DROP SILENT GRAPH g ;
MOVE SILENT s TO g ; …`). Stores that run one update request as one
transaction (tested: Oxigraph, Virtuoso) switch all graphs at once: readers see the
old set or the new set, never a mix, and a failed upload leaves the published
graphs untouched (the staging graphs are removed). Without an update endpoint
each graph is replaced by a single PUT, which is atomic per graph only.

Only the swap has to be one transaction: nobody reads a staging graph by its
name, and a failed upload deletes them all. So where the store is Oxigraph
(its `Server` header), the staging graphs are uploaded with its bulk loader
(`?no_transaction`), which writes sorted files instead of one transaction
per graph: the default build's 58 MB wikidata graph went in 4–5 s of the
server's CPU instead of 17–27 s (bench/RESULTS.md). A graph under
BULK_MIN_BYTES goes in one transaction all the same: it is quicker there.

A first publish, into a store that says (404 to a GET) it holds none of the
graphs, has nothing to swap out: it loads each graph in place, bulk where the
store can, hidden meanwhile from every reader through twinkg by a marker graph
per graph (`LOADING_GRAPHS`, written in one update before the first upload and
dropped in one update after the last: `store.remote` leaves out a graph while
its marker is there). That spares the swap's rewrite of every triple (33–41 s
of Oxigraph's CPU for the default build). A failed first publish deletes what
it loaded, then the markers; one that is killed leaves its markers, so the
graphs stay hidden until the next publish, whose swap drops them.
"""

from __future__ import annotations

import gzip
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TextIO, cast
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from twinkg import http_client
from twinkg.errors import RemoteError
from twinkg.output import NQ_DUMP
from twinkg.vocab import LOADING_GRAPHS, STAGING_GRAPHS

UPLOAD_SECONDS = 300.0
"""Time allowed for each request: one upload carries a whole graph."""

BULK_LOADING = {"Oxigraph/": {"no_transaction": ""}}
"""Graph Store query parameters that load without a transaction, by the start of the store's `Server` header:
used only for a graph no reader through twinkg sees while it loads (a staging graph, or a graph a first publish
loads in place under its marker)."""


BULK_MIN_BYTES = 1_000_000
"""A graph smaller than this (as N-Triples) goes in one transaction even where the store has a bulk loader: Oxigraph's
costs 0.1–0.4 s of waiting a graph whatever its size (it writes and ingests files), more than one transaction of a
graph under about 1 MB takes (the default build's 700 kB curated graph: 0.08–0.25 s; bench/RESULTS.md)."""


def bulk_parameters(session: httpx.Client, store_url: str) -> dict[str, str]:
    """The store's parameters for loading a hidden graph without a transaction, from the `Server` headers of a
    HEAD of its Graph Store URL (a proxy in front may add its own); none when it is not known to have any, or does
    not answer (the upload then says why)."""
    try:
        servers = session.head(store_url).headers.get_list("server", split_commas=True)
    except (httpx.HTTPError, httpx.InvalidURL):
        return {}
    return next((params for product, params in BULK_LOADING.items()
                 if any(server.startswith(product) for server in servers)), {})


class PublishError(RemoteError):
    """The target store refused or failed an upload; the published graphs are as they were."""


def split_graphs(dump: Path, into: Path) -> dict[str, Path]:
    """Write each named graph of a gzipped N-Quads dump as its own N-Triples file."""
    files: dict[str, Path] = {}
    handles: dict[str, TextIO] = {}
    try:
        with gzip.open(dump, "rb") as f:
            for quad in ox.parse(cast(IO[bytes], f), format=ox.RdfFormat.N_QUADS):
                if not isinstance(quad.graph_name, ox.NamedNode):
                    raise PublishError(f"{dump}: a triple outside the named graphs: {quad}")
                name = quad.graph_name.value
                handle = handles.get(name)
                if handle is None:
                    path = into / f"graph-{len(files)}.nt"
                    files[name] = path
                    handle = handles[name] = open(path, "w", encoding="utf-8")
                handle.write(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    except SyntaxError as exc:
        raise PublishError(f"{dump}: not valid N-Quads ({exc}); rebuild it with `twinkg build`") from None
    except (OSError, EOFError) as exc:  # gzip's BadGzipFile is an OSError; a cut file ends early
        raise PublishError(f"{dump}: cannot read the gzipped dump ({exc}); rebuild it with `twinkg build`") from None
    finally:
        for handle in handles.values():
            handle.close()
    return files


def default_update_endpoint(store_url: str) -> str | None:
    """Oxigraph serves GSP at /store and updates at /update; Fuseki at /ds/data and /ds/update."""
    parts = urlsplit(store_url)
    for suffix in ("/store", "/data"):
        if parts.path.endswith(suffix):
            return urlunsplit(parts._replace(path=parts.path[: -len(suffix)] + "/update", query=""))
    return None


def none_in_store(session: httpx.Client, store_url: str, graphs: Iterable[str]) -> bool:
    """True when the store answers a GET of each graph with 404 (the Graph Store Protocol's "no such graph"); any
    other answer counts as "maybe there". A GET, not a HEAD: Virtuoso does not implement HEAD, and Oxigraph sends a
    body after a 404 to a HEAD, which breaks the next request on the connection. The answer's body is not read: a
    graph that is there is not downloaded."""
    for graph in graphs:
        try:
            with session.stream("GET", store_url, params={"graph": graph},
                                headers={"Accept": "application/n-triples"}) as r:
                if r.status_code != 404:
                    return False
        except (httpx.HTTPError, httpx.InvalidURL):
            return False
    return True


def publish_graphs(out_dir: Path, store_url: str, update_url: str | None = None,
                   timeout: float = UPLOAD_SECONDS) -> Iterator[str]:
    """Upload every graph of out_dir/twinkg.nq.gz; yields progress lines."""
    dump = out_dir / NQ_DUMP
    if not dump.is_file():
        raise PublishError(f"{dump} does not exist; run `twinkg build` first")
    update_url = update_url or default_update_endpoint(store_url)
    token = secrets.token_hex(6)

    def put(session: httpx.Client, graph: str, path: Path, extra: dict[str, str] | None = None) -> None:
        with open(path, "rb") as body:
            try:
                r = session.put(store_url, params={"graph": graph, **(extra or {})}, content=body,
                                headers={"Content-Type": "application/n-triples"})
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                raise PublishError(f"PUT {store_url}?graph={graph} failed: {exc}") from None
        if r.status_code not in (200, 201, 204):
            raise PublishError(f"PUT {store_url}?graph={graph}: {r.status_code} {r.text[:300]}")

    def update(session: httpx.Client, request: str, what: str) -> None:
        assert update_url is not None
        try:
            r = session.post(update_url, content=request.encode("utf-8"),
                             headers={"Content-Type": "application/sparql-update"})
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise PublishError(f"POST {update_url} failed: {exc}") from None
        if r.status_code not in (200, 204):
            raise PublishError(f"{what} at {update_url} failed: {r.status_code} {r.text[:300]}")

    def delete(session: httpx.Client, graphs: Iterable[str]) -> None:
        for graph in graphs:
            try:
                session.delete(store_url, params={"graph": graph})
            except httpx.HTTPError:
                pass

    with tempfile.TemporaryDirectory(prefix="twinkg-publish-") as tmp, http_client.client(timeout) as session:
        files = split_graphs(dump, Path(tmp))
        yield f"{len(files)} graphs in {dump}"
        if update_url is None:
            for graph, path in files.items():
                put(session, graph, path)
                yield f"replaced <{graph}> ({os.path.getsize(path)} bytes)"
            return
        markers = {graph: f"{LOADING_GRAPHS}{graph}" for graph in files}
        bulk = bulk_parameters(session, store_url)

        def loader(path: Path) -> tuple[dict[str, str], str]:
            """The parameters of the PUT of a graph's file and how the progress line says it went in."""
            size = os.path.getsize(path)
            if bulk and size >= BULK_MIN_BYTES:
                return bulk, f" with the store's bulk loader ({size} bytes)"
            return {}, f" ({size} bytes)"

        if none_in_store(session, store_url, files):
            show = " ;\n".join(f"DROP SILENT GRAPH <{m}>" for m in markers.values())
            begun: list[str] = []
            try:
                update(session, "INSERT DATA {\n" + "\n".join(f"  GRAPH <{m}> {{ <{g}> <{LOADING_GRAPHS}> <{m}> }}"
                                                              for g, m in markers.items()) + "\n}", "hiding the graphs")
                for graph, path in files.items():
                    begun.append(graph)
                    params, how = loader(path)
                    put(session, graph, path, params)
                    yield f"loaded <{graph}> in place, hidden until the last is in{how}"
                update(session, show, "showing the graphs")
            except BaseException:
                # Only the graphs this publish began to load are its to delete: a store that wrongly answered 404
                # may hold the others. The markers go as they came, by the update endpoint: a Graph Store URL that
                # answers 404 to everything cannot delete them, and left behind they would hide the graphs that
                # were published before from every reader through twinkg.
                delete(session, begun)
                try:
                    update(session, show, "showing the graphs again")
                except PublishError:
                    pass
                raise
            yield f"showed {len(files)} graphs at once with one update at {update_url} (a first publish: none was there)"
            return
        staging = {graph: f"{STAGING_GRAPHS}{token}:{i}" for i, graph in enumerate(files)}
        try:
            for graph, path in files.items():
                params, how = loader(path)
                put(session, staging[graph], path, params)
                yield f"uploaded <{graph}> into staging graph <{staging[graph]}>{how}"
            # The markers a killed first publish left (which hide what it loaded) go in the same transaction.
            update(session, " ;\n".join(f"DROP SILENT GRAPH <{g}> ;\nMOVE SILENT GRAPH <{s}> TO GRAPH <{g}> ;\n"
                                        f"DROP SILENT GRAPH <{markers[g]}>" for g, s in staging.items()),
                   "swapping the graphs in")
            yield f"swapped {len(staging)} graphs in with one update at {update_url}"
        except BaseException:
            delete(session, staging.values())
            raise
