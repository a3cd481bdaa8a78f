"""The twinnings' facets (after Datasette's): which filters a request names, and the index of every link that
applies and counts them.

A view of the links is a set of filters, at most one value per facet: `status` and `kind` (a concept's
notation: `suspended`, `twin-town`), `country` (ISO code of a partner's country: a link counts once per
country it joins), `decade` of the start (`1940s`: both start bounds in that decade, as /statistics counts
them, else `unknown`) and `source` (`curated` or `wikidata`: the named graph that states the link; a link
both state is in both). Its address is `/twinnings?` with the filters in FACETS order, then the page: one
view, one address.

Filtering and counting 20,000 links by SPARQL took 3–8 s a view on the embedded store of a loaded machine
(six grouped queries, the sort of the listing), past the queries' timeout. So the links are read once per
build by a few fixed queries (no request's text is ever written into them) into a `LinkIndex`, in the
listing's order, which filters and counts a view in milliseconds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from twinkg.errors import TwinkgError
from twinkg.server.views.model import iri, literal
from twinkg.store import Row
from twinkg.vocab import Iris

FACETS = ("status", "kind", "country", "decade", "source")
"""The facets, in the order their filters appear in an address (then `page`)."""
SCHEMES = ("status", "kind", "country")
"""The facets whose values are concepts of the scheme of that name (`vocab/{scheme}/{code}`)."""
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

LINKS = "SELECT ?t ?label WHERE { ?t a tw:Twinning OPTIONAL { ?t rdfs:label ?label } }"
CODES = {name: f"SELECT ?t ?v WHERE {{ ?t tw:{name} ?c . ?c skos:notation ?v }}" for name in ("status", "kind")}
COUNTRIES = "SELECT ?t ?v WHERE { ?t tw:partner ?p . ?p tw:country ?c . ?c skos:notation ?v }"
STARTS = """SELECT ?t ?p ?v WHERE { ?t ?p ?v VALUES ?p { tw:startDate tw:startEarliest tw:startLatest } }"""


def queries(iris: Iris) -> dict[str, str]:
    """What the index is read from, by name: one light query per property (each well inside a query's timeout);
    the vocabulary is the codes and English names of the concepts of the faceted schemes, what a filter may name."""
    schemes = " ".join(f"({iri(iris.scheme(s))} {literal(s)})" for s in SCHEMES)
    graphs = " ".join(f"({iri(iris.graph(s))} {literal(s)})" for s in SOURCES)
    return {"links": LINKS, **CODES, "countries": COUNTRIES, "starts": STARTS,
            "graphs": f"SELECT ?t ?v WHERE {{ VALUES (?g ?v) {{ {graphs} }} GRAPH ?g {{ ?t a tw:Twinning }} }}",
            "vocabulary": f"""SELECT ?scheme ?v ?label WHERE {{ VALUES (?s ?scheme) {{ {schemes} }}
                ?c skos:inScheme ?s ; skos:notation ?v
                OPTIONAL {{ ?c skos:prefLabel ?label FILTER(LANG(?label) IN ("en", "")) }} }}"""}


class BadFilter(TwinkgError):
    """A query parameter of /twinnings that names no view: an unknown name, a value of the wrong form or one
    the vocabulary does not have, a facet given twice."""


@dataclass(slots=True)
class Link:
    """One twinning with what the listing shows and the facets read."""

    iri: str
    label: str = ""
    lang: str = ""
    status: str = ""
    kind: str = ""
    start_date: str = ""
    start_earliest: str = ""
    start_latest: str = ""
    countries: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def decade(self) -> str:
        lo, hi = self.start_earliest, self.start_latest
        return f"{lo[:3]}0s" if lo and hi and lo[:3] == hi[:3] else UNKNOWN_DECADE

    @property
    def start(self) -> str:
        """The start as the page shows it: the stated date, else the years its bounds allow."""
        if self.start_date:
            return self.start_date
        lo, hi = self.start_earliest[:4], self.start_latest[:4]
        if lo and hi:
            return lo if lo == hi else f"{lo}–{hi}"
        return f"{lo} or later" if lo else f"by {hi}" if hi else ""

    def values(self, facet: str) -> Iterable[str]:
        """The link's values of a facet: none, one, or several (countries, sources)."""
        if facet == "country":
            return self.countries
        if facet == "source":
            return self.sources
        value = self.decade if facet == "decade" else getattr(self, facet)
        return (value,) if value else ()


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

    def admits(self, link: Link) -> bool:
        return all(value in link.values(name) for name, value in self.values.items())


@dataclass
class LinkIndex:
    """Every link of the build in the listing's order (by label, any case, then IRI), and the vocabulary."""

    links: list[Link]
    vocabulary: dict[str, dict[str, str]]
    """Facet → code → English name, for the facets whose values are concepts (and `source`)."""

    def view(self, filters: Filters) -> list[Link]:
        return [link for link in self.links if filters.admits(link)] if filters.values else self.links

    def known(self, filters: Filters) -> None:
        """BadFilter when a filter names a concept its scheme does not have."""
        for name in SCHEMES:
            value = filters.values.get(name)
            if value is not None and value not in self.vocabulary.get(name, {}):
                raise BadFilter(f"{name} {value!r} is not in this graph's vocabulary; {_SAYS[name]}")


def counts(links: Iterable[Link]) -> dict[str, Counter[str]]:
    """Each facet's values with the number of `links` that have each."""
    links = list(links)
    return {"status": Counter(lk.status for lk in links if lk.status),
            "kind": Counter(lk.kind for lk in links if lk.kind),
            "country": Counter(c for lk in links for c in lk.countries),
            "decade": Counter(lk.decade for lk in links),
            "source": Counter(s for lk in links for s in lk.sources)}


def index_from(answers: Mapping[str, list[Row]]) -> LinkIndex:
    """The index from the bindings of `queries`, by name."""
    links: dict[str, Link] = {}
    for b in answers["links"]:
        t = b.text("t")
        if t not in links:
            links[t] = Link(t, b.text("label"), b.lang("label"))
    for name in CODES:
        for b in answers[name]:
            if (link := links.get(b.text("t"))) is not None:
                setattr(link, name, b.text("v"))
    for b in answers["countries"]:
        if (link := links.get(b.text("t"))) is not None and b.text("v") not in link.countries:
            link.countries.append(b.text("v"))
    for b in answers["graphs"]:
        if (link := links.get(b.text("t"))) is not None and b.text("v") not in link.sources:
            link.sources.append(b.text("v"))
    fields = {"startDate": "start_date", "startEarliest": "start_earliest", "startLatest": "start_latest"}
    for b in answers["starts"]:
        if (link := links.get(b.text("t"))) is not None:
            setattr(link, fields[b.text("p").rsplit("#", 1)[-1]], b.text("v"))
    vocabulary: dict[str, dict[str, str]] = {name: {} for name in SCHEMES}
    for b in answers["vocabulary"]:
        vocabulary[b.text("scheme")].setdefault(b.text("v"), b.text("label", b.text("v")))
    for link in links.values():
        link.countries.sort()
        link.sources.sort()
    ordered = sorted(links.values(), key=lambda lk: (lk.label.casefold(), lk.iri))
    return LinkIndex(ordered, {**vocabulary, "source": dict(SOURCES)})


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


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")
