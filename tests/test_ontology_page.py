"""The ontology page in words: union domains and ranges and other class expressions spelled out (never `[ ]`),
close matches as short links (`wdt:P190`) to their full IRIs."""

from __future__ import annotations

import re

from starlette.testclient import TestClient
from support.inprocess import Page

from twinkg.server.views.expressions import in_words
from twinkg.server.views.model import Node, Term
from twinkg.vocab import OWL, RDF, TW, XSD


def iri(name: str) -> Term:
    return Term("uri", TW + name)


def blank(name: str) -> Term:
    return Term("bnode", name)


def rdf_list(blanks: dict[str, Node], name: str, items: list[Term]) -> Term:
    """An RDF list of `items` as blank nodes name0, name1 … into `blanks`; its head."""
    for i, item in enumerate(items):
        rest = blank(f"{name}{i + 1}") if i + 1 < len(items) else Term("uri", RDF + "nil")
        blanks[f"{name}{i}"] = Node(f"{name}{i}", {RDF + "first": [item], RDF + "rest": [rest]})
    return blank(f"{name}0")


def spoken(parts: list[tuple[str, str | Term]]) -> str:
    return "".join(p if isinstance(p, str) else p.value.split("#")[-1] for _, p in parts)


def test_class_expressions_read_as_words() -> None:
    blanks: dict[str, Node] = {}
    union = rdf_list(blanks, "u", [iri("Place"), iri("Actor")])
    blanks["union"] = Node("union", {OWL + "unionOf": [union]})
    assert spoken(in_words(blank("union"), blanks)) == "Place or Actor"
    restriction = {OWL + "onProperty": [iri("partner")], OWL + "someValuesFrom": [blank("union")]}
    blanks["some"] = Node("some", restriction)
    assert spoken(in_words(blank("some"), blanks)) == "has partner some (Place or Actor)"
    blanks["both"] = Node("both", {OWL + "intersectionOf": [rdf_list(blanks, "i", [iri("Twinning"), blank("some")])]})
    assert spoken(in_words(blank("both"), blanks)) == "Twinning and (has partner some (Place or Actor))"
    blanks["not"] = Node("not", {OWL + "complementOf": [iri("Place")]})
    assert spoken(in_words(blank("not"), blanks)) == "not Place"
    count = Term("literal", "2", datatype=XSD + "nonNegativeInteger")
    blanks["min"] = Node("min", {OWL + "onProperty": [iri("partner")], OWL + "minCardinality": [count]})
    assert spoken(in_words(blank("min"), blanks)) == "has partner at least 2"
    blanks["loop"] = Node("loop", {OWL + "complementOf": [blank("loop")]})  # a cycle ends
    assert "unnamed class" in spoken(in_words(blank("loop"), blanks))
    assert spoken(in_words(blank("missing"), blanks)) == "an unnamed class (see the ontology's Turtle)"


def test_the_ontology_page_spells_out_unions_and_links_close_matches_by_prefixed_name(client: TestClient) -> None:
    html = client.get("/ontology", headers={"Accept": "text/html"}).text
    page = Page(html)
    assert not page.misnested and "[ ]" not in html
    country = re.search(r'<section class="term" id="country">.*?</section>', html, re.S).group(0)  # type: ignore[union-attr]
    assert re.search(r"<dt>Domain</dt><dd><a [^>]*>tw:Place</a> or <a [^>]*>tw:Actor</a></dd>", country)
    assert '<a href="http://www.wikidata.org/prop/direct/P17" title="http://www.wikidata.org/prop/direct/P17">wdt:P17</a>' in country
    twinned = re.search(r'<section class="term" id="twinnedWith">.*?</section>', html, re.S).group(0)  # type: ignore[union-attr]
    assert ">wdt:P190</a>" in twinned
    assert re.search(r"<dt>Equivalent class</dt><dd><a [^>]*>xsd:date</a> or <a [^>]*>xsd:gYearMonth</a> or "
                     r"<a [^>]*>xsd:gYear</a></dd>", html)
