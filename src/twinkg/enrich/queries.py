"""The SPARQL queries sent to Wikidata: standard SPARQL 1.1 only.

No `wikibase:label` service, no `mwapi`, no Blazegraph hints, every prefix
declared: the same text runs on query.wikidata.org, on QLever's Wikidata
endpoint and on the Oxigraph fixture of the tests. Every query is a SELECT
whose rows are RDF triples (`?s ?p ?o`) or flat values, so no branch multiplies
another (one UNION branch per property instead of OPTIONALs).
"""

from __future__ import annotations

from collections.abc import Iterable

from twinkg.vocab import WD as WD  # re-exported: the Wikidata modules read it from here

WDT = "http://www.wikidata.org/prop/direct/"
P = "http://www.wikidata.org/prop/"
PS = "http://www.wikidata.org/prop/statement/"
PQ = "http://www.wikidata.org/prop/qualifier/"
WIKIBASE = "http://wikiba.se/ontology#"
WDS = "http://www.wikidata.org/entity/statement/"
PQV = "http://www.wikidata.org/prop/qualifier/value/"
PR = "http://www.wikidata.org/prop/reference/"
PROV_NS = "http://www.w3.org/ns/prov#"
SCHEMA_ORG = "http://schema.org/"
"""Wikidata's schema.org namespace is http:, not the https: twinkg uses for its own terms."""

PREFIXES = f"""PREFIX wd: <{WD}>
PREFIX wdt: <{WDT}>
PREFIX p: <{P}>
PREFIX ps: <{PS}>
PREFIX pq: <{PQ}>
PREFIX pqv: <{PQV}>
PREFIX pr: <{PR}>
PREFIX prov: <{PROV_NS}>
PREFIX wikibase: <{WIKIBASE}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <{SCHEMA_ORG}>
"""

TRUTHY = ("P17", "P31", "P625", "P856", "P1566", "P190")
"""Properties kept as truthy (`wdt:`) values: country, instance of, coordinates, website, GeoNames id, twinned with."""
STATEMENTS = {
    "P190": ("P580", "P582", "P1534"),  # twinned administrative body: start, end, end cause
    "P1082": ("P585",),                 # population: point in time
}
"""Properties fetched as full statements (`p:`/`ps:`/`pq:` and rank), so ended and deprecated ones are seen."""
DATED_QUALIFIERS = ("P580", "P582")
"""P190 qualifiers whose time value's precision (`pqv:…/wikibase:timePrecision`) is fetched too, so a year
stays a year: 9 year, 10 month, 11 day."""
BASE_LANGUAGES = ("en", "mul")
"""English, and `mul` (Wikidata's code for a label valid in many languages)."""
SETTLEMENT_CLASSES = ("Q486972", "Q56061")
"""Human settlement and administrative territorial entity: what reconciliation may propose."""


def _values(var: str, qids: Iterable[str]) -> str:
    return f"VALUES ?{var} {{ {' '.join(f'wd:{q}' for q in qids)} }}"


def _string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _langs(languages: Iterable[str]) -> str:
    return ", ".join(_string(lang) for lang in sorted(set(BASE_LANGUAGES) | set(languages)))


def items_query(qids: Iterable[str], languages: Iterable[str] = ()) -> str:
    """Everything `enrich` keeps about a batch of items, as `?s ?p ?o` rows in Wikidata's own terms.

    Labels: English, `mul`, the given languages and the official languages of
    the item's country (P17/P37/P424). Truthy values of TRUTHY, the ISO code
    (P297) of each country, and every statement of STATEMENTS with its value,
    rank, type and qualifiers; for P190 also the precision of its start and
    end times and its reference URLs (P854, kept on the statement).
    """
    qids = sorted(set(qids))
    values = _values("item", qids)
    truthy = " ".join(f"wdt:{p}" for p in TRUTHY)
    pairs = " ".join(
        f"(p:{prop} {pred})"
        for prop, qualifiers in STATEMENTS.items()
        for pred in (f"ps:{prop}", "wikibase:rank", "rdf:type", *(f"pq:{q}" for q in qualifiers))
    )
    statement_props = " ".join(f"p:{p}" for p in STATEMENTS)
    dated = " ".join(f"pqv:{q}" for q in DATED_QUALIFIERS)
    return f"""{PREFIXES}SELECT ?s ?p ?o WHERE {{
  {{
    {values}
    ?item rdfs:label ?o .
    FILTER(LANG(?o) IN ({_langs(languages)})
           || EXISTS {{ ?item wdt:P17/wdt:P37/wdt:P424 ?code . FILTER(LANG(?o) = ?code) }})
    BIND(?item AS ?s) BIND(rdfs:label AS ?p)
  }} UNION {{
    {values}
    VALUES ?p {{ {truthy} }}
    ?item ?p ?o .
    BIND(?item AS ?s)
  }} UNION {{
    {values}
    ?item wdt:P17 ?s .
    ?s wdt:P297 ?o .
    BIND(wdt:P297 AS ?p)
  }} UNION {{
    {values}
    VALUES ?p {{ {statement_props} }}
    ?item ?p ?o .
    BIND(?item AS ?s)
  }} UNION {{
    {values}
    VALUES (?prop ?p) {{ {pairs} }}
    ?item ?prop ?s .
    ?s ?p ?o .
  }} UNION {{
    {values}
    VALUES ?p {{ {dated} }}
    ?item p:P190 ?s .
    ?s ?p ?o .
  }} UNION {{
    {values}
    VALUES ?q {{ {dated} }}
    ?item p:P190 ?st .
    ?st ?q ?s .
    ?s wikibase:timePrecision ?o .
    BIND(wikibase:timePrecision AS ?p)
  }} UNION {{
    {values}
    ?item p:P190 ?s .
    ?s prov:wasDerivedFrom ?reference .
    ?reference pr:P854 ?o .
    BIND(pr:P854 AS ?p)
  }}
}}"""


def candidates_query(names: Iterable[tuple[str, str]]) -> str:
    """Items whose label or alias is one of the (text, language) names, if they are settlements or areas.

    Exact matches only (an index lookup on every store); `?via` says whether a
    label or an alias matched, `?class` which of SETTLEMENT_CLASSES the item
    belongs to (P31/P279*), one row each. A join, not FILTER EXISTS, which
    some engines evaluate without the item bound.
    """
    literals = " ".join(f"{_string(text)}@{lang}" for text, lang in sorted(set(names)))
    classes = " ".join(f"wd:{q}" for q in SETTLEMENT_CLASSES)
    return f"""{PREFIXES}SELECT DISTINCT ?item ?name ?via ?class WHERE {{
  VALUES ?name {{ {literals} }}
  {{ ?item rdfs:label ?name . BIND("label" AS ?via) }}
  UNION
  {{ ?item skos:altLabel ?name . BIND("alias" AS ?via) }}
  ?item wdt:P31/wdt:P279* ?class .
  VALUES ?class {{ {classes} }}
}}"""


def candidate_facts_query(qids: Iterable[str], languages: Iterable[str] = ()) -> str:
    """What scoring needs about candidates: labels, country ISO codes, classes and P190 partners (any rank)."""
    values = _values("item", sorted(set(qids)))
    return f"""{PREFIXES}SELECT ?item ?key ?value WHERE {{
  {{
    {values}
    ?item rdfs:label ?value . FILTER(LANG(?value) IN ({_langs(languages)}))
    BIND("label" AS ?key)
  }} UNION {{
    {values}
    ?item wdt:P17/wdt:P297 ?value . BIND("country" AS ?key)
  }} UNION {{
    {values}
    ?item wdt:P31 ?value . BIND("class" AS ?key)
  }} UNION {{
    {values}
    ?item p:P190/ps:P190 ?value . BIND("partner" AS ?key)
  }}
}}"""


def world_items_query(limit: int, offset: int) -> str:
    """One page of every item that has a P190 statement or is named by one (any rank), in a stable order."""
    return f"""{PREFIXES}SELECT DISTINCT ?item WHERE {{
  {{ ?item p:P190 ?statement . }} UNION {{ ?statement ps:P190 ?item . }}
}}
ORDER BY ?item
LIMIT {int(limit)} OFFSET {int(offset)}"""
