"""One resource per real place: finding curated places and Wikidata items that are the same, offline.

Three jobs, all on records (the curated `Dataset` and the snapshots' `World`):

* `reconcile`: candidate Wikidata ids for curated places that have none,
  from the snapshots alone. A candidate shares a normalised name with the
  place (its label, the part of the label before a comma, other-language,
  alternative and historical names) and does not contradict its country. It
  is *verified* only when it is the one candidate and the sources corroborate
  it: the same country (the 2026 extract states it), or the item is already a
  P190 partner of one of the place's curated partners (the 2016 crawl has no
  countries). Everything else is for a person to review, never assigned.
* `same_name_pairs`: the build's check. Places that share a normalised label
  and country, one curated and one known only from Wikidata, are candidate
  duplicates until they are merged (the curated place carries the Q-id) or
  recorded as distinct in `data/reference/not-duplicates.csv` with a reason.
* `wikidata_doubles`: Wikidata's own doubles, two items with the same
  normalised label that share a P190 partner (Amsterdam Q727 and Q9899):
  reported, never merged by guess.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from twinkg.curated.records import Dataset, Place
from twinkg.errors import InputError
from twinkg.vocab import QID_RE
from twinkg.world.records import Item, World

NOT_DUPLICATES = "not-duplicates.csv"
"""The reviewed distinct pairs, in the data folder's `reference/`."""
NOT_DUPLICATES_COLUMNS = ("place", "wikidata", "label", "reason")
_SAINT = re.compile(r"\b(st|ste|saint|sankt|san)\b")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def normalise(name: str) -> str:
    """A name compared across sources: accents, case, punctuation and the spelling of "Saint" ignored.

    "St. Petersburg", "Saint-Petersburg" and "Sankt Petersburg" compare equal;
    "Kiew" and "Kyiv" do not (different names are never made equal here)."""
    text = name if name.isascii() else "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    text = text.casefold().replace("ß", "ss")
    text = _NOT_WORD.sub(" ", text)
    return _SAINT.sub("saint", text).strip()


def place_names(place: Place) -> set[str]:
    """The normalised names a curated place is known by (label, its part before a comma, other names)."""
    names = {place.label, place.label.split(",")[0], *place.labels.values(), *place.alt_labels,
             *(n.name for n in place.names)}
    return {normalise(n) for n in names if normalise(n)}


def item_names(item: Item) -> set[str]:
    return {normalise(n) for n in (item.english, item.other) if n and normalise(n)}


def item_label(item: Item) -> str:
    return item.english or item.other or item.qid


def partners_of(world: World) -> dict[str, set[str]]:
    """Q-id → the Q-ids it has a (non-deprecated) P190 claim with, in any source."""
    out: dict[str, set[str]] = defaultdict(set)
    for claim in world.claims:
        if not claim.deprecated and claim.subject != claim.object:
            out[claim.subject].add(claim.object)
            out[claim.object].add(claim.subject)
    return out


# --- reconciliation -------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    qid: str
    label: str
    country: str | None
    shared_partners: tuple[str, ...]
    """Q-ids of the place's curated partners the item is already twinned with (P190)."""

    @property
    def evidence(self) -> str:
        parts = [f"same normalised name as {self.label!r}"]
        if self.country:
            parts.append(f"country {self.country} in the 2026 extract")
        if self.shared_partners:
            parts.append("P190 partner of " + ", ".join(self.shared_partners) + " as in the curated data")
        return "; ".join(parts)


@dataclass
class Match:
    place: Place
    candidates: list[Candidate] = field(default_factory=list)
    decision: str = "no-candidate"
    """`verified` (one corroborated candidate), `review` (a person must decide) or `no-candidate`."""
    reason: str = ""

    @property
    def qid(self) -> str | None:
        return self.candidates[0].qid if self.decision == "verified" else None


def reconcile(data: Dataset, world: World) -> list[Match]:
    """A decision for every curated place without a Q-id (fictional places excepted), from the snapshots only.

    Runs in rounds: a place verified in one round is a known partner in the
    next, so a place twinned with it can be corroborated by that link."""
    by_name: dict[str, list[Item]] = defaultdict(list)
    for item in world.items.values():
        for name in item_names(item):
            by_name[name].append(item)
    partners = partners_of(world)
    qids: dict[str, str] = {p.id: p.wikidata for p in data.places if p.wikidata}
    while True:
        known = data.partner_qids(qids)
        matches = [_match(place, by_name, partners, known, {q for pid, q in qids.items() if pid != place.id})
                   for place in data.places if not place.wikidata and not place.fictional]
        found = {m.place.id: m.qid for m in matches if m.qid and qids.get(m.place.id) != m.qid}
        if not found:
            return matches
        qids |= found


def _match(place: Place, by_name: dict[str, list[Item]], partners: dict[str, set[str]], known: dict[str, set[str]],
           taken: set[str]) -> Match:
    match = Match(place)
    found = {i.qid: i for name in place_names(place) for i in by_name.get(name, [])}
    for item in sorted(found.values(), key=lambda i: int(i.qid[1:])):
        if place.country and item.country and item.country != place.country:
            continue
        shared = tuple(sorted(partners.get(item.qid, set()) & known.get(place.id, set()), key=lambda q: int(q[1:])))
        match.candidates.append(Candidate(item.qid, item_label(item), item.country, shared))
    cands = match.candidates
    by_partner = [c for c in cands if c.shared_partners]
    if not cands:
        match.decision, match.reason = "no-candidate", "no item of the snapshots has this name in this country"
        return match
    if len(by_partner) == 1:
        chosen = by_partner[0]
    elif len(cands) == 1 and not by_partner and cands[0].country == place.country:
        chosen = cands[0]
    else:
        match.decision = "review"
        match.reason = (f"{len(cands)} items share the name: " + ", ".join(c.qid for c in cands) if len(cands) > 1
                        else f"{cands[0].qid}: the name alone (no country in the sources, no shared partner)")
        return match
    if chosen.qid in taken:
        match.decision, match.reason = "review", f"{chosen.qid} is already the id of another curated place"
        return match
    match.candidates = [chosen, *(c for c in cands if c is not chosen)]
    match.decision, match.reason = "verified", chosen.evidence
    return match


def review_csv(matches: list[Match]) -> str:
    """The review file: one row per candidate of every place not verified (and one for a place without any)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("place", "label", "country", "decision", "reason", "candidate", "candidate_label",
                     "candidate_country", "shared_partners"))
    for m in matches:
        head = (m.place.id, m.place.label, m.place.country or "", m.decision, m.reason)
        if not m.candidates:
            writer.writerow((*head, "", "", "", ""))
        for c in m.candidates:
            writer.writerow((*head, c.qid, c.label, c.country or "", ";".join(c.shared_partners)))
    return out.getvalue()


# --- the build's check --------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """Two resources that may be one place."""

    a: str
    """A curated place id, or a Q-id."""
    a_label: str
    b: str
    """A Q-id."""
    b_label: str
    country: str | None
    shared_partners: tuple[str, ...] = ()
    review: str = ""
    """The recorded reason why they are distinct, or empty (not reviewed)."""


def read_not_duplicates(path: Path) -> dict[tuple[str, str], str]:
    """(curated place id, Q-id) → reason, from `data/reference/not-duplicates.csv` (missing file: none).

    Raises InputError naming the line and field of every bad row."""
    if not path.is_file():
        return {}
    problems: list[str] = []
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    missing = [c for c in NOT_DUPLICATES_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path}:1: header: missing column(s) {', '.join(missing)}")
    out = {}
    for number, row in enumerate(rows, start=2):
        place, qid, reason = ((row.get(k) or "").strip() for k in ("place", "wikidata", "reason"))
        if not place:
            problems.append(f"{path}:{number}: place: empty")
        if not QID_RE.match(qid):
            problems.append(f"{path}:{number}: {place or '-'}: wikidata: not a Wikidata item id: {qid!r}")
        if not reason:
            problems.append(f"{path}:{number}: {place or '-'}: reason: empty (say why the two are distinct)")
        out[(place, qid)] = reason
    if problems:
        raise InputError("the reviewed distinct places have problems:\n" + "\n".join(problems))
    return out


def same_name_pairs(data: Dataset, world: World, reviewed: dict[tuple[str, str], str],
                    not_places: Collection[str] = ()) -> list[Pair]:
    """Curated places and Wikidata-only items sharing a normalised label and country (an unknown country, on
    either side, does not tell them apart), each with its recorded review if any. Items recorded as not
    places (`world.non_places`) are no candidates."""
    merged = {p.wikidata for p in data.places if p.wikidata} | set(not_places)
    partners = partners_of(world)
    known = data.partner_qids()
    by_name: dict[str, list[Item]] = defaultdict(list)
    for item in world.items.values():
        if item.qid not in merged:
            for name in item_names(item):
                by_name[name].append(item)
    pairs = []
    for place in data.places:
        if place.fictional:
            continue
        found = {i.qid: i for name in {normalise(place.label), normalise(place.label.split(",")[0])}
                 for i in by_name.get(name, [])}
        for item in sorted(found.values(), key=lambda i: int(i.qid[1:])):
            if place.country and item.country and place.country != item.country:
                continue
            shared = tuple(sorted(partners.get(item.qid, set()) & known.get(place.id, set()), key=lambda q: int(q[1:])))
            pairs.append(Pair(place.id, place.label, item.qid, item_label(item), place.country or item.country, shared,
                              reviewed.get((place.id, item.qid), "")))
    return pairs


def wikidata_doubles(world: World) -> list[Pair]:
    """Pairs of items with the same normalised label (and no different country) that share a P190 partner."""
    partners = partners_of(world)
    by_name: dict[str, list[Item]] = defaultdict(list)
    for item in world.items.values():
        if item.english or item.other:
            by_name[normalise(item_label(item))].append(item)
    pairs = []
    for _, items in sorted(by_name.items()):
        items.sort(key=lambda i: int(i.qid[1:]))
        for i, a in enumerate(items):
            for b in items[i + 1:]:
                if a.country and b.country and a.country != b.country:
                    continue
                shared = partners.get(a.qid, set()) & partners.get(b.qid, set())
                if shared:
                    pairs.append(Pair(a.qid, item_label(a), b.qid, item_label(b), a.country or b.country,
                                      tuple(sorted(shared, key=lambda q: int(q[1:])))))
    return pairs


DUPLICATES_COLUMNS = ("check", "a", "a_label", "b", "b_label", "country", "shared_partners", "review")


def duplicates_csv(same_name: list[Pair], doubles: list[Pair]) -> bytes:
    """The build's identity report (`dist/duplicates.csv`): every candidate pair, one row each.

    `check` is `curated-wikidata` (a curated place id and a Wikidata-only item
    sharing a label and country; `review` is the recorded reason they are
    distinct, or `unreviewed`) or `wikidata-double` (two Wikidata items with the
    same label sharing a P190 partner; `review` is `not merged: no source says
    they are the same`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DUPLICATES_COLUMNS)
    for check, pairs in (("curated-wikidata", same_name), ("wikidata-double", doubles)):
        for p in pairs:
            review = p.review or ("unreviewed" if check == "curated-wikidata" else "not merged: no source says they are the same")
            writer.writerow((check, p.a, p.a_label, p.b, p.b_label, p.country or "", ";".join(p.shared_partners), review))
    return out.getvalue().encode("utf-8")
