"""Server-rendered HTML pages: home, resources (place, twinning, event, actor, source, concept), ontology,
dataset, query. Readable without JavaScript; each resource page embeds its JSON-LD."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from twinkg.errors import TwinkgError
from twinkg.formats import EXTENSIONS
from twinkg.server import conneg, exported, partners
from twinkg.server.config import ServerConfig
from twinkg.server.discovery import dataset_markup
from twinkg.server.errors import not_found, page_error
from twinkg.server.files import dump_files, void
from twinkg.server.linked_data import compacted_document, data_links, link_header
from twinkg.server.maps import NETWORK_WIDTH, Place, basemap, basemap_svg, network_svg, point, svg_map
from twinkg.server.protocol import answer_response
from twinkg.server.queries import run_query, select
from twinkg.server.render import render
from twinkg.server.urls import iri_for_path, page_href, safe_local
from twinkg.vocab import DCT, OWL, PREFIXES, RDF, RDFS, SKOS, TW, WD

LABEL_PATH = "rdfs:label|skos:prefLabel|dct:title"
PROPERTY_TYPES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", RDF + "Property", OWL + "AnnotationProperty"}


# --------------------------------------------------------------------------- terms and statements

@dataclass
class Term:
    kind: str  # uri, literal, bnode
    value: str
    lang: str = ""
    datatype: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    href: str | None = None

    @property
    def label(self) -> str:
        for lang in ("en", ""):
            if lang in self.labels:
                return self.labels[lang]
        if self.labels:
            return next(iter(self.labels.values()))
        if self.kind == "uri":
            return _short(self.value)
        return self.value

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"

    @property
    def local(self) -> str:
        return re.split(r"[#/]", self.value)[-1]


def _short(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _term(config: ServerConfig, b: dict[str, str]) -> Term:
    kind = b["type"]
    if kind == "typed-literal":
        kind = "literal"
    t = Term(kind, b["value"], b.get("xml:lang", ""), b.get("datatype", ""))
    if kind == "uri":
        t.href = _href(config, t.value)
    return t


def _href(config: ServerConfig, iri: str) -> str | None:
    """Where a link to an IRI goes; only http(s) IRIs become links, never a `javascript:` one from the data."""
    return page_href(config.base, iri) or (iri if iri.lower().startswith(("http://", "https://")) else None)


@dataclass
class Node:
    iri: str
    props: dict[str, list[Term]] = field(default_factory=dict)

    def all(self, predicate: str) -> list[Term]:
        return self.props.get(predicate, [])

    def one(self, predicate: str) -> Term | None:
        values = self.props.get(predicate)
        if not values:
            return None
        for lang in ("en", ""):
            for v in values:
                if v.lang == lang:
                    return v
        return values[0]

    def text(self, predicate: str, default: str = "") -> str:
        v = self.one(predicate)
        return v.value if v else default

    @property
    def types(self) -> set[str]:
        return {t.value for t in self.all(RDF + "type")}

    @property
    def label(self) -> str:
        for p in (RDFS + "label", SKOS + "prefLabel", DCT + "title"):
            v = self.one(p)
            if v:
                return v.value
        return _short(self.iri)


async def statements(config: ServerConfig, where: str, limit: int | None = None) -> dict[str, Node]:
    """Nodes from a pattern that binds ?s ?p ?o, with the objects' labels."""
    rows = await select(config, f"SELECT ?s ?p ?o ?ol WHERE {{ {{ {where} }} OPTIONAL {{ ?o {LABEL_PATH} ?ol }} }}"
                        + (f" LIMIT {limit}" if limit else ""))
    nodes: dict[str, Node] = {}
    seen: dict[tuple[str, str, str, str, str], Term] = {}
    for row in rows:
        s, p = row["s"]["value"], row["p"]["value"]
        node = nodes.setdefault(s, Node(s))
        o = row["o"]
        key = (s, p, o["type"], o["value"], o.get("xml:lang", "") + o.get("datatype", ""))
        term = seen.get(key)
        if term is None:
            term = seen[key] = _term(config, o)
            node.props.setdefault(p, []).append(term)
        if "ol" in row:
            term.labels.setdefault(row["ol"].get("xml:lang", ""), row["ol"]["value"])
    return nodes


def _year(term: Term | None) -> float | None:
    if term is None:
        return None
    m = re.match(r"(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", term.value)
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2) or 1)
    return year + (month - 1) / 12


def event_kind(node: Node) -> str:
    """The name of the event's own class (tw:Establishment …): whichever tw: class it has besides tw:Event."""
    own = sorted(t[len(TW):] for t in node.types if t.startswith(TW) and t != TW + "Event")
    return own[0] if own else "Event"


def date_text(node: Node) -> str:
    text = node.text(TW + "dateText")
    date = node.text(TW + "date")
    if date and text:
        return f"{date} ({text})"
    if date or text:
        return date or text
    early, late = node.text(TW + "earliest"), node.text(TW + "latest")
    if early and late:
        return f"between {early} and {late}"
    return "date unknown"


def ordered_events(nodes: list[Node]) -> list[Node]:
    return sorted(nodes, key=lambda e: (e.text(TW + "earliest") or "9999", e.text(TW + "latest") or "9999", e.iri))


def timeline(twinnings: list[tuple[Node, list[Node]]], today: int, href: Any) -> dict[str, Any] | None:
    """One row per twinning: a bar from its first to its last dated event (or today), event marks on it."""
    years = [y for _, events in twinnings for e in events for y in [_year(e.one(TW + "earliest"))] if y is not None]
    if not years:
        return None
    start = math.floor(min(years) / 10) * 10
    end = max(today, math.ceil(max(years))) + 1
    span = end - start

    def x(year: float) -> float:
        return round((year - start) / span * 100, 2)

    rows = []
    for tw, events in twinnings:
        marks = []
        for e in events:
            y = _year(e.one(TW + "earliest"))
            if y is not None:
                marks.append({"x": x(y), "kind": event_kind(e), "title": f"{event_kind(e)}: {date_text(e)}",
                              "href": href(e.iri)})
        if marks:
            first = min(m["x"] for m in marks)
            status = tw.one(TW + "status")
            last = x(today) if status and status.local in ("active", "suspended") else max(m["x"] for m in marks)
            rows.append({"node": tw, "marks": marks, "bar_x": first, "bar_w": max(0.5, last - first),
                         "status": status.local if status else "unknown"})
    ticks = [{"x": x(y), "year": y} for y in range(start, end + 1, max(10, (span // 80 + 1) * 10))]
    return {"rows": rows, "ticks": ticks}


def json_script(body: bytes) -> str:
    """JSON to embed in a <script> element: every `<` escaped, so no string in the data can close the element or
    open a comment in it, whatever it holds."""
    return body.decode("utf-8").replace("<", "\\u003c")


# --------------------------------------------------------------------------- pages

COORDINATES = "{ ?x geo:hasGeometry/geo:asWKT ?wkt } UNION { ?x owl:sameAs/<http://www.wikidata.org/prop/direct/P625> ?wkt }"
"""Where a place's coordinates are: the curated geometry, else its Wikidata item's P625 (enrich cache, snapshots)."""


async def home(request: Request) -> Response:
    """What twinkg is, counts, the network map (by reference: it is /network.svg), a search box and the
    best-connected places (not every place)."""
    config: ServerConfig = request.app.state.config
    rows = await best_connected(config)
    counts = await select(config, """SELECT ?kind (COUNT(?s) AS ?n) WHERE {
        VALUES ?kind { tw:Place tw:Twinning tw:Event tw:Actor tw:Source } ?s a ?kind } GROUP BY ?kind""")
    places = [{"label": r["label"]["value"], "href": page_href(config.base, r["p"]["value"]) or r["p"]["value"],
               "twinnings": int(r["n"]["value"])} for r in rows]
    totals = {r["kind"]["value"].split("#")[-1]: int(r["n"]["value"]) for r in counts}
    return render(request, "home.html", {"title": "twinkg", "places": places, "totals": totals,
                                         "map": exported.available(config.out_dir, "places.csv", "twinnings.csv"),
                                         "map_width": NETWORK_WIDTH, "initials": INITIALS})


async def best_connected(config: ServerConfig) -> list[dict[str, Any]]:
    """The BEST_CONNECTED places with the most twinnings, ties in label order.

    In two steps, because ordering every place of the world network by count and label (or by count and IRI) took
    1.1–1.8 s on pyoxigraph, where ordering by the count alone takes 0.1 s: first the count of the last place
    shown, then the places with at least that many twinnings, sorted here. Ordered outside each grouping:
    Virtuoso cannot order by an aggregate's alias inside it."""
    last = await select(config, f"""SELECT (MIN(?n) AS ?least) WHERE {{ {{ SELECT ?n WHERE {{ {{ SELECT ?p
        (COUNT(DISTINCT ?t) AS ?n) WHERE {{ ?t tw:partner ?p }} GROUP BY ?p }} }} ORDER BY DESC(?n) LIMIT {BEST_CONNECTED} }} }}""")
    least = last[0]["least"]["value"] if last and "least" in last[0] else None
    if least is None:
        return []
    rows = await select(config, f"""SELECT ?p (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?n) WHERE {{
        {{ SELECT ?p (COUNT(DISTINCT ?t) AS ?c) WHERE {{ ?t tw:partner ?p }} GROUP BY ?p
           HAVING (COUNT(DISTINCT ?t) >= {int(least)}) }} {DISPLAY_LABEL} }} GROUP BY ?p""")
    rows = [r for r in rows if "label" in r]
    rows.sort(key=lambda r: (-int(r["n"]["value"]), r["label"]["value"].lower(), r["p"]["value"]))
    return rows[:BEST_CONNECTED]


DISPLAY_LABEL = """OPTIONAL { ?p rdfs:label ?en FILTER(LANG(?en) = "en") }
        OPTIONAL { ?p rdfs:label ?other FILTER(LANG(?other) IN ("und", "")) }
        BIND(COALESCE(?en, ?other) AS ?l)"""
"""A place's display label: English, else the label of undetermined language (the 2016 crawl's)."""
BEST_CONNECTED = 60
INITIALS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PAGE_SIZE = 100
MAX_SEARCH = 100
_QID = re.compile(r"^[Qq][1-9][0-9]*$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _literal(text: str) -> str:
    """A SPARQL string literal of user input: JSON's escapes (backslash, quote, newline, tab, u-escapes) are SPARQL's."""
    return json.dumps(text, ensure_ascii=False)


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) <= 100_000 else 1


async def search_page(request: Request) -> Response:
    """Places by any label, alternative label, historical name (Leningrad, Stalingrad, Wolgograd) or Q-id."""
    config: ServerConfig = request.app.state.config
    q = " ".join(request.query_params.get("q", "").split())[:MAX_SEARCH]
    results: list[dict[str, Any]] = []
    if _QID.match(q):
        rows = await select(config, f"""SELECT ?p (SAMPLE(?l) AS ?label) (SAMPLE(?m) AS ?matched) WHERE {{
            ?p a tw:Place ; owl:sameAs <{WD}{q.upper()}> . BIND("{q.upper()}" AS ?m) {DISPLAY_LABEL} }} GROUP BY ?p""")
    elif q:
        rows = await select(config, f"""SELECT ?p (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT ?name; separator=" · ") AS ?matched)
        WHERE {{
          {{ ?p a tw:Place ; rdfs:label ?name }} UNION {{ ?p a tw:Place ; skos:altLabel ?name }}
          UNION {{ ?p a tw:Place ; tw:historicalName ?h . ?h rdfs:label ?name }}
          FILTER (CONTAINS(LCASE(STR(?name)), LCASE({_literal(q)})))
          {DISPLAY_LABEL}
        }} GROUP BY ?p ORDER BY LCASE(STR(?label)) LIMIT {PAGE_SIZE}""")
    else:
        rows = []
    for r in rows:
        iri = r["p"]["value"]
        results.append({"label": r.get("label", {}).get("value", _short(iri)), "href": page_href(config.base, iri) or iri,
                        "matched": r.get("matched", {}).get("value", "")})
    return render(request, "search.html", {"title": f"Search: {q}" if q else "Search", "q": q, "results": results,
                                           "limit": PAGE_SIZE})


async def place_index(request: Request) -> Response:
    """Places by country and by initial, a page of PAGE_SIZE at a time."""
    config: ServerConfig = request.app.state.config
    country = request.query_params.get("country", "").upper()
    country = country if _COUNTRY.match(country) else ""
    initial = request.query_params.get("initial", "")[:1].upper()
    initial = initial if initial.isalpha() else ""
    page = _page_number(request.query_params.get("page"))
    where = f"?p tw:country <{config.base}vocab/country/{country}> ." if country else ""
    start = f"FILTER (STRSTARTS(UCASE(STR(?l)), {_literal(initial)}))" if initial else ""
    rows = await select(config, f"""SELECT ?p ?l WHERE {{
        ?p a tw:Place . {where}
        {DISPLAY_LABEL}
        FILTER (BOUND(?l)) {start}
    }} ORDER BY LCASE(STR(?l)) ?p LIMIT {PAGE_SIZE + 1} OFFSET {(page - 1) * PAGE_SIZE}""")
    countries = await select(config, """SELECT ?code ?name (COUNT(?p) AS ?n) WHERE {
        ?p a tw:Place ; tw:country ?c . ?c skos:notation ?code ; skos:prefLabel ?name } GROUP BY ?code ?name ORDER BY ?name""")
    places = [{"label": r["l"]["value"], "href": page_href(config.base, r["p"]["value"]) or r["p"]["value"]}
              for r in rows[:PAGE_SIZE] if "l" in r]

    def link(**change: Any) -> str:
        params = {"country": country, "initial": initial, "page": page, **change}
        return "/places?" + "&".join(f"{k}={v}" for k, v in params.items() if v and not (k == "page" and v == 1))

    return render(request, "places.html", {
        "title": "Places", "places": places, "page": page, "initials": INITIALS, "country": country, "initial": initial,
        "countries": [{"code": r["code"]["value"], "name": r["name"]["value"], "count": int(r["n"]["value"]),
                       "href": link(country=r["code"]["value"], page=1)} for r in countries],
        "previous": link(page=page - 1) if page > 1 else None,
        "next": link(page=page + 1) if len(rows) > PAGE_SIZE else None,
        "initial_links": [{"letter": c, "href": link(initial=c, page=1)} for c in INITIALS],
        "all_initials": link(initial="", page=1), "all_countries": link(country="", page=1)})


def whole_network(config: ServerConfig) -> str | None:
    """Every place with coordinates and every link between two of them, from the build's export tables."""
    places, links = exported.read(config.out_dir, "places.csv"), exported.read(config.out_dir, "twinnings.csv")
    if places is None or links is None:
        return None
    found: dict[str, Place] = {}
    for row in places:
        if row["latitude"] and row["longitude"]:
            found[row["place_id"]] = (row["label"], page_href(config.base, row["place_iri"]) or row["place_iri"],
                                      (float(row["longitude"]), float(row["latitude"])))
    pairs = [(found[r["place_a_id"]][2], found[r["place_b_id"]][2]) for r in links
             if r["place_a_id"] in found and r["place_b_id"] in found]
    return network_svg(list(found.values()), pairs)


NETWORK_CACHE = "public, max-age=300"
"""The network map changes only with a build: browsers may keep it a few minutes, then revalidate by ETag."""


async def network_map(request: Request) -> Response:
    """/network.svg: the whole network's map, a document of its own so that the home page stays light."""
    config: ServerConfig = request.app.state.config
    svg = whole_network(config)
    if svg is None:
        return await not_found(request)
    return Response(svg, media_type="image/svg+xml", headers={
        "Cache-Control": NETWORK_CACHE, "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff"})


VALUES_SHOWN = 20
"""Values of one property a page's statement tables show (a place is the partner of hundreds of twinnings);
the data documents have them all."""


async def resource_page(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    local = request.path_params["local"]
    if not safe_local(local):
        return await not_found(request)
    try:
        page = partners.requested_page(request.query_params.getlist("page"))
    except partners.BadPage as exc:
        return page_error(request, 400, "Bad request", f"{exc}. The first page is {request.url.path}.")
    iri = iri_for_path(config.base, local)
    own = await statements(config, f"""{{ BIND(<{iri}> AS ?s) ?s ?p ?o }} UNION
        {{ <{iri}> ?q ?s . ?s ?p ?o FILTER(isBlank(?s) || STRSTARTS(STR(?s), "{iri}/")) }}""")
    if iri not in own:
        incoming_only = await select(config, f"SELECT ?s WHERE {{ ?s ?p <{iri}> }} LIMIT 1")
        if not incoming_only:
            return await not_found(request)
        own[iri] = Node(iri)
    node = own[iri]
    incoming_rows = await select(config, f"""SELECT ?s ?p ?sl WHERE {{ ?s ?p <{iri}>
        OPTIONAL {{ ?s {LABEL_PATH} ?sl }} }} LIMIT 1000""")
    incoming: dict[tuple[str, str], Term] = {}
    for r in incoming_rows:
        key = (r["p"]["value"], r["s"]["value"])
        t = incoming.setdefault(key, _term(config, r["s"]))
        if "sl" in r:
            t.labels.setdefault(r["sl"].get("xml:lang", ""), r["sl"]["value"])
    by_predicate: dict[str, list[Term]] = {}
    for (p, _), t in sorted(incoming.items(), key=lambda kv: (kv[0][0], kv[1].label)):
        by_predicate.setdefault(p, []).append(t)
    jsonld = await compacted_document(config, iri)
    types = node.types
    context: dict[str, Any] = {
        "node": node, "iri": iri, "sub": {k: v for k, v in own.items() if k != iri},
        "incoming": by_predicate, "incoming_truncated": len(incoming_rows) >= 1000,
        "jsonld": json_script(jsonld),
        "short": _short, "date_text": date_text, "event_kind": event_kind,
        "data_links": data_links(local),
        "title": node.label, "kind": "Resource", "values_shown": VALUES_SHOWN,
    }
    today = dt.date.today().year
    if TW + "Place" in types:
        context["kind"] = "Place"
        try:
            listing = partners.paginate(await partners.place_links(config, iri), page)
        except partners.BadPage as exc:
            return page_error(request, 400, "Bad request", f"{exc}. The first page is {request.url.path}.")
        shown = " ".join(f"<{lk.iri}>" for lk in listing.links)
        twinnings = await statements(config, f"VALUES ?s {{ {shown} }} ?s ?p ?o") if shown else {}
        events = await statements(config, f"VALUES ?t {{ {shown} }} ?t tw:event ?s . ?s ?p ?o") if shown else {}
        per: list[tuple[Node, list[Node]]] = []
        for lk in listing.links:
            link = twinnings.get(lk.iri, Node(lk.iri))
            per.append((link, ordered_events([events[e.value] for e in link.all(TW + "event") if e.value in events])))
        context["listing"] = listing
        context["twinnings"] = {link.iri: (link, evs) for link, evs in per}
        context["page_link"] = lambda n: request.url.path + ("" if n == 1 else f"?page={n}")
        context["timeline"] = timeline(per, today, lambda i: page_href(config.base, i) or i)
        context["names"] = [own[n.value] for n in node.all(TW + "historicalName") if n.value in own]
        context["wikidata"] = [t for t in node.all(OWL + "sameAs") if t.value.startswith(WD)]
        context["map"] = await place_map(config, iri, f"?t tw:partner <{iri}>, ?x . FILTER(?x != <{iri}>)")
    elif TW + "Twinning" in types:
        context["kind"] = "Twinning"
        events = await statements(config, f"<{iri}> tw:event ?s . ?s ?p ?o")
        context["events"] = ordered_events(list(events.values()))
        context["map"] = await place_map(config, None, f"<{iri}> tw:partner ?x")
    elif TW + "Event" in types:
        context["kind"] = event_kind(node) + " (event)"
    elif TW + "Actor" in types:
        context["kind"] = "Actor"
    elif TW + "Source" in types:
        context["kind"] = "Source"
    elif SKOS + "Concept" in types:
        context["kind"] = "Concept"
    elif SKOS + "ConceptScheme" in types:
        context["kind"] = "Concept scheme"
    response = render(request, "resource.html", context)
    response.headers["Link"] = link_header(config, local, "alternate")
    return response


async def place_map(config: ServerConfig, center: str | None, pattern: str) -> dict[str, Any] | None:
    rows = await select(config, f"""SELECT DISTINCT ?x ?l ?wkt WHERE {{
        {{ {pattern} }} UNION {{ {"BIND(<" + center + "> AS ?x)" if center else "FILTER(false)"} }}
        {COORDINATES} OPTIONAL {{ ?x rdfs:label ?l FILTER(LANG(?l) = "en") }} }}""")
    found: dict[str, Place] = {}
    for r in rows:
        pt = point(r["wkt"]["value"])
        if pt and r["x"]["value"] not in found:
            x = r["x"]["value"]
            found[x] = (r.get("l", {}).get("value", _short(x)), page_href(config.base, x) or x, pt)
    centre = found.pop(center, None) if center else None
    return svg_map(centre, list(found.values()))


async def ontology_page(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    accept = request.headers.get("accept")
    graph = config.iris.graph("ontology")
    if not conneg.prefers_html(accept, conneg.GRAPH_OFFERS) and request.query_params.get("format") != "html":
        media = conneg.choose(conneg.GRAPH_OFFERS, accept, request.query_params.get("format"))
        if media is None:
            return Response("available: text/html, " + ", ".join(EXTENSIONS.values()), status_code=406)
        answer = await run_query(config, f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o
            FILTER(!isIRI(?s) || STRSTARTS(STR(?s), "{TW[:-1]}")) }} }}""", media)
        return answer_response(config, answer)
    nodes = await statements(config, f"""GRAPH <{graph}> {{ ?s ?p ?o }}
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{TW[:-1]}"))""")
    schemes = await statements(config, f"GRAPH <{graph}> {{ ?s a skos:ConceptScheme ; ?p ?o }}")
    ontology = nodes.pop(TW[:-1], None)
    classes = sorted((n for n in nodes.values() if OWL + "Class" in n.types), key=lambda n: n.iri)
    properties = sorted((n for n in nodes.values() if n.types & PROPERTY_TYPES), key=lambda n: n.iri)
    other = sorted((n for n in nodes.values() if n not in classes and n not in properties), key=lambda n: n.iri)
    return render(request, "ontology.html", {
        "title": "twinkg ontology", "ontology": ontology, "classes": classes, "properties": properties,
        "other": other, "schemes": sorted(schemes.values(), key=lambda n: n.iri), "short": _short,
        "RDFS": RDFS, "OWL": OWL, "SKOS": SKOS, "DCT": DCT, "TW": TW})


async def dataset_page(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    accept = request.headers.get("accept")
    if request.url.path == "/dataset" and not conneg.prefers_html(accept, conneg.GRAPH_OFFERS) and accept:
        return await void(request)
    ds = config.iris.dataset()
    nodes = await statements(config, f"GRAPH <{config.iris.graph('meta')}> {{ ?s ?p ?o }}")
    dataset = nodes.get(ds, Node(ds))
    graphs = []
    for g in dataset.all("http://rdfs.org/ns/void#subset"):
        sub = nodes.get(g.value)
        graphs.append({"iri": g.value, "triples": sub.text("http://rdfs.org/ns/void#triples") if sub else "?"})
    files = []
    if config.out_dir is not None:
        for name, digest in sorted(dump_files(config.out_dir).items()):
            path = config.out_dir / name
            if path.is_file():
                files.append({"name": name, "size": path.stat().st_size, "sha256": digest})
    markup = dataset_markup(config, dataset.label, dataset.text(DCT + "description"), dataset.text(DCT + "modified"), files)
    return render(request, "dataset.html", {"title": "Dataset", "dataset": dataset, "graphs": graphs, "files": files,
                                            "DCT": DCT, "short": _short,
                                            "markup": json_script(json.dumps(markup, ensure_ascii=False).encode())})


@dataclass
class Example:
    name: str
    title: str
    description: str
    query: str


def examples(queries_dir: Path | None) -> list[Example]:
    out: list[Example] = []
    if queries_dir is None or not queries_dir.is_dir():
        return out
    for path in sorted(queries_dir.glob("*.rq")):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        title, description = path.stem.replace("-", " "), []
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            body = line.lstrip("#").strip()
            if body.lower().startswith("title:"):
                title = body[6:].strip()
            elif body:
                description.append(body)
        out.append(Example(path.stem, title, " ".join(description), text))
    return out


async def query_page(request: Request, query: str | None = None) -> Response:
    config: ServerConfig = request.app.state.config
    if query is None:
        query = request.query_params.get("query")
    context: dict[str, Any] = {"title": "Query", "examples": examples(config.settings.queries_dir), "query": query or "",
                               "max_rows": config.max_rows, "timeout": config.timeout,
                               "prefixes": sorted(PREFIXES.items())}
    if query:
        try:
            params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
            # the table shows solutions as SPARQL JSON and triples as N-Triples: the query's form picks one
            answer = await run_query(config, query, None, params, TABLE_ACCEPT, max_rows=None, own=False)
        except TwinkgError as exc:
            context["error"] = str(exc)
        else:
            context["result"] = result_table(config, answer.body, answer.media_type)
            context["truncated"] = answer.truncated
            # the same answer for the page's script, which then shows it without running the query again
            context["answer"] = json_script(json.dumps({
                "type": answer.media_type, "truncated": answer.truncated, "maxRows": config.max_rows,
                "text": answer.body.decode("utf-8")}, ensure_ascii=False).encode())
    return render(request, "query.html", context, 400 if "error" in context else 200)


async def query_basemap(request: Request) -> Response:
    """The vendored Natural Earth base map (land and borders as equirectangular SVG paths) for the query page's map
    view, which draws it under a result's places in the browser."""
    return JSONResponse(basemap())


async def basemap_document(request: Request) -> Response:
    """/map/basemap.svg: the coastlines and borders the pages' maps draw under their places."""
    return Response(basemap_svg(), media_type="image/svg+xml", headers={
        "Cache-Control": "public, max-age=86400", "Content-Security-Policy": "default-src 'none'",
        "X-Content-Type-Options": "nosniff"})


async def query_vocabulary(request: Request) -> Response:
    """What the query editor completes: the predeclared prefixes, the tw: classes and properties, and the concepts
    of the concept schemes (status, kind, reason … codes), with their labels, read from the ontology graph the
    server holds, so completion needs nothing from outside."""
    config: ServerConfig = request.app.state.config
    graph = config.iris.graph("ontology")
    nodes = await statements(config, f"""GRAPH <{graph}> {{ ?s ?p ?o }}
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{TW}"))""")
    terms = []
    for node in sorted(nodes.values(), key=lambda n: n.iri):
        kind = "class" if OWL + "Class" in node.types else "property" if node.types & PROPERTY_TYPES else None
        if kind:
            terms.append({"name": _short(node.iri), "iri": node.iri, "kind": kind, "label": node.label,
                          "comment": node.text(RDFS + "comment")})
    concepts = await statements(config, f"GRAPH <{graph}> {{ ?s a skos:Concept ; ?p ?o }}")
    return JSONResponse({"prefixes": PREFIXES, "terms": terms, "concepts": [
        {"iri": c.iri, "label": c.label, "scheme": c.text(SKOS + "inScheme").rstrip("/").rsplit("/", 1)[-1],
         "comment": c.text(SKOS + "definition")} for c in sorted(concepts.values(), key=lambda n: n.iri)]})


TABLE_ACCEPT = f"{conneg.RESULTS}, application/n-triples"


def result_table(config: ServerConfig, body: bytes, media_type: str) -> dict[str, Any]:
    if media_type == "application/n-triples":
        triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        return {"vars": ["subject", "predicate", "object"], "rows": [
            [_cell(config, t.subject), _cell(config, t.predicate), _cell(config, t.object)] for t in triples]}
    data = json.loads(body)
    if "boolean" in data:
        return {"boolean": data["boolean"]}
    names = data["head"].get("vars", [])
    return {"vars": names, "rows": [[(_cell_json(config, b[v]) if v in b else None) for v in names]
                                    for b in data["results"]["bindings"]]}


def _cell_json(config: ServerConfig, b: dict[str, str]) -> dict[str, Any]:
    t = _term(config, b)
    return {"text": t.value if t.kind != "uri" else _short(t.value), "href": t.href, "lang": t.lang,
            "datatype": _short(t.datatype) if t.datatype else ""}


def _cell(config: ServerConfig, term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"text": _short(term.value), "href": _href(config, term.value), "lang": "", "datatype": ""}
    if isinstance(term, ox.Literal):
        return {"text": term.value, "href": None, "lang": term.language or "", "datatype": ""}
    return {"text": str(term), "href": None, "lang": "", "datatype": ""}


