"""The query workbench: /query (the editor with the example queries, a query's answer as a table), what its
editor completes (/query/vocabulary.json) and the base map its map view draws (/query/basemap.json). /sparql
shows this page to a browser (the app wires it in: the protocol module does not import pages)."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from twinkg.errors import TwinkgError
from twinkg.output import QUERIES_FILE
from twinkg.server import conneg
from twinkg.server.cache import cached
from twinkg.server.config import ServerConfig
from twinkg.server.maps import basemap
from twinkg.server.queries import run_query
from twinkg.server.render import render
from twinkg.server.views.model import iri, json_script, literal, short, statements, term
from twinkg.server.views.resources import PROPERTY_TYPES
from twinkg.vocab import OWL, PREFIXES, RDFS, SKOS, TW

TABLE_ACCEPT = f"{conneg.RESULTS}, application/n-triples"


@functools.lru_cache(maxsize=4)
def examples(out_dir: Path | None) -> list[dict[str, str]]:
    """The example queries of the build being served (its queries.json; twinkg.examples writes it), none when
    there is no build or it has none: the server reads them from its build, never from a source folder."""
    if out_dir is None:
        return []
    try:
        found = json.loads((out_dir / QUERIES_FILE).read_bytes())
    except (OSError, ValueError):
        return []
    return [e for e in found if isinstance(e, dict) and all(isinstance(e.get(k), str) for k in EXAMPLE_KEYS)] \
        if isinstance(found, list) else []


EXAMPLE_KEYS = ("name", "title", "description", "query")


async def query_page(request: Request, query: str | None = None) -> Response:
    config: ServerConfig = request.app.state.config
    if query is None:
        query = request.query_params.get("query")
    context: dict[str, Any] = {"title": "Query", "examples": examples(config.out_dir), "query": query or "",
                               "max_rows": config.max_rows, "timeout": config.timeout,
                               "prefixes": sorted(PREFIXES.items())}
    if query:
        try:
            params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
            # the table shows solutions as SPARQL JSON and triples as N-Triples: the query's form picks one
            answer = await run_query(config, query, None, params, TABLE_ACCEPT, max_rows=None)
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


async def query_vocabulary(request: Request) -> Response:
    """What the query editor completes: the predeclared prefixes, the tw: classes and properties, and the concepts
    of the concept schemes (status, kind, reason … codes), with their labels, read from the ontology graph the
    server holds, so completion needs nothing from outside."""
    config: ServerConfig = request.app.state.config
    graph = iri(config.iris.graph("ontology"))
    nodes = await statements(config, f"""GRAPH {graph} {{ ?s ?p ?o }}
        FILTER(isIRI(?s) && STRSTARTS(STR(?s), {literal(TW)}))""")
    terms = []
    for node in sorted(nodes.values(), key=lambda n: n.iri):
        kind = "class" if OWL + "Class" in node.types else "property" if node.types & PROPERTY_TYPES else None
        if kind:
            terms.append({"name": short(node.iri), "iri": node.iri, "kind": kind, "label": node.label,
                          "comment": node.text(RDFS + "comment")})
    concepts = await statements(config, f"GRAPH {graph} {{ ?s a skos:Concept ; ?p ?o }}")
    return JSONResponse({"prefixes": PREFIXES, "terms": terms, "concepts": [
        {"iri": c.iri, "label": c.label, "scheme": c.text(SKOS + "inScheme").rstrip("/").rsplit("/", 1)[-1],
         "comment": c.text(SKOS + "definition")} for c in sorted(concepts.values(), key=lambda n: n.iri)]})


def result_table(config: ServerConfig, body: bytes, media_type: str) -> dict[str, Any]:
    """An answer as the page's table: SPARQL JSON solutions or a boolean, or N-Triples as three columns (read by
    pyoxigraph, both)."""
    if media_type == "application/n-triples":
        triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        return {"vars": ["subject", "predicate", "object"], "rows": [
            [_cell(config, t.subject), _cell(config, t.predicate), _cell(config, t.object)] for t in triples]}
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return {"boolean": bool(parsed)}
    return {"vars": [v.value for v in parsed.variables],
            "rows": [[None if found is None else _cell(config, found) for found in solution] for solution in parsed]}


def _cell(config: ServerConfig, found: Any) -> dict[str, Any]:
    if isinstance(found, ox.NamedNode | ox.BlankNode | ox.Literal):
        t = term(config, found)
        return {"text": short(t.value) if t.is_iri else t.value, "href": t.href, "lang": t.lang,
                "datatype": short(t.datatype) if t.datatype else ""}
    return {"text": str(found), "href": None, "lang": "", "datatype": ""}  # an RDF-star triple


routes: list[BaseRoute] = [
    Route("/query", query_page, name="query"),
    Route("/query/vocabulary.json", cached(query_vocabulary), name="query-vocabulary"),
    Route("/query/basemap.json", cached(query_basemap), name="query-basemap"),
]
