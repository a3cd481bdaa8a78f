"""Namespaces and IRI minting: the only place where twinkg IRIs are built.

Every IRI that twinkg publishes is part of its public contract, so the rules
live here and nowhere else. IRIs are built from stable slugs, never from
labels, so that renaming a city does not change its IRI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_BASE = "https://w3id.org/twinkg/"

STAGING_GRAPHS = "urn:twinkg:staging:"
"""The start of the graphs `twinkg publish` uploads a build into before it swaps them in (`twinkg.remote`):
not published data, so a remote store never reads them as part of the dataset (`store.remote`)."""
LOADING_GRAPHS = f"{STAGING_GRAPHS}loading:"
"""The start of a marker graph `{LOADING_GRAPHS}{g}` that a first publish keeps while it loads graph g in place
(`twinkg.remote`): a remote store leaves g out of the dataset until the marker is gone (`store.remote`)."""

TW = "https://w3id.org/twinkg/ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
GEO = "http://www.opengis.net/ont/geosparql#"
TIME = "http://www.w3.org/2006/time#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SH = "http://www.w3.org/ns/shacl#"
WD = "http://www.wikidata.org/entity/"
SPDX_NS = "http://spdx.org/rdf/terms#"

PREFIXES: dict[str, str] = {
    "tw": TW,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dct": DCT,
    "schema": SCHEMA,
    "prov": PROV,
    "sem": SEM,
    "org": ORG,
    "foaf": FOAF,
    "geo": GEO,
    "time": TIME,
    "void": VOID,
    "dcat": DCAT,
    "wd": WD,
}

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
"""Slugs are lower-case ASCII words joined by single hyphens.

A double hyphen never occurs inside a slug, so it can join the partners of a
twinning unambiguously; an underscore never occurs either, so it can separate
a twinning's variant."""

QID_RE = re.compile(r"^Q[1-9][0-9]*$")

GRAPH_NAMES = ("ontology", "curated", "wikidata", "meta")



def is_slug(text: str) -> bool:
    return bool(SLUG_RE.match(text))


def qid_slug(qid: str) -> str:
    """The slug of a place known only from Wikidata: its Q-id alone, lower-cased (`q201391`).

    Stable whatever the place's labels; a curated place with that Q-id keeps
    its own slug, and this IRI then says it is replaced by the curated one."""
    if not QID_RE.match(qid):
        raise ValueError(f"not a Wikidata item id: {qid!r}")
    return qid.lower()


def wikidata_event_slug(qid_a: str, qid_b: str, what: str, index: int = 1) -> str:
    """The slug of an event derived from Wikidata's P190 claims about a pair (`wikidata-q1-q2-established`).

    Made from the two Q-ids (sorted by number) so it does not change when a
    partner is curated later; `index` tells apart conflicting claims."""
    a, b = sorted((qid_a, qid_b), key=lambda q: int(q[1:]))
    suffix = f"-{index}" if index > 1 else ""
    return f"wikidata-{qid_slug(a)}-{qid_slug(b)}-{what}{suffix}"


def twinning_slug(partners: Iterable[str], variant: str | None = None) -> str:
    """The slug of a twinning: its partners' slugs, sorted, joined by `--`.

    Sorting makes the IRI independent of the order a curator lists partners in;
    the optional variant distinguishes a link re-established after its end."""
    slug = "--".join(sorted(partners))
    return f"{slug}_{variant}" if variant else slug


@dataclass(frozen=True)
class Iris:
    """IRI minting for one base IRI (configurable, `https://w3id.org/twinkg/` by default)."""

    base: str = DEFAULT_BASE

    def place(self, slug: str) -> str:
        return f"{self.base}id/place/{slug}"

    def twinning(self, slug: str) -> str:
        return f"{self.base}id/twinning/{slug}"

    def event(self, slug: str) -> str:
        return f"{self.base}id/event/{slug}"

    def actor(self, slug: str) -> str:
        return f"{self.base}id/actor/{slug}"

    def source(self, slug: str) -> str:
        return f"{self.base}id/source/{slug}"

    def role(self, actor_slug: str, index: int) -> str:
        return f"{self.base}id/actor/{actor_slug}/role/{index}"

    def name(self, place_slug: str, index: int) -> str:
        return f"{self.base}id/place/{place_slug}/name/{index}"

    def order_claim(self, twinning_slug: str, index: int) -> str:
        return f"{self.base}id/twinning/{twinning_slug}/order/{index}"

    def geometry(self, place_slug: str) -> str:
        return f"{self.base}id/place/{place_slug}/geometry"

    def concept(self, scheme: str, code: str) -> str:
        return f"{self.base}vocab/{scheme}/{code}"

    def scheme(self, scheme: str) -> str:
        return f"{self.base}vocab/{scheme}"

    def graph(self, name: str) -> str:
        return f"{self.base}graph/{name}"

    def wikidata_fetch(self, batch_id: str) -> str:
        """One `twinkg enrich` request, the provenance of the Wikidata triples it brought."""
        return f"{self.base}graph/wikidata/fetch/{batch_id}"

    def dataset(self) -> str:
        return f"{self.base}dataset"

    def distribution(self, filename: str) -> str:
        return f"{self.base}dumps/{filename}"

    def sparql_endpoint(self) -> str:
        return f"{self.base}sparql"


def wikidata_entity(qid: str) -> str:
    return f"{WD}{qid}"
