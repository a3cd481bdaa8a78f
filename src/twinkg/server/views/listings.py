"""The ways in: the home page (counts, the network map, the best-connected places), search by name or Q-id,
the index of places by country and initial, and the maps (/network.svg, /map/basemap.svg)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from twinkg.server import exported, partners
from twinkg.server.cache import cached
from twinkg.server.config import ServerConfig
from twinkg.server.errors import not_found, page_error
from twinkg.server.maps import NETWORK_WIDTH, Place, basemap, basemap_svg, network_svg
from twinkg.server.queries import select
from twinkg.server.render import render
from twinkg.server.urls import page_href
from twinkg.server.views import suggest
from twinkg.server.views.model import iri, literal
from twinkg.store import Row

DISPLAY_LABEL = """OPTIONAL { ?p rdfs:label ?en FILTER(LANG(?en) = "en") }
        OPTIONAL { ?p rdfs:label ?other FILTER(LANG(?other) IN ("und", "")) }
        BIND(COALESCE(?en, ?other) AS ?l)"""
"""A place's display label: English, else the label of undetermined language (the 2016 crawl's), which the
pages mark as such (macros.html `name`) from its language tag."""
BEST_CONNECTED = 60
INITIALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PAGE_SIZE = 100
MAX_SEARCH = 100
_QID = re.compile(r"^[Qq][1-9][0-9]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
NETWORK_CACHE = "public, max-age=300"
"""The network map changes only with a build: browsers may keep it a few minutes, then revalidate by ETag."""


async def home(request: Request) -> Response:
    """What twinkg is, counts, the network map (by reference: it is /network.svg), a search box and the
    best-connected places (not every place)."""
    config: ServerConfig = request.app.state.config
    rows = await best_connected(config)
    counts = await select(config, """SELECT ?kind (COUNT(?s) AS ?n) WHERE {
        VALUES ?kind { tw:Place tw:Twinning tw:Event tw:Actor tw:Source } ?s a ?kind } GROUP BY ?kind""")
    places = [{"label": r.text("label"), "lang": r.lang("label"),
               "href": page_href(config.base, r.text("p")) or r.text("p"), "twinnings": r.number("n")}
              for r in rows]
    totals = {r.text("kind").split("#")[-1]: r.number("n") for r in counts}
    return render(request, "home.html", {"title": "twinkg", "places": places, "totals": totals,
                                         "map": network(config), "map_width": NETWORK_WIDTH,
                                         "basemap": {k: basemap()[k] for k in ("width", "height")},
                                         "initials": INITIALS})


async def best_connected(config: ServerConfig) -> list[Row]:
    """The BEST_CONNECTED places with the most twinnings, ties in label order.

    In two steps, because ordering every place of the world network by count and label (or by count and IRI) took
    1.1–1.8 s on pyoxigraph, where ordering by the count alone takes 0.1 s: first the count of the last place
    shown, then the places with at least that many twinnings, sorted here. Ordered outside each grouping:
    Virtuoso cannot order by an aggregate's alias inside it."""
    last = await select(config, f"""SELECT (MIN(?n) AS ?least) WHERE {{ {{ SELECT ?n WHERE {{ {{ SELECT ?p
        (COUNT(DISTINCT ?t) AS ?n) WHERE {{ ?t tw:partner ?p }} GROUP BY ?p }} }} ORDER BY DESC(?n) LIMIT {BEST_CONNECTED} }} }}""")
    least = last[0].number("least") if last and "least" in last[0] else None
    if least is None:
        return []
    rows = await select(config, f"""SELECT ?p (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?n) WHERE {{
        {{ SELECT ?p (COUNT(DISTINCT ?t) AS ?c) WHERE {{ ?t tw:partner ?p }} GROUP BY ?p
           HAVING (COUNT(DISTINCT ?t) >= {least}) }} {DISPLAY_LABEL} }} GROUP BY ?p""")
    rows = [r for r in rows if "label" in r]
    rows.sort(key=lambda r: (-r.number("n"), r.text("label").lower(), r.text("p")))
    return rows[:BEST_CONNECTED]


async def search_page(request: Request) -> Response:
    """Places by any label, alternative label, historical name (Leningrad, Stalingrad, Wolgograd) or Q-id."""
    config: ServerConfig = request.app.state.config
    q = " ".join(request.query_params.get("q", "").split())[:MAX_SEARCH]
    # From the place-name index (built once per build): a flood of searches costs the store nothing.
    index = await suggest.holder(request).get(config, request.app.state.cache) if q else None
    results: list[dict[str, Any]] = [
        {"label": s.place.label, "lang": s.place.lang, "href": page_href(config.base, s.place.iri) or s.place.iri,
         "matched": s.matched.text if s.matched is not None else ""}
        for s in (index.suggest(q, PAGE_SIZE) if index is not None else [])]
    return render(request, "search.html", {"title": f"Search: {q}" if q else "Search", "q": q, "results": results,
                                           "limit": PAGE_SIZE})


async def place_index(request: Request) -> Response:
    """Places by country and by initial, a page of PAGE_SIZE at a time."""
    config: ServerConfig = request.app.state.config
    country = request.query_params.get("country", "").upper()
    initial = request.query_params.get("initial", "").upper()
    try:  # read as a place page reads its own (partners.requested_page): 400 for what names no page
        page = partners.requested_page(request.query_params.getlist("page"))
        if country and not _COUNTRY.match(country):
            raise partners.BadPage(f"country must be a two-letter ISO country code such as DE (got {_shown(country)})")
        if initial and initial not in INITIALS:
            raise partners.BadPage(f"initial must be one letter from A to Z (got {_shown(initial)})")
    except partners.BadPage as exc:
        return page_error(request, 400, "Bad request", f"{exc}. The first page is /places.")
    countries = await select(config, """SELECT ?code ?name (COUNT(?p) AS ?n) WHERE {
        ?p a tw:Place ; tw:country ?c . ?c skos:notation ?code ; skos:prefLabel ?name } GROUP BY ?code ?name ORDER BY ?name""")
    if country and country not in {r.text("code") for r in countries}:
        return page_error(request, 400, "Bad request", f"no place of this graph is in the country {country!r}. "
                                                       "The first page is /places, which lists the countries.")
    where = f"?p tw:country {iri(f'{config.base}vocab/country/{country}')} ." if country else ""
    start = f"FILTER (STRSTARTS(UCASE(STR(?l)), {literal(initial)}))" if initial else ""
    pattern = f"?p a tw:Place . {where} {DISPLAY_LABEL} FILTER (BOUND(?l)) {start}"
    counted = await select(config, f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {pattern} }}")
    total = counted[0].number("n") if counted else 0
    pages = max(1, -(-total // PAGE_SIZE))
    if page > pages:
        return page_error(request, 400, "Bad request", f"page {page} is past the last page of these places "
                                                       f"({pages}). The first page is /places.")
    rows = await select(config, f"""SELECT ?p ?l WHERE {{ {pattern} }}
        ORDER BY LCASE(STR(?l)) ?p LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE}""")
    places = [{"label": r.text("l"), "lang": r.lang("l"),
               "href": page_href(config.base, r.text("p")) or r.text("p")} for r in rows if "l" in r]

    def link(**change: Any) -> str:
        params = {"country": country, "initial": initial, "page": page, **change}
        return "/places?" + "&".join(f"{k}={v}" for k, v in params.items() if v and not (k == "page" and v == 1))

    return render(request, "places.html", {
        "title": "Places", "places": places, "page": page, "pages": pages, "total": total, "initials": INITIALS,
        "country": country, "initial": initial,
        "countries": [{"code": r.text("code"), "name": r.text("name"), "count": r.number("n"),
                       "href": link(country=r.text("code"), page=1)} for r in countries],
        "previous": link(page=page - 1) if page > 1 else None,
        "next": link(page=page + 1) if page < pages else None,
        "initial_links": [{"letter": c, "href": link(initial=c, page=1)} for c in INITIALS],
        "all_initials": link(initial="", page=1), "all_countries": link(country="", page=1)})


def _shown(text: str) -> str:
    return repr(text if len(text) <= 20 else text[:20] + "…")


@dataclass
class Network:
    """The whole network as the map draws it, and what it cannot draw."""

    places: list[Place]
    links: list[tuple[tuple[float, float], tuple[float, float]]]
    places_not_drawn: int
    links_not_drawn: int


def network(config: ServerConfig) -> Network | None:
    """Every place with coordinates and every link between two of them, from the build's export tables."""
    return _network(config.out_dir, config.base)


@functools.lru_cache(maxsize=2)
def _network(out_dir: Path | None, base: str) -> Network | None:
    """Read once per build folder (the server pins one, whose files never change): the home page says what the
    map leaves out without reading 20,000 rows for each request."""
    places, links = exported.read(out_dir, "places.csv"), exported.read(out_dir, "twinnings.csv")
    if places is None or links is None:
        return None
    found: dict[str, Place] = {}
    for row in places:
        if row["latitude"] and row["longitude"]:
            found[row["place_id"]] = (row["label"], page_href(base, row["place_iri"]) or row["place_iri"],
                                      (float(row["longitude"]), float(row["latitude"])))
    pairs = [(found[r["place_a_id"]][2], found[r["place_b_id"]][2]) for r in links
             if r["place_a_id"] in found and r["place_b_id"] in found]
    return Network(list(found.values()), pairs, len(places) - len(found), len(links) - len(pairs))


def whole_network(config: ServerConfig) -> str | None:
    drawn = network(config)
    return None if drawn is None else network_svg(drawn.places, drawn.links, undrawn=drawn.links_not_drawn)


async def network_map(request: Request) -> Response:
    """/network.svg: the whole network's map, a document of its own so that the home page stays light."""
    config: ServerConfig = request.app.state.config
    svg = whole_network(config)
    if svg is None:
        return await not_found(request)
    return Response(svg, media_type="image/svg+xml", headers={
        "Cache-Control": NETWORK_CACHE, "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff"})


async def basemap_document(request: Request) -> Response:
    """/map/basemap.svg: the coastlines and borders the pages' maps draw under their places."""
    return Response(basemap_svg(), media_type="image/svg+xml", headers={
        "Cache-Control": "public, max-age=86400", "Content-Security-Policy": "default-src 'none'",
        "X-Content-Type-Options": "nosniff"})


routes: list[BaseRoute] = [
    Route("/", cached(home), name="home"),
    Route("/search", cached(search_page), name="search"),
    Route("/places", cached(place_index), name="places"),
    Route("/network.svg", cached(network_map), name="network-map"),
    Route("/map/basemap.svg", cached(basemap_document), name="basemap"),
]
