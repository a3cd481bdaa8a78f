"""The build's files: /dumps/… (with ETag, Last-Modified and Digest) and VoID."""

from __future__ import annotations

import email.utils
import time
from pathlib import Path

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from twinkg.formats import GRAPH_MEDIA_TYPES
from twinkg.output import FILES, SUMS, VOID_FILE, read_checksums
from twinkg.publication import LICENSE
from twinkg.server import conneg
from twinkg.server.cache import etag_matches
from twinkg.server.config import ServerConfig
from twinkg.server.errors import ProtocolError, not_found
from twinkg.server.protocol import answer_response, rdf_response
from twinkg.server.queries import run_query


def dump_files(out_dir: Path) -> dict[str, str]:
    """The build's files with their SHA-256 (from SHA256SUMS), by file name."""
    if not (out_dir / SUMS).is_file():
        return {}
    return {**read_checksums(out_dir), SUMS: ""}


def dump_links(name: str, files: dict[str, str]) -> str:
    """What describes a file (VoID; a CSV's CSVW metadata, as CSVW processors look for it) and its licence."""
    links = ['</void>; rel="describedby"; type="text/turtle"']
    if f"{name}-metadata.json" in files:
        links.insert(0, f'</dumps/{name}-metadata.json>; rel="describedby"; type="application/csvm+json"')
    return ", ".join([*links, f'<{LICENSE}>; rel="license"'])


def _http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


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
    headers = {"ETag": etag, "Last-Modified": _http_date(stat.st_mtime), "Cache-Control": "public, max-age=300",
               "Link": dump_links(name, files)}
    if files[name]:
        headers["Digest"] = f"sha-256={files[name]}"
    ims = request.headers.get("if-modified-since")
    not_modified = False
    if "if-none-match" in request.headers:  # it overrides If-Modified-Since (RFC 9110 §13.1.3)
        not_modified = etag_matches(request, etag)
    elif ims is not None:
        try:
            since = email.utils.parsedate_to_datetime(ims).timestamp()
            not_modified = int(stat.st_mtime) <= since <= time.time()  # a date in the future is invalid (RFC 9110)
        except (TypeError, ValueError):
            not_modified = False
    if not_modified:
        return Response(status_code=304, headers=headers)
    media = FILES[name].content_type if name in FILES else "application/octet-stream"
    return FileResponse(path, media_type=media, headers=headers, stat_result=stat)


async def void(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    if config.out_dir is None or not (config.out_dir / VOID_FILE).is_file():
        iri = config.iris.graph("meta")
        answer = await run_query(config, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}",
                                 conneg.choose(conneg.GRAPH_OFFERS, request.headers.get("accept")) or "text/turtle")
        return answer_response(config, answer)
    media = conneg.choose(conneg.GRAPH_OFFERS, request.headers.get("accept"), request.query_params.get("format"))
    if media is None:
        if request.query_params.get("format"):
            raise ProtocolError(406, "VoID is available as " + ", ".join(GRAPH_MEDIA_TYPES))
        media = "text/turtle"
    data = (config.out_dir / VOID_FILE).read_bytes()
    if media == "text/turtle":
        return Response(data, media_type="text/turtle; charset=utf-8", headers={"Vary": "Accept"})
    return rdf_response(list(ox.parse(data, format=ox.RdfFormat.TURTLE)), media)
