"""The pages' model: RDF terms with their labels (`Term`), a resource and its statements (`Node`), read from
the store's typed rows (`Store.select`); and the only way a page writes a term into a query (`iri`, `literal`): through
pyoxigraph's own term types, which refuse an IRI that is not one and escape a literal, never by pasting text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyoxigraph as ox

from twinkg import store
from twinkg.server.config import ServerConfig
from twinkg.server.queries import select
from twinkg.server.urls import page_href
from twinkg.vocab import DCT, PREFIXES, RDF, RDFS, SKOS, XSD

LABEL_PATH = "rdfs:label|skos:prefLabel|dct:title"


def iri(value: str) -> str:
    """An IRI as a SPARQL term (`<…>`), checked by pyoxigraph: ValueError when `value` is no absolute IRI."""
    return str(ox.NamedNode(value))


def literal(text: str) -> str:
    """A plain string literal as a SPARQL term, escaped by pyoxigraph (quotes, backslashes, line breaks)."""
    return str(ox.Literal(text))


SHOWN_PREFIXES = {**PREFIXES, "wdt": "http://www.wikidata.org/prop/direct/"}
"""The prefixes pages write IRIs with: the endpoint's predeclared ones, and Wikidata's direct properties
(`wdt:P190`), which the ontology's close matches name."""


def short(value: str) -> str:
    """An IRI as prefix:name when a prefix the pages know covers it, else whole."""
    for prefix, ns in SHOWN_PREFIXES.items():
        if value.startswith(ns) and len(value) > len(ns):
            return f"{prefix}:{value[len(ns):]}"
    return value


@dataclass
class Term:
    """An RDF term as a page shows it: its value, language or datatype, labels by language, and a link."""

    kind: str  # uri, literal, bnode
    value: str
    lang: str = ""
    datatype: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    href: str | None = None

    @property
    def label(self) -> str:
        """The display name (README, "Display names"): English, else a label without language, else any
        (the 2016 crawl's `@und` name, which `label_lang` says, for the page to mark it)."""
        for lang in ("en", ""):
            if lang in self.labels:
                return self.labels[lang]
        if self.labels:
            return next(iter(self.labels.values()))
        if self.kind == "uri":
            return short(self.value)
        return self.value

    @property
    def label_lang(self) -> str:
        """The language of `label` ("und" for a name of undetermined language), "" when it has none."""
        if "en" in self.labels or "" in self.labels:
            return "en" if "en" in self.labels else ""
        return next(iter(self.labels), "")

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"

    @property
    def local(self) -> str:
        return re.split(r"[#/]", self.value)[-1]


def href(config: ServerConfig, value: str) -> str | None:
    """Where a link to an IRI goes; only http(s) IRIs become links, never a `javascript:` one from the data."""
    return page_href(config.base, value) or (value if value.lower().startswith(("http://", "https://")) else None)


def term(config: ServerConfig, found: store.Term) -> Term:
    """A page's term from a store's: the datatype only where SPARQL JSON writes one (not for a plain string or
    a literal with a language)."""
    if isinstance(found, ox.NamedNode):
        return Term("uri", found.value, href=href(config, found.value))
    if isinstance(found, ox.BlankNode):
        return Term("bnode", found.value)
    datatype = found.datatype.value
    return Term("literal", found.value, found.language or "", "" if found.language or datatype == XSD + "string" else datatype)


@dataclass
class Node:
    """A resource and its statements: predicate IRI → objects, in the order the store gave them."""

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

    def _name(self) -> Term | None:
        """The term a node is named by: its label, else its preferred label, else its title."""
        for p in (RDFS + "label", SKOS + "prefLabel", DCT + "title"):
            v = self.one(p)
            if v:
                return v
        return None

    @property
    def label(self) -> str:
        v = self._name()
        return v.value if v else short(self.iri)

    @property
    def label_lang(self) -> str:
        """The language of `label` ("und": the 2016 crawl's name of undetermined language, to be marked)."""
        v = self._name()
        return v.lang if v else ""


async def statements(config: ServerConfig, where: str, limit: int | None = None) -> dict[str, Node]:
    """Nodes from a pattern that binds ?s ?p ?o, with the objects' labels."""
    rows = await select(config, f"SELECT ?s ?p ?o ?ol WHERE {{ {{ {where} }} OPTIONAL {{ ?o {LABEL_PATH} ?ol }} }}"
                        + (f" LIMIT {int(limit)}" if limit else ""))
    nodes: dict[str, Node] = {}
    seen: dict[tuple[str, str, store.Term], Term] = {}
    for row in rows:
        s, p, o = row.text("s"), row.text("p"), row["o"]
        node = nodes.setdefault(s, Node(s))
        found = seen.get((s, p, o))
        if found is None:
            found = seen[(s, p, o)] = term(config, o)
            node.props.setdefault(p, []).append(found)
        if "ol" in row:
            found.labels.setdefault(row.lang("ol"), row.text("ol"))
    return nodes


def json_script(body: bytes) -> str:
    """JSON to embed in a <script> element: every `<` escaped, so no string in the data can close the element or
    open a comment in it, whatever it holds."""
    return body.decode("utf-8").replace("<", "\\u003c")
