"""The event types and what each does to a link, read from the ontology: the one list of them.

Each concept of the event-type scheme names its class (`rdfs:seeAlso`) and may carry a `tw:lifecycleRole`:
the link comes into force (`starts`), is put on hold (`suspends`), ends (`ends`), is back in force
(`resumes`), or someone tried (`proposes`); a type without a role (an exchange) changes nothing. The
status logic, the mapping, the exports, the statistics and the pages ask for roles, never for type names,
so adding an event type is a concept, a class and a shape, and no code.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from twinkg.config import packaged
from twinkg.errors import InputError
from twinkg.vocab import DEFAULT_BASE, RDFS, SKOS, TW

STARTS, SUSPENDS, ENDS, RESUMES, PROPOSES = "starts", "suspends", "ends", "resumes", "proposes"
ROLES = (STARTS, SUSPENDS, ENDS, RESUMES, PROPOSES)
NO_ROLE = "none"
"""The role name a page uses (as a CSS class) for a type that changes nothing."""
SCHEME = DEFAULT_BASE + "vocab/event-type"


@dataclass(frozen=True)
class EventType:
    code: str
    """The concept's code (`establishment`), as the curated data writes it."""
    label: str
    cls: str
    """The class of its events (`tw:Establishment`)."""
    role: str | None


@functools.cache
def event_types(ontology_dir: Path | None = None) -> tuple[EventType, ...]:
    """The event types in the order the ontology lists them (the package's own ontology by default)."""
    folder = ontology_dir or packaged("ontology")
    facts: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.ttl")):
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(SCHEME + "/"):
                facts.setdefault(t.subject.value, {})[t.predicate.value] = t.object.value
    found = []
    for iri, fact in facts.items():
        role = fact.get(TW + "lifecycleRole")
        if fact.get(SKOS + "inScheme") != SCHEME or RDFS + "seeAlso" not in fact:
            continue
        if role is not None and role not in ROLES:
            raise InputError(f"{iri}: tw:lifecycleRole {role!r} is none of {', '.join(ROLES)}")
        found.append(EventType(iri[len(SCHEME) + 1:], fact.get(SKOS + "prefLabel", ""), fact[RDFS + "seeAlso"], role))
    return tuple(found)


def role_of(code: str) -> str | None:
    """What an event of this type code does to its link (None: nothing)."""
    return next((t.role for t in event_types() if t.code == code), None)


def codes_with(*roles: str) -> frozenset[str]:
    """The type codes whose events play one of these roles."""
    return frozenset(t.code for t in event_types() if t.role in roles)


def first_with(role: str) -> str:
    """The first type (in the ontology's order) with this role: what a source that states only a start or an
    end (Wikidata's P580/P582) is mapped to."""
    return next(t.code for t in event_types() if t.role == role)


def role_of_class(classes: set[str] | frozenset[str]) -> str:
    """The role of an event typed with these classes, NO_ROLE when its type has none (for pages and CSS)."""
    return next((t.role or NO_ROLE for t in event_types() if t.cls in classes), NO_ROLE)
