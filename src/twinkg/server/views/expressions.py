"""OWL class expressions in words, for the ontology page: a union domain reads "tw:Place or tw:Actor", a
restriction "a tw:partner some tw:Place", never `[ ]`.

An expression is a blank node of the ontology graph (read with the named terms, in the same query, so that its
identifier means the same node); what it says is written as a list of parts, each a piece of text or a term to
link, which the template joins."""

from __future__ import annotations

from twinkg.server.views.model import Node, Term
from twinkg.vocab import OWL, RDF

Part = tuple[str, "str | Term"]
"""("text", words) or ("term", a named term to link)."""
DEPTH = 6
"""Nesting past which an expression is not spelled out (an ontology never needs more; a cycle never ends)."""
SETS = ((OWL + "unionOf", "or"), (OWL + "intersectionOf", "and"), (OWL + "oneOf", ","))
CARDINALITIES = ((OWL + "cardinality", "exactly"), (OWL + "qualifiedCardinality", "exactly"),
                 (OWL + "minCardinality", "at least"), (OWL + "minQualifiedCardinality", "at least"),
                 (OWL + "maxCardinality", "at most"), (OWL + "maxQualifiedCardinality", "at most"))


def members(head: Term, blanks: dict[str, Node]) -> list[Term]:
    """The items of an RDF list (rdf:first/rdf:rest from `head` to rdf:nil)."""
    items: list[Term] = []
    seen: set[str] = set()
    while head.kind == "bnode" and head.value in blanks and head.value not in seen:
        seen.add(head.value)
        cell = blanks[head.value]
        first, rest = cell.one(RDF + "first"), cell.one(RDF + "rest")
        if first is not None:
            items.append(first)
        if rest is None:
            break
        head = rest
    return items


def in_words(t: Term, blanks: dict[str, Node], depth: int = 0) -> list[Part]:
    """What a term says: a named term as itself, an anonymous class or datatype spelled out."""
    if t.kind != "bnode":
        return [("term", t)]
    node = blanks.get(t.value)
    if node is None or depth > DEPTH:
        return [("text", "an unnamed class (see the ontology's Turtle)")]
    for predicate, joiner in SETS:
        head = node.one(predicate)
        if head is not None:
            parts: list[Part] = [("text", "one of ")] if joiner == "," else []
            items = members(head, blanks)
            for i, item in enumerate(items):
                if i:
                    parts.append(("text", ", " if joiner == "," else f" {joiner} "))
                parts += _grouped(item, blanks, depth)
            return parts
    negated = node.one(OWL + "complementOf")
    if negated is not None:
        return [("text", "not ")] + _grouped(negated, blanks, depth)
    prop = node.one(OWL + "onProperty")
    if prop is not None:
        return _restriction(node, prop, blanks, depth)
    return [("text", "an unnamed class (see the ontology's Turtle)")]


def _grouped(t: Term, blanks: dict[str, Node], depth: int) -> list[Part]:
    """A nested expression in parentheses, a named term as itself."""
    inner = in_words(t, blanks, depth + 1)
    return inner if t.kind != "bnode" else [("text", "(")] + inner + [("text", ")")]


def _restriction(node: Node, prop: Term, blanks: dict[str, Node], depth: int) -> list[Part]:
    """owl:Restriction in words: "has tw:partner some tw:Place", "has tw:partner at least 2"."""
    lead: list[Part] = [("text", "has "), ("term", prop)]
    for predicate, words in ((OWL + "someValuesFrom", "some"), (OWL + "allValuesFrom", "only")):
        filler = node.one(predicate)
        if filler is not None:
            return lead + [("text", f" {words} ")] + _grouped(filler, blanks, depth)
    value = node.one(OWL + "hasValue")
    if value is not None:
        return lead + [("text", " the value ")] + in_words(value, blanks, depth + 1)
    for predicate, words in CARDINALITIES:
        count = node.one(predicate)
        if count is not None:
            of = node.one(OWL + "onClass") or node.one(OWL + "onDataRange")
            tail: list[Part] = [("text", " of ")] + _grouped(of, blanks, depth) if of is not None else []
            return lead + [("text", f" {words} {count.value}")] + tail
    return lead + [("text", " (a restriction; see the ontology's Turtle)")]
