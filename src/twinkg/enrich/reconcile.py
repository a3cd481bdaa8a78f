"""`twinkg reconcile`: propose Wikidata ids for places that have none, scored, for a person to review.

Candidates are items whose label or alias equals one of the place's names
(label, other-language labels, alternative and historical names) and that are
human settlements or administrative areas. Each is scored on four criteria:

| criterion | weight | score |
|---|---|---|
| name      | 0.35 | 1 the place's label is the item's label; 0.9 another of its names is; 0.7 only an alias matches |
| country   | 0.35 | 1 same ISO code (P17/P297); 0.5 unknown on either side; 0 different |
| type      | 0.10 | 1 human settlement (P31/P279*); 0.6 administrative area only |
| partners  | 0.20 | 1 the item already has a P190 link to a known partner of the place; 0 not |
|           |      | (only counted when the place has partners with ids)                          |

The score is the weighted mean over the criteria that apply. A top candidate
is *unambiguous* when it scores at least the threshold, leads the next one by
the margin, and its country does not contradict the place's. Nothing else is
ever written into `data/`: ambiguous and weak cases stay in the review file
for a person to decide.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from ruamel.yaml import YAML
from ruamel.yaml.util import load_yaml_guess_indent

from twinkg.config import Counter
from twinkg.curated.records import Dataset, Place
from twinkg.enrich.cache import atomic_write
from twinkg.enrich.client import SparqlClient
from twinkg.enrich.queries import BASE_LANGUAGES, SETTLEMENT_CLASSES, WD, candidate_facts_query, candidates_query
from twinkg.errors import InputError
from twinkg.vocab import QID_RE

WEIGHTS = {"name": 0.35, "country": 0.35, "type": 0.10, "partners": 0.20}
THRESHOLD = 0.8
MARGIN = 0.15


@dataclass
class Candidate:
    qid: str
    label: str
    matched: str
    """How it matched: `label "Toledo"@en` or `alias "Hull"@en`."""
    country: str | None
    settlement: bool
    partners: list[str]
    """Known partners of the place (QIDs) the item is already twinned with in Wikidata."""
    scores: dict[str, float]
    score: float


@dataclass
class Proposal:
    place: Place
    candidates: list[Candidate] = field(default_factory=list)
    decision: str = "no-candidate"
    """accept (unambiguous, above the threshold), ambiguous, low-score or no-candidate."""
    reason: str = ""

    @property
    def accepted(self) -> str | None:
        return self.candidates[0].qid if self.decision == "accept" else None


def place_names(place: Place) -> dict[tuple[str, str], str]:
    """The (text, language) pairs to look up, each with how strong a match on it is ("label" or "name")."""
    languages = set(BASE_LANGUAGES) | set(place.labels)
    names: dict[tuple[str, str], str] = {}
    for text in [*place.alt_labels, *(n.name for n in place.names)]:
        for lang in languages:
            names[(text, lang)] = "name"
    for lang, text in place.labels.items():
        names[(text, lang)] = "name"
        names[(text, "mul")] = names.get((text, "mul"), "name")
    for lang in languages:
        names[(place.label, lang)] = "label"
    return names


T = TypeVar("T")


def _chunks(items: list[T], size: int) -> Iterable[list[T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def reconcile(data: Dataset, client: SparqlClient, threshold: float = THRESHOLD, margin: float = MARGIN,
              batch_size: int = 20, only: Iterable[str] = (), progress: Counter = lambda done, total: None,
              ) -> list[Proposal]:
    wanted = set(only)
    places = [p for p in data.places if not p.wikidata and not p.fictional and (not wanted or p.id in wanted)]
    partners = data.partner_qids()
    proposals = {p.id: Proposal(p) for p in places}
    matches: dict[str, dict[str, tuple[str, str, bool]]] = defaultdict(dict)  # place → qid → (how, matched, settlement)
    progress(0, len(places))
    for done, batch in enumerate(_chunks(places, batch_size)):
        names_of = {p.id: place_names(p) for p in batch}
        wanted_names = {n for names in names_of.values() for n in names}
        for row in client.select(candidates_query(wanted_names)):
            item, name = row["item"], row["name"]
            if not isinstance(item, ox.NamedNode) or not isinstance(name, ox.Literal) or not item.value.startswith(WD):
                continue
            qid = item.value[len(WD):]
            key = (name.value, name.language or "")
            via = row["via"].value
            settlement = row["class"].value == WD + SETTLEMENT_CLASSES[0]
            for pid, names in names_of.items():
                if key in names:
                    how = names[key] if via == "label" else "alias"
                    old = matches[pid].get(qid)
                    rank = {"label": 2, "name": 1, "alias": 0}
                    if old is None or rank[how] > rank[old[0]]:
                        matches[pid][qid] = (how, f'{via} "{name.value}"@{name.language}', settlement or bool(old and old[2]))
                    elif settlement and not old[2]:
                        matches[pid][qid] = (old[0], old[1], True)
        progress(min((done + 1) * batch_size, len(places)), len(places))
    facts = _facts(client, sorted({q for m in matches.values() for q in m}, key=lambda q: int(q[1:])), places)
    for pid, found in matches.items():
        proposal = proposals[pid]
        for qid, (how, matched, settlement) in found.items():
            proposal.candidates.append(_score(proposal.place, qid, how, matched, settlement, facts.get(qid, {}),
                                              partners.get(pid, set())))
        proposal.candidates.sort(key=lambda c: (-c.score, int(c.qid[1:])))
    for proposal in proposals.values():
        _decide(proposal, threshold, margin)
    return [proposals[p.id] for p in places]


def _facts(client: SparqlClient, qids: list[str], places: list[Place]) -> dict[str, dict[str, list[str]]]:
    languages = {lang for p in places for lang in p.labels}
    facts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for batch in _chunks(qids, 50):
        for row in client.select(candidate_facts_query(batch, languages)):
            item, key, value = row["item"].value, row["key"].value, row["value"]
            qid = item[len(WD):]
            if key == "label" and isinstance(value, ox.Literal):
                facts[qid]["label:" + (value.language or "")].append(value.value)
            else:
                facts[qid][key].append(value.value[len(WD):] if value.value.startswith(WD) else value.value)
    return facts


def _score(place: Place, qid: str, how: str, matched: str, settlement: bool, facts: dict[str, list[str]],
           partners: set[str]) -> Candidate:
    scores = {"name": {"label": 1.0, "name": 0.9, "alias": 0.7}[how]}
    countries = sorted(set(facts.get("country", [])))
    if place.country and countries:
        scores["country"] = 1.0 if place.country in countries else 0.0
    else:
        scores["country"] = 0.5
    scores["type"] = 1.0 if settlement else 0.6
    overlap = sorted(partners & set(facts.get("partner", [])), key=lambda q: int(q[1:]))
    if partners:
        scores["partners"] = 1.0 if overlap else 0.0
    total = sum(WEIGHTS[k] * v for k, v in scores.items()) / sum(WEIGHTS[k] for k in scores)
    label = next((facts[f"label:{lang}"][0] for lang in ("en", *place.labels, "mul") if facts.get(f"label:{lang}")),
                 matched.split('"')[1])
    return Candidate(qid, label, matched, ",".join(countries) or None, settlement, overlap, scores, round(total, 3))


def _decide(proposal: Proposal, threshold: float, margin: float) -> None:
    cands = proposal.candidates
    if not cands:
        proposal.decision, proposal.reason = "no-candidate", "no settlement or area has this name"
        return
    top = cands[0]
    second = cands[1].score if len(cands) > 1 else 0.0
    if top.scores.get("country") == 0.0:
        proposal.decision, proposal.reason = "low-score", f"best candidate {top.qid} is in another country ({top.country})"
    elif top.score < threshold:
        proposal.decision, proposal.reason = "low-score", f"best score {top.score} is below the threshold {threshold}"
    elif top.score - second < margin:
        proposal.decision = "ambiguous"
        proposal.reason = f"{top.qid} ({top.score}) and {cands[1].qid} ({cands[1].score}) are closer than {margin}"
    else:
        proposal.decision, proposal.reason = "accept", f"score {top.score}, next {second}"


# --- the review file --------------------------------------------------------------

REVIEW_HEADER = """\
# twinkg reconcile: Wikidata candidates for places without a `wikidata:` id.
# Review each place: set `accept:` to the right candidate's id (or any Q-id you
# have checked), or leave it empty. Then `twinkg reconcile --apply THIS_FILE`
# writes the accepted ids into the place records in data/ (only the wikidata: field).
# `accept:` is pre-filled only where the match is unambiguous (decision: accept).
"""


def write_review(proposals: list[Proposal], path: Path, when: dt.datetime, endpoint: str) -> None:
    entries = []
    for p in proposals:
        entries.append({
            "place": p.place.id, "label": p.place.label, "country": p.place.country,
            "record": f"{p.place.where}", "decision": p.decision, "reason": p.reason, "accept": p.accepted,
            "candidates": [{
                "qid": c.qid, "label": c.label, "score": c.score, "matched": c.matched, "country": c.country,
                "settlement": c.settlement, "shared_partners": c.partners, "scores": c.scores,
                "url": f"https://www.wikidata.org/wiki/{c.qid}",
            } for c in p.candidates],
        })
    yaml = YAML()
    yaml.width = 4096
    buffer = io.StringIO()
    yaml.dump({"endpoint": endpoint, "generated": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "places": entries}, buffer)
    atomic_write(path, REVIEW_HEADER + buffer.getvalue())


class ReviewError(InputError):
    """The review file or a data file cannot be used; the message says where and why."""


def read_review(path: Path) -> dict[str, str]:
    """Place id → the Q-id a reviewer accepted."""
    try:
        document = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    except Exception as exc:  # noqa: BLE001 - any YAML or I/O problem is reported the same way
        raise ReviewError(f"{path}: cannot read the review file: {exc}") from None
    places = document.get("places") if isinstance(document, dict) else None
    if not isinstance(places, list):
        raise ReviewError(f"{path}: expected a mapping with a list `places:` (as `twinkg reconcile` writes it)")
    accepted = {}
    for index, entry in enumerate(places):
        if not isinstance(entry, dict) or not isinstance(entry.get("place"), str):
            raise ReviewError(f"{path}: places[{index}]: expected a mapping with `place: <place id>`")
        qid = entry.get("accept")
        if qid in (None, ""):
            continue
        if not isinstance(qid, str) or not QID_RE.match(qid):
            raise ReviewError(f"{path}: places[{index}] ({entry.get('place')}): accept: expected a Q-id like Q6225, got {qid!r}")
        accepted[str(entry["place"])] = qid
    return accepted


def write_ids(data: Dataset, accepted: dict[str, str]) -> list[str]:
    """Write `wikidata: Qx` into each accepted place's record, editing its YAML file in place.

    Round-trip editing keeps comments, order and layout; the result is checked
    to differ from the file only in `wikidata:` lines, and written atomically.
    A place that already has a different id is refused. Returns what was written.
    """
    places = {p.id: p for p in data.places}
    unknown = sorted(set(accepted) - set(places))
    if unknown:
        raise ReviewError(f"unknown place id(s): {', '.join(unknown)}")
    by_file: dict[str, dict[str, str]] = defaultdict(dict)
    for pid, qid in accepted.items():
        place = places[pid]
        if place.wikidata == qid:
            continue
        if place.wikidata:
            raise ReviewError(f"{place.where}: {pid}: wikidata: already {place.wikidata}; not replacing it with {qid}")
        by_file[place.where.file][pid] = qid
    written = []
    edits = {}
    for file, ids in sorted(by_file.items()):
        edits[file] = _edit_file(Path(file), ids)
        written += [f"{pid}: {qid}" for pid, qid in sorted(ids.items())]
    for file, text in edits.items():  # every file checked before any is written
        atomic_write(Path(file), text)
    return written


def _edit_file(path: Path, ids: dict[str, str]) -> str:
    original = path.read_text(encoding="utf-8")
    _, indent, offset = load_yaml_guess_indent(original)
    indent, offset = indent or 2, offset or 0
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=max(2, indent - offset), sequence=indent, offset=offset)
    document = yaml.load(original)
    remaining = dict(ids)
    for node in document.get("places") or []:
        pid = str(node.get("id"))
        if pid in remaining:
            qid = remaining.pop(pid)
            if "wikidata" in node:
                node["wikidata"] = qid
            else:
                keys = list(node.keys())
                after = next((k for k in ("country", "names", "alt_labels", "labels", "label") if k in keys), keys[0])
                node.insert(keys.index(after) + 1, "wikidata", qid)
    if remaining:
        raise ReviewError(f"{path}: place(s) {', '.join(sorted(remaining))} not found under places:")
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    edited = buffer.getvalue()
    changed = [line for line in difflib.ndiff(original.splitlines(), edited.splitlines()) if line[:2] in ("- ", "+ ")]
    if any("wikidata:" not in line for line in changed) or sum(line.startswith("+ ") for line in changed) != len(ids):
        raise ReviewError(f"{path}: editing would change more than the wikidata: lines (layout ruamel.yaml cannot "
                          f"keep); add these ids by hand: {', '.join(f'{k}: {v}' for k, v in sorted(ids.items()))}")
    return edited
