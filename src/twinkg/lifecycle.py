"""The event types and what each does to a link, read from the ontology: the one list of them.

Each concept of the event-type scheme names its class (`rdfs:seeAlso`) and may carry a `tw:lifecycleRole`:
the link comes into force (`starts`), is put on hold (`suspends`), ends (`ends`), is back in force
(`resumes`), or someone tried (`proposes`); a type without a role (an exchange) changes nothing. The
status logic, the mapping, the exports, the statistics and the pages ask for roles, never for type names,
so adding an event type is a concept, a class and a shape, and no code. The build reads the package's
ontology; the server reads the ontology of the build it serves, from its store (`read` serves both).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
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


def read(statements: Iterable[tuple[str, str, str]], scheme: str = SCHEME) -> tuple[EventType, ...]:
    """The event types among (subject, predicate, object value) statements: the concepts of `scheme` that name
    their class, in the order of their roles (ROLES, then the types without one), then of their codes. The order
    comes from the roles, not from where a statement stands, so that a file and a store give the same list."""
    facts: dict[str, dict[str, str]] = {}
    for subject, predicate, value in statements:
        if subject.startswith(scheme + "/"):
            facts.setdefault(subject, {})[predicate] = value
    found = []
    for iri, fact in facts.items():
        role = fact.get(TW + "lifecycleRole")
        if fact.get(SKOS + "inScheme") != scheme or RDFS + "seeAlso" not in fact:
            continue
        if role is not None and role not in ROLES:
            raise InputError(f"{iri}: tw:lifecycleRole {role!r} is none of {', '.join(ROLES)}")
        found.append(EventType(iri[len(scheme) + 1:], fact.get(SKOS + "prefLabel", ""), fact[RDFS + "seeAlso"], role))
    return tuple(sorted(found, key=lambda t: (ROLES.index(t.role) if t.role else len(ROLES), t.code)))


@dataclass(frozen=True)
class EventTypes:
    """One ontology's event types and what each does to a link: the build reads the package's ontology
    (`event_types`), the server the ontology of the build it serves (server.queries.event_types)."""

    types: tuple[EventType, ...]

    @functools.cached_property
    def _roles(self) -> dict[str, str | None]:
        roles: dict[str, str | None] = {}
        for t in self.types:
            roles.setdefault(t.code, t.role)
        return roles

    def role_of(self, code: str) -> str | None:
        """What an event of this type code does to its link (None: nothing)."""
        return self._roles.get(code)

    def codes_with(self, *roles: str) -> frozenset[str]:
        """The type codes whose events play one of these roles."""
        return frozenset(t.code for t in self.types if t.role in roles)

    def first_with(self, role: str) -> str:
        """The first type with this role: what a source that states only a start or an end (Wikidata's
        P580/P582) is mapped to."""
        return next(t.code for t in self.types if t.role == role)

    def role_of_class(self, classes: set[str] | frozenset[str]) -> str:
        """The role of an event typed with these classes, NO_ROLE when its type has none (for pages and CSS)."""
        return next((t.role or NO_ROLE for t in self.types if t.cls in classes), NO_ROLE)


@functools.cache
def event_types(ontology_dir: Path | None = None) -> tuple[EventType, ...]:
    """The event types of the package's own ontology (or of the ontology in `ontology_dir`), for the build."""
    folder = ontology_dir or packaged("ontology")
    return read((t.subject.value, t.predicate.value, t.object.value)
                for path in sorted(folder.glob("*.ttl"))
                for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
                if isinstance(t.subject, ox.NamedNode) and not isinstance(t.object, ox.Triple))


_PACKAGE: list[EventTypes] = []
"""The package's event types as read last by `event_types()`: one per build, asked once per event and rule."""


def _package_types() -> EventTypes:
    types = event_types()
    if not _PACKAGE or _PACKAGE[0].types is not types:  # read anew (a test's ontology): follow it
        _PACKAGE[:] = [EventTypes(types)]
    return _PACKAGE[0]


def role_of(code: str) -> str | None:
    """What an event of this type code does to its link in the package's ontology (None: nothing).

    Asked for every event by every status rule (0.6M times for the x4 crawl's exports): a look-up in
    the types read once, not a new `EventTypes` and a scan per call."""
    return _package_types().role_of(code)


def codes_with(*roles: str) -> frozenset[str]:
    """The type codes whose events play one of these roles in the package's ontology."""
    return EventTypes(event_types()).codes_with(*roles)


def first_with(role: str) -> str:
    """The first type of the package's ontology with this role (EventTypes.first_with)."""
    return EventTypes(event_types()).first_with(role)


def role_of_class(classes: set[str] | frozenset[str]) -> str:
    """The role of an event typed with these classes in the package's ontology (EventTypes.role_of_class)."""
    return EventTypes(event_types()).role_of_class(classes)
