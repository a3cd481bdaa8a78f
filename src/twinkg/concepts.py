"""The concept codes the curated data may use, read from the ontology's SKOS schemes.

The ontology is the single source of truth for codes: adding a reason there
makes it usable in `data/` with no code change.
"""

from __future__ import annotations

from pathlib import Path

import pycountry
import pyoxigraph as ox

from twinkg.vocab import DEFAULT_BASE, SKOS

Codes = dict[str, frozenset[str]]


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


def country_name(code: str) -> str | None:
    """The English name of a present-day ISO 3166-1 alpha-2 country code, or None if unknown."""
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or getattr(country, "name", None) if country else None
