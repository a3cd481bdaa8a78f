"""/search.json: suggestions for the search box in every page's header, as the visitor types.

The names come from the place-name index (server/names.py), built by three of the server's own queries the
first time it is asked after a new build is served (the same fair scheduling as every query: they run through
the app's store) and kept until the dump changes; over a remote store, whose changes the server cannot see, it
is rebuilt after cache.REMOTE_TTL seconds. A lookup costs no store work at all, so a flood of typing is cheap.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from twinkg.server.cache import PerBuild
from twinkg.server.config import ServerConfig
from twinkg.server.names import MAX_QUERY, Name, NameIndex, PlaceFacts, Suggestion
from twinkg.server.queries import select
from twinkg.server.urls import page_href
from twinkg.server.views.model import literal
from twinkg.store import Row
from twinkg.vocab import WD

SUGGESTIONS = 8
"""Suggestions a lookup gives (the list under the search box); /search has the rest."""
NOT_STATED = "not-stated"

NAMES = """SELECT ?p ?name ?how ?from ?until WHERE { ?p a tw:Place .
    { ?p rdfs:label ?name BIND("name" AS ?how) } UNION { ?p skos:altLabel ?name BIND("alternative" AS ?how) }
    UNION { ?p tw:historicalName ?h . ?h rdfs:label ?name BIND("former" AS ?how)
            OPTIONAL { ?h tw:validFrom ?from } OPTIONAL { ?h tw:validUntil ?until } } }"""
FACTS = f"""SELECT ?p ?code ?country ?kind ?item WHERE {{ ?p a tw:Place .
    OPTIONAL {{ ?p tw:country ?c . ?c skos:notation ?code OPTIONAL {{ ?c skos:prefLabel ?country }} }}
    OPTIONAL {{ ?p tw:placeType ?t . ?t skos:prefLabel ?kind ; skos:notation ?tcode
               FILTER(STR(?tcode) != {literal(NOT_STATED)}) }}
    OPTIONAL {{ ?p owl:sameAs ?item FILTER(STRSTARTS(STR(?item), {literal(WD)})) }} }}"""
LINKS = "SELECT ?p (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t tw:partner ?p } GROUP BY ?p"


def index_from(names: list[Row], facts: list[Row], links: list[Row]) -> NameIndex:
    """The index from the three queries' rows. A place's display label: its English label, else one without
    a language, else its `@und` label (the 2016 crawl's), else any; `@und` labels are names of undetermined
    language."""
    by_place: dict[str, list[Name]] = {}
    for r in names:
        lang = r.lang("name")
        how = "undetermined" if lang == "und" and r.text("how") == "name" else r.text("how")
        period = "–".join(filter(None, (r.text("from"), r.text("until"))))
        if period and not r.text("from"):
            period = "until " + period
        elif period and not r.text("until"):
            period = "from " + period
        by_place.setdefault(r.text("p"), []).append(Name(r.text("name"), how, lang, period))
    told: dict[str, dict[str, str]] = {}
    for r in facts:
        seen = told.setdefault(r.text("p"), {})
        for key in ("code", "country", "kind", "item"):
            if key not in seen and key in r:
                seen[key] = r.text(key)
    count = {r.text("p"): r.number("n") for r in links}
    places: list[PlaceFacts] = []
    pairs: list[tuple[int, Name]] = []
    for place, own in sorted(by_place.items()):
        labels = {n.lang: n.text for n in own if n.how in ("name", "undetermined")}
        lang = next((tag for tag in ("en", "", "und") if labels.get(tag)), own[0].lang)
        label = labels.get(lang) or own[0].text
        fact = told.get(place, {})
        places.append(PlaceFacts(place, label, fact.get("country", ""), fact.get("code", ""), fact.get("kind", ""),
                                 count.get(place, 0), fact.get("item", "").removeprefix(WD), lang))
        pairs.extend((len(places) - 1, n) for n in own)
    return NameIndex(places, pairs)


class IndexHolder(PerBuild[NameIndex]):
    """The place-name index of the build being served."""

    async def build(self, config: ServerConfig) -> NameIndex:
        return index_from(await select(config, NAMES), await select(config, FACTS), await select(config, LINKS))


def holder(request: Request) -> IndexHolder:
    return IndexHolder.of(request.app.state, "names")


def as_json(config: ServerConfig, s: Suggestion) -> dict[str, Any]:
    p = s.place
    return {"label": p.label, "iri": p.iri, "href": page_href(config.base, p.iri) or p.iri, "country": p.country,
            "countryCode": p.country_code, "type": p.kind, "links": p.links, "wikidata": p.qid,
            "matched": None if s.matched is None else {"name": s.matched.text, "how": s.matched.how,
                                                        "lang": s.matched.lang, "period": s.matched.period}}


async def suggestions(request: Request) -> Response:
    """`/search.json?q=…`: up to SUGGESTIONS places for a part of any of their names or a Q-id, best first."""
    config: ServerConfig = request.app.state.config
    q = " ".join(request.query_params.get("q", "").split())[:MAX_QUERY]
    index = await holder(request).get(config, request.app.state.cache) if q else None
    found = index.suggest(q, SUGGESTIONS) if index is not None else []
    return JSONResponse({"q": q, "suggestions": [as_json(config, s) for s in found],
                         "all": "/search?" + urlencode({"q": q}) if q else "/search"},
                        headers={"Cache-Control": "public, max-age=300"})


routes: list[BaseRoute] = [Route("/search.json", suggestions, name="search-json")]
