"""The twinnings' facets (after Datasette's): which filters a request names, and the SPARQL that applies and
counts them.

A view of the links is a set of filters, at most one value per facet: `status` and `kind` (a concept's
notation: `suspended`, `twin-town`), `country` (ISO code of a partner's country: a link counts once per
country it joins), `decade` of the start (`1940s`: both start bounds in that decade, as /statistics counts
them, else `unknown`) and `source` (`curated` or `wikidata`: the named graph that states the link; a link
both state is in both). Its address is `/twinnings?` with the filters in FACETS order, then the page: one
view, one address. Values are checked here by their form, then by the vocabulary (`known`), and written
into queries only as pyoxigraph terms (views.model.iri and literal), never as the request's text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from twinkg.errors import TwinkgError
from twinkg.server.views.model import iri, literal
from twinkg.vocab import Iris

FACETS = ("status", "kind", "country", "decade", "source")
"""The facets, in the order their filters appear in an address (then `page`)."""
SCHEMES = {"status": "status", "kind": "kind", "country": "country"}
"""The facets whose values are concepts of a scheme, by the scheme's name (`vocab/{scheme}/{code}`)."""
SOURCES = {"curated": "curated", "wikidata": "Wikidata"}
"""The `source` facet's values (named graphs) and how pages name them."""
UNKNOWN_DECADE = "unknown"
_FORMS = {
    "status": re.compile(r"^[a-z][a-z0-9-]{0,40}$"),
    "kind": re.compile(r"^[a-z][a-z0-9-]{0,40}$"),
    "country": re.compile(r"^[A-Z]{2}$"),
    "decade": re.compile(rf"^(?:[0-9]{{3}}0s|{UNKNOWN_DECADE})$"),
    "source": re.compile(rf"^(?:{'|'.join(SOURCES)})$"),
}
_SAYS = {
    "status": "a status code such as active or suspended",
    "kind": "a kind code such as twin-town or sister-city",
    "country": "a two-letter ISO country code such as DE",
    "decade": f"a decade such as 1940s, or {UNKNOWN_DECADE}",
    "source": f"one of {', '.join(SOURCES)}",
}
DECADE = """OPTIONAL { ?t tw:startEarliest ?se ; tw:startLatest ?sl FILTER(SUBSTR(STR(?se), 1, 3) = SUBSTR(STR(?sl), 1, 3)) }
    BIND(IF(BOUND(?se), CONCAT(SUBSTR(STR(?se), 1, 3), "0s"), "unknown") AS ?decade)"""
"""?decade of ?t: the decade both its start bounds fall in, else "unknown" (the rule of /statistics's chart)."""


class BadFilter(TwinkgError):
    """A query parameter of /twinnings that names no view: an unknown name, a value of the wrong form or one
    the vocabulary does not have, a facet given twice."""


@dataclass(frozen=True)
class Filters:
    """A view's filters, facet name → value, for the facets it filters on."""

    values: Mapping[str, str]

    def address(self, path: str = "/twinnings", page: int = 1, change: Mapping[str, str | None] | None = None) -> str:
        """The view's one address, with `change` applied (None drops a filter): filters in FACETS order, then
        the page when it is not the first."""
        values = {**self.values, **(change or {})}
        params = [(name, values[name]) for name in FACETS if values.get(name)]
        if page > 1:
            params.append(("page", str(page)))
        return path + ("?" + urlencode(params) if params else "")

    def where(self, iris: Iris) -> str:
        """A graph pattern binding ?t to each twinning of the view (checked terms only); a twinning with two
        partners in the filtered country binds twice (joins are far faster than FILTER EXISTS here: count
        DISTINCT ?t)."""
        v = self.values
        parts = ["?t a tw:Twinning ."]
        for name in ("status", "kind"):
            if name in v:
                parts.append(f"?t tw:{name} {iri(iris.concept(SCHEMES[name], v[name]))} .")
        if "country" in v:
            parts.append(f"?t tw:partner ?cp . ?cp tw:country {iri(iris.concept('country', v['country']))} .")
        if "source" in v:
            parts.append(f"GRAPH {iri(iris.graph(v['source']))} {{ ?t a tw:Twinning }}")
        if "decade" in v:
            parts.append(f"{DECADE} FILTER(?decade = {literal(v['decade'])})")
        return "\n    ".join(parts)


def requested(params: list[tuple[str, str]]) -> tuple[Filters, list[str]]:
    """The filters a request names, and its `page` values (for partners.requested_page). Empty values are no
    filter (what a form sends for "any"). BadFilter for an unknown name, a facet given twice, a value of the
    wrong form."""
    values: dict[str, str] = {}
    pages: list[str] = []
    for name, value in params:
        if name == "page":
            pages.append(value)
            continue
        if name not in FACETS:
            raise BadFilter(f"{_shown(name)} is not a filter of the twinnings; the filters are {', '.join(FACETS)} "
                            "(and page)")
        if not value:
            continue
        if name in values:
            raise BadFilter(f"{name} is given twice; give one value (a view filters each facet by one value)")
        if not _FORMS[name].match(value):
            raise BadFilter(f"{name} must be {_SAYS[name]} (got {_shown(value)})")
        values[name] = value
    return Filters(values), pages


def known(filters: Filters, vocabulary: Mapping[str, Mapping[str, str]]) -> None:
    """BadFilter when a filter names a concept its scheme does not have (`vocabulary`: facet → code → label)."""
    for name in SCHEMES:
        value = filters.values.get(name)
        if value is not None and value not in vocabulary.get(name, {}):
            raise BadFilter(f"{name} {value!r} is not in this graph's vocabulary; {_SAYS[name]}")


def vocabulary_query(iris: Iris) -> str:
    """The codes and English names of the concepts of the faceted schemes: what a filter may name."""
    schemes = " ".join(iri(iris.scheme(s)) for s in SCHEMES.values())
    return f"""SELECT ?scheme ?code ?label WHERE {{ VALUES ?scheme {{ {schemes} }}
        ?c skos:inScheme ?scheme ; skos:notation ?code .
        OPTIONAL {{ ?c skos:prefLabel ?label FILTER(LANG(?label) IN ("en", "")) }} }}"""


def count_query(filters: Filters, iris: Iris) -> str:
    return f"SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ {filters.where(iris)} }}"


def facet_query(name: str, filters: Filters, iris: Iris) -> str:
    """The view's twinnings counted by their value of one facet: rows ?v (a code, decade or source) and ?n.

    A link counts once per value it has: once per country it joins, in both sources when both state it."""
    value = {
        "status": "?t tw:status ?c . ?c skos:notation ?v .",
        "kind": "?t tw:kind ?c . ?c skos:notation ?v .",
        "country": "?t tw:partner/tw:country ?c . ?c skos:notation ?v .",
        "decade": "BIND(?decade AS ?v)" if "decade" in filters.values else f"{DECADE} BIND(?decade AS ?v)",
        "source": (f"VALUES (?g ?v) {{ {' '.join(f'({iri(iris.graph(s))} {literal(s)})' for s in SOURCES)} }} "
                   "GRAPH ?g { ?t a tw:Twinning }"),
    }[name]
    return f"SELECT ?v (COUNT(DISTINCT ?t) AS ?n) WHERE {{ {filters.where(iris)}\n    {value} }} GROUP BY ?v"


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")
