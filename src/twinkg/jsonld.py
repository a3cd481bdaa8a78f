"""JSON-LD people can use as JSON: the published context and compaction with it.

The context gives every tw: class and property a short key (its local name), with
object properties coerced to IRIs and `xsd:date`/`xsd:boolean` properties to their
datatype, plus a few common keys (`id`, `type`, `label`, `comment`, `sameAs`, `source`)
and the project's prefixes. It is derived from the ontology, so a new term gets its key
without anyone editing a list.

Compaction here is a direct, streaming writer for this one context, not the general
JSON-LD algorithm: pyld and rdflib take 0.3–0.45 ms a triple (bench/RESULTS.md), minutes for the
world network, while this writes each subject's statements once. Its output is checked
against pyld in the tests: expanding it gives back exactly the graph.
"""

from __future__ import annotations

import functools
import json
import operator
from collections.abc import Callable, Iterable
from itertools import groupby
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from twinkg.vocab import DCT, OWL, PREFIXES, RDF, RDFS, TW, XSD

Context = dict[str, Any]

COMMON_TERMS: dict[str, Any] = {
    "id": "@id",
    "type": "@type",
    "label": {"@id": RDFS + "label"},
    "comment": {"@id": RDFS + "comment"},
    "sameAs": {"@id": OWL + "sameAs", "@type": "@id"},
    "source": {"@id": DCT + "source", "@type": "@id"},
}
_COERCED_DATATYPES = {XSD + "date", XSD + "boolean"}


def context(ontology: Iterable[ox.Triple]) -> Context:
    """The context: prefixes, the common keys and one key per tw: term of the ontology."""
    kinds: dict[str, set[str]] = {}
    ranges: dict[str, str] = {}
    for t in ontology:
        subject = t.subject.value if isinstance(t.subject, ox.NamedNode) else ""
        if not subject.startswith(TW) or len(subject) == len(TW):
            continue
        if t.predicate.value == RDF + "type" and isinstance(t.object, ox.NamedNode):
            kinds.setdefault(subject, set()).add(t.object.value)
        elif t.predicate.value == RDFS + "range" and isinstance(t.object, ox.NamedNode):
            ranges[subject] = t.object.value
    terms: dict[str, Any] = {}
    for iri in sorted(kinds):
        name = iri[len(TW):]
        if name in COMMON_TERMS or name in PREFIXES:
            continue
        if OWL + "ObjectProperty" in kinds[iri]:
            terms[name] = {"@id": iri, "@type": "@id"}
        elif OWL + "DatatypeProperty" in kinds[iri] and ranges.get(iri) in _COERCED_DATATYPES:
            terms[name] = {"@id": iri, "@type": ranges[iri]}
        elif kinds[iri] & {OWL + "Class", OWL + "DatatypeProperty", RDFS + "Datatype", RDF + "Property"}:
            terms[name] = {"@id": iri}
    return {"@context": {**{p: iri for p, iri in sorted(PREFIXES.items())}, **COMMON_TERMS, **terms}}


_RDF_TYPE = RDF + "type"
_XSD_STRING = XSD + "string"
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""One encoder for every node object: `json.dumps` with options makes a new one per call."""


class Compactor:
    """Writes node objects in the form the context gives them.

    What a predicate's statements become (key, coercion, CURIE) and a type's or datatype's short
    form are worked out once per IRI: the world network has millions of statements and a few hundred
    predicates and types."""

    def __init__(self, ctx: Context):
        definitions = ctx["@context"]
        self.prefixes = sorted(((iri, p) for p, iri in definitions.items() if isinstance(iri, str) and not iri.startswith("@")),
                               key=lambda item: -len(item[0]))
        self.terms: dict[str, tuple[str, str | None]] = {}
        """property IRI → (key, coercion: "@id", a datatype IRI or None)."""
        self.vocab_terms: dict[str, str] = {}
        """class IRI → key, for values of `type`."""
        for key, definition in definitions.items():
            if isinstance(definition, dict) and "@id" in definition:
                self.terms[definition["@id"]] = (key, definition.get("@type"))
                self.vocab_terms[definition["@id"]] = key
        self._type_values: dict[str, str] = {}
        self._plans: dict[str, tuple[str | None, str | None, str]] = {}
        """predicate IRI → (key, coercion, CURIE): `terms` and `curie` in one look-up."""

    def curie(self, iri: str) -> str:
        """`prefix:local` where a prefix fits and the result cannot be read as anything else, else the IRI."""
        for namespace, prefix in self.prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                local = iri[len(namespace):]
                if not local.startswith("//"):
                    return f"{prefix}:{local}"
        return iri

    def type_value(self, iri: str) -> str:
        found = self._type_values.get(iri)
        if found is None:
            found = self._type_values[iri] = self.vocab_terms.get(iri) or self.curie(iri)
        return found

    @staticmethod
    def _node_id(term: ox.NamedNode | ox.BlankNode) -> str:
        return term.value if isinstance(term, ox.NamedNode) else f"_:{term.value}"

    def _plan(self, predicate: str) -> tuple[str | None, str | None, str]:
        plan = self._plans.get(predicate)
        if plan is None:
            key, coercion = self.terms.get(predicate, (None, None))
            plan = self._plans[predicate] = (key, coercion, self.curie(predicate))
        return plan

    def entry(self, predicate: str, value: ox.NamedNode | ox.BlankNode | ox.Literal) -> tuple[str, Any]:
        """The key and the value of one statement: bare under the key when its coercion fits the value,
        as a value object under a key without coercion, else as a value object under the predicate's CURIE."""
        key, coercion, curie = self._plan(predicate)
        if isinstance(value, ox.Literal):
            language = value.language
            if language:
                return key if key is not None and coercion is None else curie, {"@value": value.value, "@language": language}
            datatype = value.datatype.value
            if key is not None and coercion == datatype:
                return key, value.value
            literal = value.value if datatype == _XSD_STRING else {"@value": value.value, "@type": self.type_value(datatype)}
            return key if key is not None and coercion is None else curie, literal
        node = value.value if isinstance(value, ox.NamedNode) else f"_:{value.value}"
        if key is not None and coercion == "@id":
            return key, node
        return key if key is not None and coercion is None else curie, {"@id": node}

    def node(self, subject: ox.NamedNode | ox.BlankNode, statements: Iterable[tuple[str, Any]]) -> dict[str, Any]:
        """One node object: `id`, `type`, then the other keys in order; one value bare, several as a list."""
        out: dict[str, Any] = {"id": self._node_id(subject)}
        types: list[str] = []
        values: dict[str, list[Any]] = {}
        entry = self.entry
        for predicate, obj in statements:
            if predicate == _RDF_TYPE and isinstance(obj, ox.NamedNode):
                types.append(self.type_value(obj.value))
            else:
                key, value = entry(predicate, obj)
                found = values.get(key)
                if found is None:
                    values[key] = [value]
                else:
                    found.append(value)
        if types:
            out["type"] = types[0] if len(types) == 1 else sorted(types)
        for key in sorted(values):
            found = values[key]
            out[key] = found[0] if len(found) == 1 else found
        return out

_SUBJECT = operator.attrgetter("subject")

NodeLine = tuple[str, str]
"""A node object's line of the document, after its key: its subject as N-Triples writes it, and a space.

Sorted N-Triples lines are sorted by that key first (no subject holds a space), so a document's nodes,
worked out in parts, go back in order by it (`publish.Ordered.add`)."""


ASK_EVERY = 1000
"""How many nodes `node_lines` writes between two questions whether it has done enough."""


def node_lines(triples: Iterable[ox.Triple], ctx: Context, enough: Callable[[], bool] = lambda: False) -> tuple[list[NodeLine], int]:
    """The node objects of triples that come grouped by subject (as sorted N-Triples are), one line each;
    and how many triples they hold. `enough()`, asked every `ASK_EVERY` nodes, stops early (the caller
    does the rest later): the build compacts while its store loads, and no longer."""
    compactor = Compactor(ctx)
    encode = _ENCODER.encode
    lines: list[NodeLine] = []
    done = 0
    for subject, group in groupby(triples, key=_SUBJECT):
        if len(lines) % ASK_EVERY == 0 and enough():
            break
        statements = [(t.predicate.value, t.object) for t in group]
        lines.append((f"{subject} ", encode(compactor.node(subject, statements))))
        done += len(statements)
    return lines, done


def document(lines: Iterable[str], ctx: Context) -> bytes:
    """The compacted document of node lines: the context inline, then `@graph`, one node a line."""
    head = json.dumps(ctx, ensure_ascii=False, indent=1)[:-2]  # keep the context readable; drop the closing "\n}"
    return (head + ',\n "@graph": [\n' + ",\n".join(lines) + "\n ]\n}\n").encode("utf-8")


def compact_document(triples: Iterable[ox.Triple], ctx: Context) -> bytes:
    """A whole graph as one compacted document (its triples grouped by subject)."""
    return document((line for _, line in node_lines(triples, ctx)[0]), ctx)


@functools.lru_cache(maxsize=4)
def context_of(ontology_dir: Path) -> Context:
    """The context of the ontology files in a folder (what the server uses; the build derives it from
    the same files through its ontology graph)."""
    triples: list[ox.Triple] = []
    for path in sorted(ontology_dir.glob("*.ttl")):
        triples.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    return context(triples)


def compact_triples(triples: Iterable[ox.Triple], ctx: Context) -> bytes:
    """A small graph (a data document) compacted: its triples grouped by subject first."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), t.predicate.value, str(t.object)))
    return compact_document(ordered, ctx)


def render_context(ctx: Context) -> bytes:
    return (json.dumps(ctx, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
