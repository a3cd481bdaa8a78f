"""The concept codes the curated data may use, and the classes they stand for, read from the ontology.

The ontology is the single source of truth for codes: adding a reason there
makes it usable in `data/` with no code change. A code that names a class
(`rdfs:seeAlso tw:Establishment` on an event type, `foaf:Person` on an actor
type) types the records that use it with that class and its superclasses
(`rdfs:subClassOf`, read from the ontology too), so a new event or actor type
is a new concept and a new class in the Turtle files, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pycountry
import pyoxigraph as ox

from twinkg.vocab import DEFAULT_BASE, RDFS, SKOS

Codes = dict[str, frozenset[str]]
Classes = dict[str, dict[str, tuple[str, ...]]]
"""Scheme → code → the class IRIs its records are typed with: the named class first, then its superclasses."""


def load_codes(ontology_dir: Path) -> Codes:
    """Map each concept scheme name to the codes of its concepts."""
    in_scheme = ox.NamedNode(SKOS + "inScheme")
    prefix = DEFAULT_BASE + "vocab/"
    codes: dict[str, set[str]] = {}
    for path in sorted(ontology_dir.glob("*.ttl")):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if triple.predicate != in_scheme or not isinstance(triple.subject, ox.NamedNode):
                continue
            iri = triple.subject.value
            if iri.startswith(prefix):
                scheme, _, code = iri[len(prefix):].partition("/")
                codes.setdefault(scheme, set()).add(code)
    return {scheme: frozenset(values) for scheme, values in codes.items()}


def _statements(ontology_dir: Path) -> list[ox.Quad]:
    return [q for path in sorted(ontology_dir.glob("*.ttl")) for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]


def load_classes(ontology_dir: Path) -> Classes:
    """The classes each code names (rdfs:seeAlso of a concept in a scheme), with their superclasses."""
    parents: dict[str, list[str]] = {}
    named: dict[str, str] = {}
    schemes: dict[str, str] = {}
    prefix = DEFAULT_BASE + "vocab/"
    for t in _statements(ontology_dir):
        if not isinstance(t.subject, ox.NamedNode) or not isinstance(t.object, ox.NamedNode):
            continue
        if t.predicate.value == RDFS + "subClassOf":
            parents.setdefault(t.subject.value, []).append(t.object.value)
        elif t.predicate.value == RDFS + "seeAlso":
            named[t.subject.value] = t.object.value
        elif t.predicate.value == SKOS + "inScheme" and t.subject.value.startswith(prefix):
            schemes[t.subject.value] = t.object.value
    classes: Classes = {}
    for concept, cls in named.items():
        if concept in schemes:
            scheme, _, code = concept[len(prefix):].partition("/")
            classes.setdefault(scheme, {})[code] = with_superclasses(cls, parents)
    return classes


def with_superclasses(cls: str, parents: dict[str, list[str]]) -> tuple[str, ...]:
    """The class and every class above it, nearest first (a cycle in the ontology ends the walk)."""
    found = [cls]
    for current in found:
        found += [p for p in parents.get(current, ()) if p not in found]
    return tuple(found)


def country_name(code: str) -> str | None:
    """The English name of a present-day ISO 3166-1 alpha-2 country code, or None if unknown."""
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or getattr(country, "name", None) if country else None
