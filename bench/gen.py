"""Benchmark input: the 2016 Wikidata P190 crawl as curated YAML, and synthetic growth of it.

`crawl-x1` is the real crawl only: 10,055 places (Wikidata id and label, no
country: the crawl has none), one `twin-town` twinning per undirected pair
(17,401), each with one undated establishment event, all citing one source
record that says it is a 2016 snapshot.

`crawl-xN` adds N-1 synthetic copies of the crawl's shape. Everything synthetic
has ids starting `syn` and labels ending "(synthetic N)": places with a
country, coordinates and sometimes historical names; twinnings of every kind
with dated lifecycles (establishment, exchanges, suspension, resumption,
termination, proposals, conflicting claims), reasons, forms, actors and
synthetic sources. 10% of synthetic twinnings link across copies (including
to real places) so the graph is one component, as in the crawl. Seeded, so a
scale is byte-identical between runs.

YAML is written as text (JSON-quoted strings) rather than through a YAML
library: generation must not dominate the benchmark's own time.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

CRAWL_DIR = Path(__file__).resolve().parents[1] / "data" / "snapshots" / "wikidata-p190-2016"
CRAWL_SOURCE = "wikidata-p190-crawl-2016"
CHUNK = 5000
CRAWL_COMMENT = ("A 2016 snapshot of Wikidata P190 (all ranks, no qualifiers), not the truth of today: "
                 "no dates, countries or coordinates. Used here as benchmark input.")

COUNTRIES = ("DE", "FR", "IT", "PL", "GB", "US", "RU", "UA", "CN", "JP", "ES", "NL", "BE", "AT", "CZ",
             "HU", "RO", "SE", "FI", "NO", "DK", "PT", "GR", "TR", "IL", "IN", "BR", "AR", "MX", "CA",
             "KR", "ZA", "NG", "EG", "MA", "AU", "NZ", "HR", "RS", "BG")
KINDS = (("twin-town", 50), ("sister-city", 30), ("friendship-city", 10), ("partnership", 7),
         ("cooperation", 2), ("symbolic", 1))
PLACE_TYPES = (("city", 60), ("town", 25), ("municipality", 8), ("village", 5), ("district", 2))
ESTABLISH_REASONS = ("war-solidarity", "reconciliation", "peace", "shared-name", "shared-industry",
                     "shared-history", "trade", "migration", "religion", "culture", "education", "humour")
ENDING_REASONS = ("armed-conflict", "human-rights", "historical-dispute", "recognition-dispute",
                  "political-dispute", "territorial-dispute", "cost-or-inactivity", "not-stated")
FORMS = ("letter", "telegram", "message", "gift", "visit", "delegation", "aid", "student-exchange",
         "cultural-exchange", "tree-planting", "agreement", "vote", "ceremony", "statement")
LANGS = ("en", "de", "fr", "it", "es", "pl", "ru")


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def slugify(label: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "place"


def read_crawl(crawl_dir: Path = CRAWL_DIR) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """(qid → label, sorted undirected pairs of qids)."""
    names: dict[str, str] = {}
    with open(crawl_dir / "names.tsv", encoding="utf-8") as f:
        for line in f:
            qid, _, label = line.rstrip("\n").partition("\t")
            if qid:
                names[qid] = label.strip() or qid
    pairs: set[tuple[str, str]] = set()
    with open(crawl_dir / "relations.tsv", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[0] != parts[1] and parts[0] in names and parts[1] in names:
                a, b = sorted(parts)
                pairs.add((a, b))
    return names, sorted(pairs)


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


def _date(rng: random.Random, year: int) -> str:
    """A date with a random precision: year, year-month, day, or an approximate text with bounds."""
    r = rng.random()
    if r < 0.45:
        return str(year)
    if r < 0.7:
        return q(f"{year}-{rng.randint(1, 12):02d}")
    if r < 0.95:
        return q(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    decade = year - year % 10
    return f"{{text: {q(f'early {decade}s')}, earliest: {decade}, latest: {decade + 4}}}"


class _Writer:
    """Writes one section's records into numbered files of CHUNK records each."""

    def __init__(self, out: Path, section: str, prefix: str):
        self.out, self.section, self.prefix = out, section, prefix
        self.buffer: list[str] = []
        self.count = 0
        self.files = 0

    def add(self, record: str) -> None:
        self.buffer.append(record)
        self.count += 1
        if len(self.buffer) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            path = self.out / f"{self.prefix}-{self.files:03d}.yaml"
            path.write_text(f"{self.section}:\n" + "".join(self.buffer), encoding="utf-8")
            self.files += 1
            self.buffer = []


def crawl_source() -> str:
    return (f"  - id: {CRAWL_SOURCE}\n"
            f"    title: {q('Wikidata P190 (twinned administrative body) statements, crawled from Weimar (Q3955)')}\n"
            f"    publisher: Wikidata\n"
            f"    date: \"2016-09-10\"\n"
            f"    url: https://github.com/L3viathan/sister-cities\n"
            f"    comment: {q(CRAWL_COMMENT)}\n")


def generate(out: Path, scale: int, seed: int = 2016, crawl_dir: Path = CRAWL_DIR,
             limit: int | None = None) -> dict[str, int]:
    """Write the input for one scale into `out`; `limit` keeps only the first pairs (quick mode)."""
    names, pairs = read_crawl(crawl_dir)
    if limit is not None:
        pairs = pairs[:limit]
        used = {qid for pair in pairs for qid in pair}
        names = {qid: label for qid, label in names.items() if qid in used}
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    rng = random.Random(seed)
    slug = {qid: f"{slugify(label)}-{qid.lower()}" for qid, label in names.items()}
    qids = sorted(names)

    sources = [crawl_source()]
    places = _Writer(out, "places", "places")
    actors = _Writer(out, "actors", "actors")
    twinnings = _Writer(out, "twinnings", "twinnings")
    counts = {"events": 0}

    for qid in qids:
        places.add(f"  - id: {slug[qid]}\n    label: {q(names[qid])}\n    wikidata: {qid}\n"
                   f"    sources: [{CRAWL_SOURCE}]\n")
    for a, b in pairs:
        event = f"p190-{a.lower()}-{b.lower()}"
        twinnings.add(f"  - partners: [{slug[a]}, {slug[b]}]\n    kind: twin-town\n"
                      f"    sources: [{CRAWL_SOURCE}]\n    events:\n"
                      f"      - id: {event}\n        type: establishment\n"
                      f"        comment: {q('Listed as P190 in the 2016 crawl; no date given.')}\n"
                      f"        sources: [{CRAWL_SOURCE}]\n")
        counts["events"] += 1

    all_pairs_seen = {(slug[a], slug[b]) for a, b in pairs}
    for copy in range(1, scale):
        _synthetic_copy(copy, rng, names, qids, pairs, slug, sources, places, actors, twinnings,
                        all_pairs_seen, counts)

    (out / "sources.yaml").write_text("sources:\n" + "".join(sources), encoding="utf-8")
    for writer in (places, actors, twinnings):
        writer.flush()
    return {"sources": len(sources), "places": places.count, "actors": actors.count,
            "twinnings": twinnings.count, "events": counts["events"]}


def _synthetic_copy(copy: int, rng: random.Random, names: dict[str, str], qids: list[str],
                    pairs: list[tuple[str, str]], slug: dict[str, str], sources: list[str],
                    places: _Writer, actors: _Writer, twinnings: _Writer,
                    seen: set[tuple[str, str]], counts: dict[str, int]) -> None:
    pre = f"syn{copy}"
    n_sources = max(5, len(pairs) // 100)
    source_ids = [f"{pre}-source-{i}" for i in range(n_sources)]
    for i, sid in enumerate(source_ids):
        sources.append(
            f"  - id: {sid}\n    title: {q(f'Synthetic municipal record {i} (copy {copy})')}\n"
            f"    publisher: twinkg benchmark generator\n    language: {rng.choice(LANGS)}\n"
            f"    date: {rng.randint(1990, 2024)}\n    url: https://example.org/twinkg-bench/{sid}\n"
            f"    comment: {q('Synthetic benchmark input; states nothing true.')}\n")
    sp = {qid: f"{pre}-{slug[qid]}" for qid in qids}
    for qid in qids:
        lines = [f"  - id: {sp[qid]}\n    label: {q(names[qid] + f' (synthetic {copy})')}\n",
                 f"    country: {rng.choice(COUNTRIES)}\n",
                 f"    coordinates: {{lat: {rng.uniform(-60, 70):.4f}, lon: {rng.uniform(-170, 179):.4f}}}\n",
                 f"    type: {_weighted(rng, PLACE_TYPES)}\n"]
        if rng.random() < 0.2:
            lines.append(f"    labels: {{de: {q(names[qid] + f' (synthetisch {copy})')}}}\n")
        if rng.random() < 0.05:
            start = rng.randint(1800, 1950)
            lines.append(f"    names:\n      - name: {q('Old ' + names[qid])}\n        from: {start}\n"
                         f"        until: {start + rng.randint(5, 60)}\n        sources: [{rng.choice(source_ids)}]\n")
        lines.append(f"    sources: [{rng.choice(source_ids)}]\n")
        places.add("".join(lines))
    # One council per 10 places, a mayor per 20; both cited by events.
    councils = [f"{pre}-council-{i}" for i in range(max(1, len(qids) // 10))]
    for i, aid in enumerate(councils):
        actors.add(f"  - id: {aid}\n    name: {q(f'Synthetic council {i} (copy {copy})')}\n    type: council\n"
                   f"    country: {rng.choice(COUNTRIES)}\n    sources: [{rng.choice(source_ids)}]\n")
    mayors = [f"{pre}-mayor-{i}" for i in range(max(1, len(qids) // 20))]
    for i, aid in enumerate(mayors):
        start = rng.randint(1950, 2015)
        place = sp[rng.choice(qids)]
        actors.add(f"  - id: {aid}\n    name: {q(f'Synthetic Mayor {i} (copy {copy})')}\n    type: person\n"
                   f"    roles:\n      - role: {q(f'Mayor {i}')}\n        place: {place}\n"
                   f"        from: {start}\n        until: {start + rng.randint(1, 12)}\n"
                   f"        sources: [{rng.choice(source_ids)}]\n"
                   f"    sources: [{rng.choice(source_ids)}]\n")
    all_places_by_copy = [slug] + [{qid: f"syn{c}-{slug[qid]}" for qid in qids} for c in range(1, copy)]
    for index, (a, b) in enumerate(pairs):
        pa, pb = sp[a], sp[b]
        if rng.random() < 0.1:  # link across copies, keeping the graph connected
            pb = rng.choice(all_places_by_copy)[rng.choice(qids)]
        key = tuple(sorted((pa, pb)))
        if pa == pb or key in seen:
            continue
        seen.add(key)
        twinnings.add(_synthetic_twinning(rng, f"{pre}-t{index}", pa, pb, source_ids, councils, mayors, counts))


def _synthetic_twinning(rng: random.Random, eid: str, pa: str, pb: str, source_ids: list[str],
                        councils: list[str], mayors: list[str], counts: dict[str, int]) -> str:
    src = rng.choice(source_ids)
    year = rng.randint(1946, 2015)
    events: list[str] = []

    def event(suffix: str, kind: str, date: str | None, *, reasons: tuple[str, ...] = (),
              forms: tuple[str, ...] = (), agents: tuple[str, ...] = (), initiated: tuple[str, ...] = (),
              conflicts: str | None = None, source: str = src) -> None:
        lines = [f"      - id: {eid}-{suffix}\n        type: {kind}\n"]
        if date is not None:
            lines.append(f"        date: {date}\n")
        if reasons:
            lines.append(f"        reasons: [{', '.join(reasons)}]\n")
        if forms:
            lines.append(f"        forms: [{', '.join(forms)}]\n")
        if agents:
            lines.append(f"        agents: [{', '.join(agents)}]\n")
        if initiated:
            lines.append(f"        initiated_by: [{', '.join(initiated)}]\n")
        if conflicts:
            lines.append(f"        conflicts_with: [{eid}-{conflicts}]\n")
        lines.append(f"        sources: [{source}]\n")
        events.append("".join(lines))
        counts["events"] += 1

    if rng.random() < 0.03:
        event("proposal", "proposal", _date(rng, year), initiated=(pa,), agents=(rng.choice(councils),))
    else:
        dated = rng.random() < 0.8
        event("established", "establishment", _date(rng, year) if dated else None,
              reasons=tuple(rng.sample(ESTABLISH_REASONS, rng.randint(0, 2))),
              forms=("agreement",) if rng.random() < 0.5 else (),
              agents=(rng.choice(councils), rng.choice(mayors)) if rng.random() < 0.4 else (),
              initiated=(rng.choice((pa, pb)),) if rng.random() < 0.3 else ())
        if dated and rng.random() < 0.02:
            event("established-claim", "establishment", str(year + rng.randint(1, 3)),
                  conflicts="established", source=rng.choice(source_ids))
        if rng.random() < 0.3:
            event("exchange", "exchange", _date(rng, min(year + rng.randint(1, 8), 2024)),
                  forms=tuple(rng.sample(FORMS, rng.randint(1, 2))), initiated=(rng.choice((pa, pb)),),
                  agents=(rng.choice(mayors),))
        r = rng.random()
        if r < 0.05:
            end = min(year + rng.randint(5, 40), 2024)
            event("suspended", "suspension", str(end), reasons=(rng.choice(ENDING_REASONS),),
                  initiated=(rng.choice((pa, pb)),))
            if rng.random() < 0.5 and end < 2024:
                event("resumed", "resumption", str(min(end + rng.randint(1, 10), 2025)))
        elif r < 0.09:
            event("terminated", "termination", str(min(year + rng.randint(5, 40), 2024)),
                  reasons=(rng.choice(ENDING_REASONS),), agents=(rng.choice(councils),))
    return (f"  - partners: [{pa}, {pb}]\n    kind: {_weighted(rng, KINDS)}\n"
            f"    sources: [{src}]\n    events:\n" + "".join(events))


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    print(generate(args.out, args.scale, limit=args.limit))
