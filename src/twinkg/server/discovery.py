"""Being found: /robots.txt, /sitemap.xml (the pages of places and twinnings) and the dataset's schema.org markup.

robots.txt and the sitemap give absolute URLs of this server, so they are built per request and
never kept in the shared page cache (a forged Host would otherwise be served to everyone)."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from twinkg.output import FILES
from twinkg.publication import LICENSE, PUBLISHER, PUBLISHER_NAME
from twinkg.server.config import ServerConfig
from twinkg.server.queries import select
from twinkg.server.urls import page_href

SITEMAP_LIMIT = 50_000
"""URLs in one sitemap file (sitemaps.org); the fixed pages come first, then places, then twinnings."""
FIXED_PAGES = ("/", "/dataset", "/ontology", "/query")


def _origin(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def robots(request: Request) -> Response:
    """Crawl the pages, not the query service: a crawler following /sparql links would run queries."""
    body = ("User-agent: *\nDisallow: /sparql\nDisallow: /query?\nAllow: /\n"
            f"Sitemap: {_origin(request)}/sitemap.xml\n")
    return PlainTextResponse(body, headers={"Cache-Control": "public, max-age=3600"})


async def sitemap(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    paths = list(FIXED_PAGES)
    for cls in ("tw:Place", "tw:Twinning"):  # one plain query each: sorting 30k rows in the store took over 5 s
        rows = await select(config, f"SELECT ?s WHERE {{ ?s a {cls} }} LIMIT {SITEMAP_LIMIT}")
        paths += sorted(href for r in rows if (href := page_href(config.base, r.text("s"))))
    origin = _origin(request)
    urls = "".join(f"<url><loc>{escape(origin + path)}</loc></url>\n" for path in paths[:SITEMAP_LIMIT])
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n')
    return Response(body, media_type="application/xml", headers={"Cache-Control": "public, max-age=3600"})


def dataset_markup(config: ServerConfig, title: str, description: str, modified: str,
                   files: list[dict[str, Any]]) -> dict[str, Any]:
    """schema.org `Dataset` for dataset search engines, one `DataDownload` per file of the build.

    Addresses are the dataset's own IRIs (the configured base), never the request's Host: the page is
    cached and shared, so a forged Host must not end up in it."""
    iris = config.iris
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": iris.dataset(),
        "name": title,
        "description": description,
        "url": iris.dataset(),
        "license": LICENSE,
        "dateModified": modified,
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": PUBLISHER_NAME, "url": PUBLISHER},
        "keywords": ["town twinning", "sister cities", "twin towns", "linked data", "knowledge graph"],
        "distribution": [{"@type": "DataDownload", "name": f["name"], "contentUrl": iris.distribution(f["name"]),
                          "encodingFormat": FILES[f["name"]].media_type if f["name"] in FILES else "application/octet-stream",
                          "contentSize": str(f["size"])} for f in files],
    }
