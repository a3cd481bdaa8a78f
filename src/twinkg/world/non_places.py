"""Items that P190 reaches but that are not places: typed for what they are, never listed as places.

Wikidata's P190 ("twinned administrative body") sometimes links a city with
something else: the 2016 crawl follows Reggio nell'Emilia's statement to the
African National Congress (Q83162, a political party, labelled "African
Naional Congress" there), and every item the crawl reaches became a
`tw:Place`. The snapshots carry no types, so which items are not places is a
reviewed decision, recorded with its reason in
`data/reference/not-places.csv` (`wikidata`, `label`, `type`: an actor-type
code such as `organisation`, `reason`). The rule for every recorded item: it is
a `tw:Actor` of that type (`id/actor/{q-id}`, `owl:sameAs` its item), and its
P190 claims make no twinning; the build reports them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from twinkg.concepts import Classes
from twinkg.errors import InputError
from twinkg.vocab import DCT, OWL, PROV, QID_RE, RDF, RDFS, TW, Iris, qid_slug, wikidata_entity
from twinkg.world.records import World

NOT_PLACES = "not-places.csv"
COLUMNS = ("wikidata", "label", "type", "reason")


@dataclass(frozen=True)
class NotPlace:
    qid: str
    label: str
    type: str
    """An actor-type code (organisation, government, council, person)."""
    reason: str


def read(path: Path, actor_types: set[str]) -> dict[str, NotPlace]:
    """Q-id → the recorded item (a missing file: none). Raises InputError naming the line and field of every
    bad row."""
    if not path.is_file():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path}:1: header: missing column(s) {', '.join(missing)}")
    out, problems = {}, []
    for number, row in enumerate(reader, start=2):
        qid, label, kind, reason = ((row.get(c) or "").strip() for c in COLUMNS)
        if not QID_RE.match(qid):
            problems.append(f"{path}:{number}: {qid or '-'}: wikidata: not a Wikidata item id: {qid!r}")
        if kind not in actor_types:
            problems.append(f"{path}:{number}: {qid or '-'}: type: not an actor-type code ({', '.join(sorted(actor_types))}): {kind!r}")
        if not reason:
            problems.append(f"{path}:{number}: {qid or '-'}: reason: empty (say what the item is and how that is known)")
        out[qid] = NotPlace(qid, label, kind, reason)
    if problems:
        raise InputError("the items recorded as not places have problems:\n" + "\n".join(problems))
    return out


def set_aside(world: World, not_places: dict[str, NotPlace]) -> list[tuple[str, str]]:
    """Remove the P190 claims that involve a recorded non-place from `world`; the pairs removed, sorted."""
    kept, removed = [], set()
    for claim in world.claims:
        if claim.subject in not_places or claim.object in not_places:
            removed.add(tuple(sorted((claim.subject, claim.object), key=lambda q: int(q[1:]))))
        else:
            kept.append(claim)
    world.claims = kept
    return sorted(removed, key=lambda p: (int(p[0][1:]), int(p[1][1:])))  # type: ignore[arg-type]


def triples(world: World, not_places: dict[str, NotPlace], iris: Iris, classes: Classes) -> Iterator[ox.Triple]:
    """Each recorded item the sources know, as the actor it is."""
    n = ox.NamedNode
    for qid, found in sorted(not_places.items()):
        item = world.items.get(qid)
        if item is None:
            continue
        a = n(iris.actor(qid_slug(qid)))
        for cls in dict.fromkeys((TW + "Actor", PROV + "Agent", *classes.get("actor-type", {}).get(found.type, ()))):
            yield ox.Triple(a, n(RDF + "type"), n(cls))
        if item.english:
            yield ox.Triple(a, n(RDFS + "label"), ox.Literal(item.english, language="en"))
        if item.other and item.other != item.english:
            yield ox.Triple(a, n(RDFS + "label"), ox.Literal(item.other, language="und"))
        if not item.english and not item.other:
            yield ox.Triple(a, n(RDFS + "label"), ox.Literal(found.label or qid))
        yield ox.Triple(a, n(OWL + "sameAs"), n(wikidata_entity(qid)))
        yield ox.Triple(a, n(RDFS + "comment"), ox.Literal(
            f"Reached through Wikidata's P190 (twinned administrative body) but not a place: {found.reason}", language="en"))
        for origin in sorted(item.origins):
            yield ox.Triple(a, n(DCT + "source"), n(iris.source(origin)))
