"""`twinkg diff-wikidata`: curated twinnings against the P190 statements in the enrichment cache.

Works offline, from `data/*.yaml` and `data/wikidata/`. Only what the cache
can show is claimed: a P190 statement is "missing" only on an item that was
fetched. Deprecated statements count as absent. The report has five parts:

* `both`: a curated link (ever concluded) that Wikidata also has;
* `missing-in-wikidata`: a curated link with no P190 statement on a fetched partner;
* `missing-in-twinkg`: a P190 statement between two curated places that twinkg has no twinning for;
* `end-missing`: twinkg has the link suspended or terminated, Wikidata has it without an end time (P582);
* `one-directional`: A has P190 B but B (fetched) has no P190 A (P190 is meant to be symmetric).

QuickStatements (V1, tab-separated) add the missing statements and end times,
each with a reference to twinkg's source: `S854` (reference URL) when the
source has a URL, else `S1476` (title). `S248` (stated in) would need the
source's own Wikidata item, which twinkg does not record. They are for an
editor to review and paste into https://quickstatements.toolforge.org/ —
twinkg never sends them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from twinkg.curated.records import Dataset, Event, Source, Twinning
from twinkg.dates import Date
from twinkg.enrich.cache import atomic_write
from twinkg.enrich.queries import PQ, PS, WD, WIKIBASE, P
from twinkg.lifecycle import ENDS, STARTS, SUSPENDS, role_of
from twinkg.status import derive, ever_concluded, ordered
from twinkg.vocab import XSD
from twinkg.world.records import World

CATEGORIES = {
    "both": "In both twinkg and Wikidata",
    "missing-in-wikidata": "In twinkg, missing in Wikidata",
    "missing-in-twinkg": "P190 between curated places, missing in twinkg",
    "end-missing": "Suspended or ended in twinkg, no end time (P582) in Wikidata",
    "one-directional": "One-directional P190 statements",
    "removed-since-snapshot": "In a dated snapshot, no longer in Wikidata",
}


@dataclass(frozen=True)
class Statement:
    subject: str
    object: str
    rank: str
    start: str | None = None
    end: str | None = None

    @property
    def active(self) -> bool:
        return self.rank != "DeprecatedRank"

    def describe(self) -> str:
        period = f" {self.start or '…'}–{self.end or ''}" if self.start or self.end else ""
        rank = "" if self.rank == "NormalRank" else f" ({self.rank.removesuffix('Rank').lower()})"
        return f"{self.subject}→{self.object}{period}{rank}"


@dataclass
class Finding:
    category: str
    qid_a: str
    qid_b: str
    place_a: str = ""
    place_b: str = ""
    twinning: str = ""
    status: str = ""
    wikidata: str = ""
    detail: str = ""


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    quickstatements: list[str] = field(default_factory=list)
    fetched: int = 0
    as_of: dt.date = field(default_factory=dt.date.today)  # evaluated per report, not once at import


def p190_statements(triples: set[ox.Triple]) -> list[Statement]:
    """Every P190 statement in the cache, with rank and start/end qualifiers."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    query = f"""SELECT ?a ?b ?rank ?start ?end WHERE {{
      ?a <{P}P190> ?st . ?st <{PS}P190> ?b .
      OPTIONAL {{ ?st <{WIKIBASE}rank> ?rank }}
      OPTIONAL {{ ?st <{PQ}P580> ?start }}
      OPTIONAL {{ ?st <{PQ}P582> ?end }}
    }}"""
    out = set()
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        a, b = row["a"].value, row["b"].value
        if not (a.startswith(WD) and b.startswith(WD)):
            continue
        rank = row["rank"].value.removeprefix(WIKIBASE) if row["rank"] else "NormalRank"
        out.add(Statement(a[len(WD):], b[len(WD):], rank, _day(row["start"]), _day(row["end"])))
    return sorted(out, key=lambda s: (int(s.subject[1:]), int(s.object[1:]), s.rank, s.start or "", s.end or ""))


def _day(term: ox.Literal | None) -> str | None:
    return term.value[:10].lstrip("+") if term is not None else None


def compare(data: Dataset, triples: set[ox.Triple], fetched: set[str], as_of: dt.date,
            snapshots: World | None = None) -> Report:
    report = Report(fetched=len(fetched), as_of=as_of)
    place_of_qid: dict[str, str] = {}
    for place in data.places:
        if place.wikidata:
            place_of_qid.setdefault(place.wikidata, place.id)
    qid_of = {p.id: p.wikidata for p in data.places if p.wikidata}
    sources = {s.id: s for s in data.sources}
    described = {t.subject.value[len(WD):] for t in triples
                 if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(WD)}
    fetched = fetched & described  # an item the endpoint knew nothing about tells nothing
    statements = [s for s in p190_statements(triples) if s.subject in fetched]
    active: dict[tuple[str, str], list[Statement]] = defaultdict(list)
    for st in statements:
        if st.active:
            active[(st.subject, st.object)].append(st)

    curated: dict[frozenset[str], list[Twinning]] = defaultdict(list)
    for twinning in data.twinnings:
        for a, b in itertools.combinations(sorted(set(twinning.partners)), 2):
            if a in qid_of and b in qid_of and qid_of[a] != qid_of[b]:
                curated[frozenset((qid_of[a], qid_of[b]))].append(twinning)

    def finding(category: str, qa: str, qb: str, **extra: str) -> Finding:
        f = Finding(category, qa, qb, place_of_qid.get(qa, ""), place_of_qid.get(qb, ""), **extra)
        report.findings.append(f)
        return f

    for pair, twinnings in sorted(curated.items(), key=lambda kv: sorted(kv[0], key=lambda q: int(q[1:]))):
        qa, qb = sorted(pair, key=lambda q: int(q[1:]))
        concluded = [t for t in twinnings if ever_concluded(t.events, as_of)]
        if not concluded:
            continue  # proposals only: Wikidata is not expected to have them
        twinning = concluded[-1]
        status = derive(twinning.events, as_of)
        slugs = ", ".join(t.slug for t in concluded)
        known = [d for d in ((qa, qb), (qb, qa)) if d[0] in fetched]
        if not known:
            continue
        present = [st for d in known for st in active.get(d, [])]
        wd_text = "; ".join(st.describe() for st in present)
        if present:
            finding("both", qa, qb, twinning=slugs, status=status, wikidata=wd_text)
        else:
            missing = " and ".join(f"{s}→{o}" for s, o in known)
            finding("missing-in-wikidata", qa, qb, twinning=slugs, status=status, detail=f"no P190 {missing}")
            start = _first(twinning, STARTS)
            for s, o in known:
                report.quickstatements.append(_qs(s, o, [("P580", start.date)] if start and start.date else [],
                                                  _source(start, twinning, sources)))
        if status in ("suspended", "terminated"):
            open_ended = [st for st in present if not st.end]
            if open_ended:
                end = _first(twinning, ENDS if status == "terminated" else SUSPENDS, last=True)
                when = end.date.lexical or end.date.text if end and end.date else "undated"
                finding("end-missing", qa, qb, twinning=slugs, status=status,
                        wikidata="; ".join(st.describe() for st in open_ended),
                        detail=f"{status} in twinkg ({when})" + ("" if status == "terminated" else
                               "; being suspended is not an end: no QuickStatement, an editor decides"))
                if status == "terminated" and end is not None and end.date is not None and _qs_time(end.date):
                    for st in open_ended:
                        report.quickstatements.append(_qs(st.subject, st.object, [("P582", end.date)],
                                                          _source(end, twinning, sources)))

    reported: set[frozenset[str]] = set()
    for (s, o), sts in sorted(active.items(), key=lambda kv: (int(kv[0][0][1:]), int(kv[0][1][1:]))):
        pair = frozenset((s, o))
        if s in place_of_qid and o in place_of_qid and pair not in curated and pair not in reported:
            reported.add(pair)
            qa, qb = sorted(pair, key=lambda q: int(q[1:]))
            finding("missing-in-twinkg", qa, qb,
                    wikidata="; ".join(st.describe() for st in active.get((qa, qb), []) + active.get((qb, qa), [])),
                    detail="both places are curated; twinkg has no twinning between them")
        if o in fetched and (o, s) not in active:
            f = finding("one-directional", s, o, wikidata="; ".join(st.describe() for st in sts),
                        detail=f"{o} has no P190 {s}")
            if pair in curated:
                twinnings = [t for t in curated[pair] if ever_concluded(t.events, as_of)]
                if twinnings:
                    start = _first(twinnings[-1], STARTS)
                    f.twinning = ", ".join(t.slug for t in twinnings)
                    report.quickstatements.append(_qs(o, s, [("P580", start.date)] if start and start.date else [],
                                                      _source(start, twinnings[-1], sources)))
    if snapshots is not None:
        removed_since(report, snapshots, active, fetched, place_of_qid)
    report.quickstatements = list(dict.fromkeys(report.quickstatements))
    return report


def removed_since(report: Report, snapshots: World, active: dict[tuple[str, str], list[Statement]],
                  fetched: set[str], place_of_qid: dict[str, str]) -> None:
    """Pairs a dated snapshot lists that Wikidata no longer states (no active P190 either way).

    Judged only where the cache can tell: a pair of the 2016 crawl (directed) when
    the item that stated it was fetched, an undirected listing when either was.
    Removed from Wikidata since then: that is not a claim that the link ended."""
    seen: set[frozenset[str]] = set()
    for claim in sorted(snapshots.claims, key=lambda c: (int(c.subject[1:]), int(c.object[1:]), c.origin)):
        pair = frozenset((claim.subject, claim.object))
        judged = claim.subject in fetched if claim.directed else bool(pair & fetched)
        if pair in seen or not judged or (claim.subject, claim.object) in active or (claim.object, claim.subject) in active:
            continue
        seen.add(pair)
        origin = snapshots.origins[claim.origin]
        qa, qb = sorted(pair, key=lambda q: int(q[1:]))
        asked = claim.subject if claim.directed else " and ".join(q for q in (qa, qb) if q in fetched)
        report.findings.append(Finding(
            "removed-since-snapshot", qa, qb, place_of_qid.get(qa, ""), place_of_qid.get(qb, ""),
            wikidata=f"listed in {origin.id} ({origin.retrieved.isoformat()})",
            detail=f"no P190 between them now on {asked}: removed from Wikidata since the snapshot, not ended"))


def _first(twinning: Twinning, role: str, last: bool = False) -> Event | None:
    """The first (or last) of the twinning's events whose type plays this lifecycle role."""
    events = [e for e in ordered(twinning.events) if role_of(e.type) == role]
    return (events[-1] if last else events[0]) if events else None


def _source(event: Event | None, twinning: Twinning, sources: dict[str, Source]) -> Source | None:
    """The source of the fact itself (the event's) where it has one, else the twinning's; one with a URL first."""
    for ids in ((event.sources if event else ()), twinning.sources):
        found = [sources[i] for i in ids if i in sources]
        if found:
            return next((s for s in found if s.url), found[0])
    return None


def _qs_time(date: Date) -> str | None:
    """A Wikidata time value with its precision: /9 year, /10 month, /11 day, /8 decade for approximate dates."""
    if date.lexical:
        if date.datatype == XSD + "gYear":
            return f"+{date.earliest.year:04d}-00-00T00:00:00Z/9"
        if date.datatype == XSD + "gYearMonth":
            return f"+{date.earliest.year:04d}-{date.earliest.month:02d}-00T00:00:00Z/10"
        return f"+{date.earliest.isoformat()}T00:00:00Z/11"
    if date.earliest.year == date.latest.year:
        return f"+{date.earliest.year:04d}-00-00T00:00:00Z/9"
    if date.earliest.year // 10 == date.latest.year // 10:
        return f"+{date.earliest.year // 10 * 10:04d}-00-00T00:00:00Z/8"
    return None


def _qs_string(text: str) -> str:
    return '"' + text.replace('"', "'").replace("\t", " ").replace("\n", " ") + '"'


def _qs(subject: str, obj: str, qualifiers: list[tuple[str, Date]], source: Source | None) -> str:
    parts = [subject, "P190", obj]
    for prop, date in qualifiers:
        if (value := _qs_time(date)) is not None:
            parts += [prop, value]
    if source is not None:
        if source.url:
            parts += ["S854", _qs_string(source.url)]
        else:
            parts += ["S1476", f"{source.language or 'und'}:{_qs_string(source.title)}"]
    return "\t".join(parts)


# --- output -----------------------------------------------------------------------

COLUMNS = ["category", "place_a", "qid_a", "place_b", "qid_b", "twinning", "twinkg_status", "wikidata_p190", "detail"]


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for f in report.findings:
        writer.writerow([f.category, f.place_a, f.qid_a, f.place_b, f.qid_b, f.twinning, f.status, f.wikidata, f.detail])
    return buffer.getvalue()


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: Report) -> str:
    by_category: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_category[f.category].append(f)
    lines = [
        "# twinkg and Wikidata: P190 discrepancies", "",
        f"Curated twinnings as of {report.as_of.isoformat()} compared with the P190 statements of the "
        f"{report.fetched} Wikidata item(s) in the enrichment cache (`data/wikidata/`; each file records when "
        "and from where it was retrieved). Deprecated statements count as absent. "
        "QuickStatements to review are in `quickstatements.txt`; twinkg never sends them.", "",
        "| part | pairs |", "|---|---|",
        *(f"| {title} | {len(by_category[key])} |" for key, title in CATEGORIES.items()), "",
    ]
    for key, title in CATEGORIES.items():
        lines += [f"## {title}", ""]
        items = by_category[key]
        if not items:
            lines += ["None.", ""]
            continue
        lines += ["| place A | place B | twinning | twinkg status | Wikidata P190 | detail |", "|---|---|---|---|---|---|"]
        for f in items:
            a = f"{f.place_a or '?'} ([{f.qid_a}](https://www.wikidata.org/wiki/{f.qid_a}))"
            b = f"{f.place_b or '?'} ([{f.qid_b}](https://www.wikidata.org/wiki/{f.qid_b}))"
            lines.append(f"| {a} | {b} | {_cell(f.twinning)} | {f.status} | {_cell(f.wikidata)} | {_cell(f.detail)} |")
        lines.append("")
    return "\n".join(lines)


def to_quickstatements(report: Report) -> str:
    return "".join(line + "\n" for line in report.quickstatements)


def write(report: Report, out_dir: Path) -> list[Path]:
    paths = [out_dir / "wikidata-diff.md", out_dir / "wikidata-diff.csv", out_dir / "quickstatements.txt"]
    for path, text in zip(paths, (to_markdown(report), to_csv(report), to_quickstatements(report)), strict=True):
        atomic_write(path, text)
    return paths
