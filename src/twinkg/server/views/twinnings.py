"""/twinnings: every link, filtered by facets (server.facets) with the count of each facet value, a page at a
time; /twinnings.csv: the same view, every page, as CSV. Both at one address per view (a request naming the
filters in another order, or with empty ones, is redirected there), so a view can be linked, cached and cited.
"""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from twinkg import store
from twinkg.server import facets, partners
from twinkg.server.cache import cached
from twinkg.server.config import ServerConfig
from twinkg.server.errors import page_error
from twinkg.server.queries import select
from twinkg.server.render import render
from twinkg.server.urls import page_href
from twinkg.server.views.model import iri

PER_PAGE = 50
CSV_COLUMNS = ("twinning_iri", "label", "status", "kind", "start_date", "start_earliest", "start_latest", "decade",
               "countries", "curated", "wikidata")
"""The CSV's columns: codes as the filters name them; `countries` the partners' ISO codes, space-separated."""
ORDER = "ORDER BY LCASE(STR(?label)) ?t"
"""The listing's order (the page's and the CSV's): by the link's label ("Coventry – Volgograd"), then IRI."""


@dataclass
class Row:
    """One twinning as the listing and the CSV show it."""

    iri: str
    label: str = ""
    lang: str = ""
    status: str = ""
    kind: str = ""
    start_date: str = ""
    start_earliest: str = ""
    start_latest: str = ""
    countries: list[str] = field(default_factory=list)
    curated: bool = False
    wikidata: bool = False

    @property
    def decade(self) -> str:
        lo, hi = self.start_earliest, self.start_latest
        return f"{lo[:3]}0s" if lo and hi and lo[:3] == hi[:3] else facets.UNKNOWN_DECADE

    @property
    def start(self) -> str:
        """The start as the page shows it: the stated date, else the years its bounds allow."""
        if self.start_date:
            return self.start_date
        lo, hi = self.start_earliest[:4], self.start_latest[:4]
        if lo and hi:
            return lo if lo == hi else f"{lo}–{hi}"
        return f"{lo} or later" if lo else f"by {hi}" if hi else ""

    def csv(self) -> list[str]:
        return [self.iri, self.label, self.status, self.kind, self.start_date, self.start_earliest,
                self.start_latest, self.decade, " ".join(self.countries), str(self.curated).lower(),
                str(self.wikidata).lower()]


def rows_query(config: ServerConfig, filters: facets.Filters, limit: int | None = None, offset: int = 0) -> str:
    """The view's twinnings in ORDER, with what a row shows (a row per twinning and partner country)."""
    window = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    graph = {name: iri(config.iris.graph(name)) for name in facets.SOURCES}
    return f"""SELECT ?t ?label ?status ?kind ?start ?se ?sl ?cc ?curated ?wikidata WHERE {{
      {{ SELECT DISTINCT ?t ?label WHERE {{ {filters.where(config.iris)}
          OPTIONAL {{ ?t rdfs:label ?label }} }} {ORDER} {window} }}
      OPTIONAL {{ ?t tw:status/skos:notation ?status }}
      OPTIONAL {{ ?t tw:kind/skos:notation ?kind }}
      OPTIONAL {{ ?t tw:startDate ?start }}
      OPTIONAL {{ ?t tw:startEarliest ?se }}
      OPTIONAL {{ ?t tw:startLatest ?sl }}
      OPTIONAL {{ ?t tw:partner/tw:country/skos:notation ?cc }}
      BIND(EXISTS {{ GRAPH {graph['curated']} {{ ?t a tw:Twinning }} }} AS ?curated)
      BIND(EXISTS {{ GRAPH {graph['wikidata']} {{ ?t a tw:Twinning }} }} AS ?wikidata)
    }} {ORDER} ?cc"""


def rows_of(bindings: list[store.Row]) -> list[Row]:
    """Rows from `rows_query`'s bindings, in their order (a twinning's bindings are consecutive)."""
    found: dict[str, Row] = {}
    for b in bindings:
        t = b.text("t")
        row = found.get(t)
        if row is None:
            row = found[t] = Row(t, b.text("label"), b.lang("label"), b.text("status"), b.text("kind"), b.text("start"),
                                 b.text("se"), b.text("sl"), curated=b.text("curated") == "true",
                                 wikidata=b.text("wikidata") == "true")
        if "cc" in b and b.text("cc") not in row.countries:
            row.countries.append(b.text("cc"))
    return list(found.values())


async def vocabulary(config: ServerConfig) -> dict[str, dict[str, str]]:
    """Facet → code → English name, for the facets whose values are concepts."""
    by_scheme = {config.iris.scheme(s): name for name, s in facets.SCHEMES.items()}
    names: dict[str, dict[str, str]] = {name: {} for name in facets.SCHEMES}
    for b in await select(config, facets.vocabulary_query(config.iris)):
        code = b.text("code")
        names[by_scheme[b.text("scheme")]][code] = b.text("label", code)
    return names


@dataclass
class FacetValue:
    """One value of a facet with the number of the view's links that have it, and the view it links to."""

    value: str
    label: str
    count: int
    chosen: bool
    href: str


def facet(name: str, bindings: list[store.Row], filters: facets.Filters,
          labels: dict[str, str]) -> dict[str, Any]:
    """A facet as the page shows it: its values by count (decades in time order), each linking to the view
    with that filter set (or, for the chosen one, dropped)."""
    chosen = filters.values.get(name)
    values = [FacetValue(v, labels.get(v, v), b.number("n"), v == chosen,
                         filters.address(change={name: None if v == chosen else v}))
              for b in bindings for v in (b.text("v"),)]
    if name == "decade":
        values.sort(key=lambda x: (x.value == facets.UNKNOWN_DECADE, x.value))
    else:
        values.sort(key=lambda x: (-x.count, x.label.casefold()))
    return {"name": name, "values": values, "chosen": chosen}


@dataclass
class View:
    """A view as the request names it, or the answer that refuses it."""

    filters: facets.Filters
    page: int


def requested_view(request: Request, path: str) -> View | Response:
    """The view a request names; a 400 for parameters that name none, a redirect to the view's one address."""
    try:
        filters, pages = facets.requested(list(request.query_params.multi_items()))
        page = partners.requested_page(pages)
    except (facets.BadFilter, partners.BadPage) as exc:
        return page_error(request, 400, "Bad request", f"{exc}. Every link: /twinnings.")
    address = filters.address(path, page)
    if request.url.path + ("?" + request.url.query if request.url.query else "") != address:
        return RedirectResponse(address, status_code=301)
    return View(filters, page)


async def twinnings_page(request: Request) -> Response:
    """The links of the view, PER_PAGE at a time, beside each facet's values with their counts."""
    config: ServerConfig = request.app.state.config
    view = requested_view(request, "/twinnings")
    if not isinstance(view, View):
        return view
    names = await vocabulary(config)
    try:
        facets.known(view.filters, names)
    except facets.BadFilter as exc:
        return page_error(request, 400, "Bad request", f"{exc}. Every link: /twinnings.")
    filters, iris = view.filters, config.iris
    counted, total, found = await asyncio.gather(
        asyncio.gather(*(select(config, facets.facet_query(name, filters, iris)) for name in facets.FACETS)),
        select(config, facets.count_query(filters, iris)),
        select(config, rows_query(config, filters, PER_PAGE, (view.page - 1) * PER_PAGE)))
    n = total[0].number("n") if total else 0
    pages = max(1, -(-n // PER_PAGE))
    if view.page > pages:
        return page_error(request, 400, "Bad request", f"page {view.page} is past the last page of this view "
                                                       f"({pages}). Its first page: {filters.address()}")
    labels = {**names, "source": facets.SOURCES}
    facet_list = [facet(name, bindings, filters, labels.get(name, {}))
                  for name, bindings in zip(facets.FACETS, counted, strict=True)]
    rows = rows_of(found)
    return render(request, "twinnings.html", {
        "title": "Twinnings" + (" · " + ", ".join(f"{k} {v}" for k, v in filters.values.items())
                                if filters.values else ""),
        "facets": facet_list, "total": n, "page": view.page, "pages": pages,
        "first": (view.page - 1) * PER_PAGE + 1 if rows else 0, "rows": rows,
        "href": lambda r: page_href(config.base, r.iri) or r.iri,
        "names": labels, "chosen": [{"name": k, "label": labels.get(k, {}).get(v, v), "href": filters.address(change={k: None})}
                                    for k, v in filters.values.items()],
        "csv": filters.address("/twinnings.csv"),
        "previous": filters.address(page=view.page - 1) if view.page > 1 else None,
        "next": filters.address(page=view.page + 1) if view.page < pages else None})


async def twinnings_csv(request: Request) -> Response:
    """The view's every twinning as CSV (CSV_COLUMNS), in the listing's order."""
    config: ServerConfig = request.app.state.config
    view = requested_view(request, "/twinnings.csv")
    if not isinstance(view, View):
        return view
    if view.page != 1:
        return page_error(request, 400, "Bad request", "the CSV holds every page of the view; leave out page")
    try:
        facets.known(view.filters, await vocabulary(config))
    except facets.BadFilter as exc:
        return page_error(request, 400, "Bad request", f"{exc}. Every link: /twinnings.csv.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(row.csv() for row in rows_of(await select(config, rows_query(config, view.filters))))
    name = "-".join(["twinnings", *(f"{k}-{v}" for k, v in view.filters.values.items())])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


routes: list[BaseRoute] = [
    Route("/twinnings", cached(twinnings_page), name="twinnings"),
    Route("/twinnings.csv", cached(twinnings_csv), name="twinnings-csv"),
]
