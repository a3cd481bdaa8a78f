"""The resource pages: /page/… for places, twinnings, events, actors, sources and concepts (each with its JSON-LD,
its statements in and out; a place's twinnings a page at a time with their timeline and map), and /ontology."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from twinkg.formats import EXTENSIONS
from twinkg.server import conneg, partners
from twinkg.server.cache import cached
from twinkg.server.config import ServerConfig
from twinkg.server.errors import not_found, page_error
from twinkg.server.linked_data import compacted_document, data_links, link_header
from twinkg.server.maps import Place, point, svg_map
from twinkg.server.protocol import answer_response
from twinkg.server.queries import run_query, select, served_event_types
from twinkg.server.render import render
from twinkg.server.urls import iri_for_path, page_href, safe_local
from twinkg.server.views.expressions import in_words
from twinkg.server.views.listings import DISPLAY_LABEL
from twinkg.server.views.model import LABEL_PATH, Node, Term, iri, json_script, literal, short, statements, term
from twinkg.server.views.timeline import (
    date_text,
    ended_text,
    event_kind,
    event_title,
    evidence_text,
    is_dated,
    ordered_events,
    started_text,
    timeline,
)
from twinkg.vocab import DCT, OWL, RDF, RDFS, SKOS, TW, WD

PROPERTY_TYPES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", RDF + "Property", OWL + "AnnotationProperty"}
COORDINATES = "{ ?x geo:hasGeometry/geo:asWKT ?wkt } UNION { ?x owl:sameAs/<http://www.wikidata.org/prop/direct/P625> ?wkt }"
"""Where a place's coordinates are: the curated geometry, else its Wikidata item's P625 (enrich cache, snapshots)."""
VALUES_SHOWN = 20
"""Values of one property a page's statement tables show (a place is the partner of hundreds of twinnings);
the data documents have them all."""
INCOMING = 1000
"""Statements pointing at a resource its page lists at most (the data documents have them all)."""


async def resource_page(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    local = request.path_params["local"]
    if not safe_local(local):
        return await not_found(request)
    try:
        page = partners.requested_page(request.query_params.getlist("page"))
    except partners.BadPage as exc:
        return page_error(request, 400, "Bad request", f"{exc}. The first page is {request.url.path}.")
    subject = iri_for_path(config.base, local)
    try:
        s = iri(subject)
    except ValueError:
        return await not_found(request)
    own = await statements(config, f"""{{ BIND({s} AS ?s) ?s ?p ?o }} UNION
        {{ {s} ?q ?s . ?s ?p ?o FILTER(isBlank(?s) || STRSTARTS(STR(?s), {literal(subject + "/")})) }}""")
    if subject not in own:
        if not await select(config, f"SELECT ?s WHERE {{ ?s ?p {s} }} LIMIT 1"):
            return await not_found(request)
        own[subject] = Node(subject)
    node = own[subject]
    incoming_rows = await select(config, f"""SELECT ?s ?p ?sl WHERE {{ ?s ?p {s}
        OPTIONAL {{ ?s {LABEL_PATH} ?sl }} }} LIMIT {INCOMING}""")
    incoming: dict[tuple[str, str], Term] = {}
    for r in incoming_rows:
        key = (r.text("p"), r.text("s"))
        t = incoming.setdefault(key, term(config, r["s"]))
        if "sl" in r:
            t.labels.setdefault(r.lang("sl"), r.text("sl"))
    by_predicate: dict[str, list[Term]] = {}
    for (p, _), t in sorted(incoming.items(), key=lambda kv: (kv[0][0], kv[1].label)):
        by_predicate.setdefault(p, []).append(t)
    jsonld = await compacted_document(config, subject)
    types = await served_event_types(request)
    context: dict[str, Any] = {
        "node": node, "iri": subject, "sub": {k: v for k, v in own.items() if k != subject},
        "incoming": by_predicate, "incoming_truncated": len(incoming_rows) >= INCOMING,
        "jsonld": json_script(jsonld),
        "short": short, "date_text": date_text, "event_kind": event_kind, "event_role": types.role_of_class,
        "event_types": types.types, "lifecycle": types, "event_title": event_title, "evidence_text": evidence_text,
        "data_links": data_links(local),
        "title": node.label, "kind": "Resource", "values_shown": VALUES_SHOWN,
    }
    kind = KINDS.get(next((t for t in KIND_ORDER if t in node.types), ""))
    if kind is not None:
        problem = await kind(config, request, node, own, page, context)
        if problem is not None:
            return problem
    response = render(request, "resource.html", context)
    response.headers["Link"] = link_header(config, local, "alternate")
    return response


Context = dict[str, Any]
Kind = Callable[[ServerConfig, Request, Node, dict[str, Node], int, Context], Awaitable[Response | None]]
"""What a page of one kind adds to the resource page's context (a response instead when the request is bad)."""


async def _place(config: ServerConfig, request: Request, node: Node, own: dict[str, Node], page: int,
                 context: Context) -> Response | None:
    context["kind"] = "Place"
    s = iri(node.iri)
    try:
        listing = partners.paginate(await partners.place_links(config, node.iri), page)
    except partners.BadPage as exc:
        return page_error(request, 400, "Bad request", f"{exc}. The first page is {request.url.path}.")
    shown = " ".join(iri(lk.iri) for lk in listing.links)
    twinnings = await statements(config, f"VALUES ?s {{ {shown} }} ?s ?p ?o") if shown else {}
    events = await statements(config, f"VALUES ?t {{ {shown} }} ?t tw:event ?s . ?s ?p ?o") if shown else {}
    per: list[tuple[Node, list[Node]]] = []
    for lk in listing.links:
        link = twinnings.get(lk.iri, Node(lk.iri))
        per.append((link, ordered_events([events[e.value] for e in link.all(TW + "event") if e.value in events])))
    context["listing"] = listing
    context["twinnings"] = {link.iri: (link, evs) for link, evs in per}
    context["page_link"] = lambda n: request.url.path + ("" if n == 1 else f"?page={n}")
    context["timeline"] = timeline(per, dt.date.today(), lambda i: page_href(config.base, i) or i, context["lifecycle"])
    context["names"] = [own[n.value] for n in node.all(TW + "historicalName") if n.value in own]
    context["wikidata"] = [t for t in node.all(OWL + "sameAs") if t.value.startswith(WD)]
    context["map"] = await place_map(config, node.iri, f"?t tw:partner {s}, ?x . FILTER(?x != {s})")
    return None


async def _twinning(config: ServerConfig, request: Request, node: Node, own: dict[str, Node], page: int,
                    context: Context) -> Response | None:
    context["kind"] = "Twinning"
    s = iri(node.iri)
    events = ordered_events(list((await statements(config, f"{s} tw:event ?s . ?s ?p ?o")).values()))
    context["events"] = [e for e in events if is_dated(e)]
    context["undated_events"] = [e for e in events if not is_dated(e)]
    context["started"] = started_text(node, events, context["lifecycle"])
    context["ended"] = ended_text(node)
    context["map"] = await place_map(config, None, f"{s} tw:partner ?x")
    return None


def _named(name: str) -> Kind:
    async def named(config: ServerConfig, request: Request, node: Node, own: dict[str, Node], page: int,
                    context: Context) -> Response | None:
        context["kind"] = name
        return None
    return named


async def _event(config: ServerConfig, request: Request, node: Node, own: dict[str, Node], page: int,
                 context: Context) -> Response | None:
    context["kind"] = event_kind(node) + " (event)"
    return None


KINDS: dict[str, Kind] = {
    TW + "Place": _place, TW + "Twinning": _twinning, TW + "Event": _event, TW + "Actor": _named("Actor"),
    TW + "Source": _named("Source"), SKOS + "Concept": _named("Concept"), SKOS + "ConceptScheme": _named("Concept scheme"),
}
"""The page kind by the resource's class; the first in KIND_ORDER the resource has wins."""
KIND_ORDER = tuple(KINDS)


async def place_map(config: ServerConfig, center: str | None, pattern: str) -> dict[str, Any] | None:
    """The map of the places `pattern` binds to ?x, around `center` when there is one."""
    rows = await select(config, f"""SELECT DISTINCT ?x ?l ?wkt WHERE {{
        {{ {pattern} }} UNION {{ {"BIND(" + iri(center) + " AS ?x)" if center else "FILTER(false)"} }}
        OPTIONAL {{ {COORDINATES} }} {DISPLAY_LABEL.replace("?p ", "?x ")} }}""")
    found: dict[str, Place] = {}
    every: set[str] = set()
    for r in rows:
        x = r.text("x")
        every.add(x)
        pt = point(r.text("wkt")) if "wkt" in r else None
        if pt and x not in found:
            found[x] = (r.text("l", short(x)), page_href(config.base, x) or x, pt)
    centre = found.pop(center, None) if center else None
    drawn = svg_map(centre, sorted(found.values()))
    not_drawn = len(every) - len(found) - (1 if centre else 0)
    if drawn is None:
        return {"marks": [], "not_drawn": not_drawn} if not_drawn else None
    return {**drawn, "not_drawn": not_drawn}


async def ontology_page(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    accept = request.headers.get("accept")
    graph = iri(config.iris.graph("ontology"))
    namespace = literal(TW[:-1])
    if not conneg.prefers_html(accept, conneg.GRAPH_OFFERS) and request.query_params.get("format") != "html":
        media = conneg.choose(conneg.GRAPH_OFFERS, accept, request.query_params.get("format"))
        if media is None:
            return Response("available: text/html, " + ", ".join(EXTENSIONS.values()), status_code=406)
        answer = await run_query(config, f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o
            FILTER(!isIRI(?s) || STRSTARTS(STR(?s), {namespace})) }} }}""", media)
        return answer_response(config, answer)
    # the anonymous class expressions (union domains, restrictions) in the same query as the terms: a blank
    # node's identifier names the same node only within one answer
    nodes = await statements(config, f"""GRAPH {graph} {{ ?s ?p ?o }}
        FILTER(isBlank(?s) || (isIRI(?s) && STRSTARTS(STR(?s), {namespace})))""")
    blanks = {k: nodes.pop(k) for k in [k for k in nodes if not k.startswith(TW[:-1])]}
    schemes = await statements(config, f"GRAPH {graph} {{ ?s a skos:ConceptScheme ; ?p ?o }}")
    ontology = nodes.pop(TW[:-1], None)
    classes = sorted((n for n in nodes.values() if OWL + "Class" in n.types), key=lambda n: n.iri)
    properties = sorted((n for n in nodes.values() if n.types & PROPERTY_TYPES), key=lambda n: n.iri)
    other = sorted((n for n in nodes.values() if n not in classes and n not in properties), key=lambda n: n.iri)
    return render(request, "ontology.html", {
        "title": "twinkg ontology", "ontology": ontology, "classes": classes, "properties": properties,
        "other": other, "schemes": sorted(schemes.values(), key=lambda n: n.iri), "short": short,
        "in_words": lambda t: in_words(t, blanks),
        "RDFS": RDFS, "OWL": OWL, "SKOS": SKOS, "DCT": DCT, "TW": TW})


routes: list[BaseRoute] = [
    Route("/page/{local:path}", cached(resource_page), name="page"),
    Route("/ontology", cached(ontology_page), name="ontology"),
]
