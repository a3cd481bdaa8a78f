"""/twinnings: every link, filtered by facets (server.facets) with the count of each facet value, a page at a
time; /twinnings.csv: the same view, every page, as CSV. Both at one address per view (a request naming the
filters in another order, or with empty ones, is redirected there), so a view can be linked, cached and cited.
Both read the build's link index (facets.LinkIndex), made by a few of the server's own queries the first time
it is asked after a new build is served."""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from twinkg.server import facets, partners
from twinkg.server.cache import PerBuild, cached
from twinkg.server.config import ServerConfig
from twinkg.server.errors import page_error
from twinkg.server.queries import select
from twinkg.server.render import render
from twinkg.server.urls import page_href

PER_PAGE = 50
CSV_COLUMNS = ("twinning_iri", "label", "status", "kind", "start_date", "start_earliest", "start_latest", "decade",
               "countries", "curated", "wikidata")
"""The CSV's columns: codes as the filters name them; `countries` the partners' ISO codes, space-separated."""


class LinkIndexHolder(PerBuild[facets.LinkIndex]):
    """The link index of the build being served."""

    async def build(self, config: ServerConfig) -> facets.LinkIndex:
        # One after another: the server lets a client run two queries at a time and a query wait no longer than
        # its timeout, so seven asked at once would wait past it on a loaded machine.
        return facets.index_from({name: await select(config, query)
                                  for name, query in facets.queries(config.iris).items()})


def holder(request: Request) -> LinkIndexHolder:
    return LinkIndexHolder.of(request.app.state, "links")


@dataclass
class FacetValue:
    """One value of a facet with the number of the view's links that have it, and the view it links to."""

    value: str
    label: str
    count: int
    chosen: bool
    href: str


def facet(name: str, counted: Counter[str], filters: facets.Filters, labels: dict[str, str]) -> dict[str, Any]:
    """A facet as the page shows it: its values by count (decades in time order), each linking to the view
    with that filter set (or, for the chosen one, dropped)."""
    chosen = filters.values.get(name)
    values = [FacetValue(v, labels.get(v, v), n, v == chosen, filters.address(change={name: None if v == chosen else v}))
              for v, n in counted.items()]
    if name == "decade":
        values.sort(key=lambda x: (x.value == facets.UNKNOWN_DECADE, x.value))
    else:
        values.sort(key=lambda x: (-x.count, x.label.casefold()))
    return {"name": name, "values": values, "chosen": chosen}


async def requested_view(request: Request, path: str) -> tuple[facets.LinkIndex, facets.Filters, int] | Response:
    """The index and the view a request names; a 400 for parameters that name none, a redirect to the view's
    one address."""
    try:
        filters, pages = facets.requested(list(request.query_params.multi_items()))
        page = partners.requested_page(pages)
    except (facets.BadFilter, partners.BadPage) as exc:
        return page_error(request, 400, "Bad request", f"{exc}. Every link: {path}")
    address = filters.address(path, page)
    if request.url.path + ("?" + request.url.query if request.url.query else "") != address:
        return RedirectResponse(address, status_code=301)
    index = await holder(request).get(request.app.state.config, request.app.state.cache)
    try:
        index.known(filters)
    except facets.BadFilter as exc:
        return page_error(request, 400, "Bad request", f"{exc}. Every link: {path}")
    return index, filters, page


async def twinnings_page(request: Request) -> Response:
    """The links of the view, PER_PAGE at a time, beside each facet's values with their counts."""
    config: ServerConfig = request.app.state.config
    found = await requested_view(request, "/twinnings")
    if isinstance(found, Response):
        return found
    index, filters, page = found
    links = index.view(filters)
    pages = max(1, -(-len(links) // PER_PAGE))
    if page > pages:
        return page_error(request, 400, "Bad request", f"page {page} is past the last page of this view "
                                                       f"({pages}). Its first page: {filters.address()}")
    start = (page - 1) * PER_PAGE
    rows = links[start:start + PER_PAGE]
    names = index.vocabulary
    counted = facets.counts(links)
    return render(request, "twinnings.html", {
        "title": "Twinnings" + (" · " + ", ".join(f"{k} {v}" for k, v in filters.values.items())
                                if filters.values else ""),
        "facets": [facet(name, counted[name], filters, names.get(name, {})) for name in facets.FACETS],
        "total": len(links), "page": page, "pages": pages, "first": start + 1 if rows else 0, "rows": rows,
        "href": lambda link: page_href(config.base, link.iri) or link.iri, "names": names,
        "chosen": [{"name": k, "label": names.get(k, {}).get(v, v), "href": filters.address(change={k: None})}
                   for k, v in filters.values.items()],
        "csv": filters.address("/twinnings.csv"),
        "previous": filters.address(page=page - 1) if page > 1 else None,
        "next": filters.address(page=page + 1) if page < pages else None})


def csv_row(link: facets.Link) -> list[str]:
    return [link.iri, link.label, link.status, link.kind, link.start_date, link.start_earliest, link.start_latest,
            link.decade, " ".join(link.countries), str("curated" in link.sources).lower(),
            str("wikidata" in link.sources).lower()]


async def twinnings_csv(request: Request) -> Response:
    """The view's every twinning as CSV (CSV_COLUMNS), in the listing's order."""
    found = await requested_view(request, "/twinnings.csv")
    if isinstance(found, Response):
        return found
    index, filters, page = found
    if page != 1:
        return page_error(request, 400, "Bad request", "the CSV holds every page of the view; leave out page")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_row(link) for link in index.view(filters))
    name = "-".join(["twinnings", *(f"{k}-{v}" for k, v in filters.values.items())])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


routes: list[BaseRoute] = [
    Route("/twinnings", cached(twinnings_page), name="twinnings"),
    Route("/twinnings.csv", cached(twinnings_csv), name="twinnings-csv"),
]
