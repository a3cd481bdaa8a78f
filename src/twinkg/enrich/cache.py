"""The enrichment cache under `data/wikidata/`: Turtle files in Wikidata's own terms, with provenance.

One file per fetched batch (`batch-<hash>.ttl`) holds the items' triples as
Wikidata has them (`wd:`, `wdt:`, `p:`/`ps:`/`pq:`, `wikibase:rank`,
`rdfs:label`) and one `prov:Activity` describing the fetch: when (retrieval
time), from which endpoint, with which query, by which twinkg version, and
which items it covered (`dct:subject`). The build reads every `*.ttl` here into
the `graph/wikidata` named graph as-is.

`manifest.json` indexes which item is in which file so a rerun resumes and a
warm run sends no request; it can always be rebuilt from the files' own
`dct:subject` triples, and is. Every write is atomic (temporary file, then
rename) and the data file is written before the manifest, so an interrupted
run never leaves a half-written file or a manifest entry without its data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from twinkg import __version__
from twinkg.enrich.queries import PQ, PS, SCHEMA_ORG, WD, WDS, WDT, WIKIBASE, P
from twinkg.formats import rdf_bytes
from twinkg.http_client import USER_AGENT
from twinkg.vocab import DCT, PROV, RDF, RDFS, XSD, Iris

MANIFEST = "manifest.json"
_BATCH_NAME = re.compile(r"^batch-[0-9a-f]{16}\.ttl$")
FORMAT = 1
CACHE_PREFIXES = {
    "wd": WD, "wdt": WDT, "p": P, "ps": PS, "pq": PQ, "wds": WDS, "wikibase": WIKIBASE,
    "rdf": RDF, "rdfs": RDFS, "xsd": XSD, "prov": PROV, "dct": DCT, "schema": SCHEMA_ORG,
    "geo": "http://www.opengis.net/ont/geosparql#",
}


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` so that a reader sees the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def batch_id(qids: Iterable[str]) -> str:
    return hashlib.sha256(" ".join(sorted(set(qids))).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Fetch:
    """Provenance of one batch."""

    qids: tuple[str, ...]
    endpoint: str
    query: str
    retrieved: dt.datetime

    def triples(self, base: str) -> list[ox.Triple]:
        n = ox.NamedNode
        act = n(Iris(base).wikidata_fetch(batch_id(self.qids)))
        when = self.retrieved.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        out = [
            ox.Triple(act, n(RDF + "type"), n(PROV + "Activity")),
            ox.Triple(act, n(RDF + "type"), n(SCHEMA_ORG + "SearchAction")),
            ox.Triple(act, n(RDFS + "label"), ox.Literal(
                f"twinkg enrich: {len(self.qids)} Wikidata item(s) retrieved from {self.endpoint}", language="en")),
            ox.Triple(act, n(PROV + "endedAtTime"), ox.Literal(when, datatype=n(XSD + "dateTime"))),
            ox.Triple(act, n(PROV + "used"), n(self.endpoint)),
            ox.Triple(act, n(SCHEMA_ORG + "target"), n(self.endpoint)),
            ox.Triple(act, n(SCHEMA_ORG + "query"), ox.Literal(self.query)),
            ox.Triple(act, n(PROV + "wasAssociatedWith"), n("https://w3id.org/twinkg/")),
            ox.Triple(act, n(SCHEMA_ORG + "instrument"), ox.Literal(USER_AGENT)),
            ox.Triple(act, n(DCT + "hasVersion"), ox.Literal(__version__)),
        ]
        out += [ox.Triple(act, n(DCT + "subject"), n(WD + q)) for q in sorted(set(self.qids))]
        return out


class Cache:
    """The cache folder: which items are fetched, and writing a new batch."""

    def __init__(self, directory: Path, base: str):
        self.dir = directory
        self.base = base
        self.items: dict[str, str] = {}
        """QID → file name of the batch holding it."""
        self._load()

    def fetched(self) -> set[str]:
        return set(self.items)

    def _load(self) -> None:
        manifest = self.dir / MANIFEST
        if manifest.is_file():
            try:
                recorded = json.loads(manifest.read_text(encoding="utf-8")).get("items", {})
            except (ValueError, AttributeError):
                recorded = {}  # rebuilt from the files below
            if not isinstance(recorded, dict):
                recorded = {}
            # Only names the cache itself writes: a hand-edited manifest must never point `--refresh` elsewhere.
            self.items = {q: f for q, f in recorded.items()
                          if isinstance(q, str) and isinstance(f, str) and _BATCH_NAME.match(f) and (self.dir / f).is_file()}
        known = set(self.items.values())
        changed = False
        for path in sorted(self.dir.glob("batch-*.ttl")) if self.dir.is_dir() else []:
            if path.name not in known:  # written before an interruption reached the manifest
                for qid in self._subjects(path):
                    self.items[qid] = path.name
                changed = True
        if changed or (manifest.is_file() and len(self.items) != len(recorded)):
            self._save()

    def _subjects(self, path: Path) -> list[str]:
        try:
            triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
            return [t.object.value[len(WD):] for t in triples
                    if t.predicate.value == DCT + "subject" and t.object.value.startswith(WD)]
        except (SyntaxError, ValueError, OSError):
            return []

    def _save(self) -> None:
        document = {"format": FORMAT, "generator": USER_AGENT,
                    "items": dict(sorted(self.items.items(), key=lambda kv: (len(kv[0]), kv[0])))}
        atomic_write(self.dir / MANIFEST, json.dumps(document, indent=1, ensure_ascii=False) + "\n")

    def write(self, fetch: Fetch, triples: Iterable[ox.Triple]) -> Path:
        """Store one batch: its data file first, then the manifest. Superseded files are removed."""
        name = f"batch-{batch_id(fetch.qids)}.ttl"
        body = sorted(set(triples) | set(fetch.triples(self.base)), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        turtle = rdf_bytes(body, ox.RdfFormat.TURTLE, CACHE_PREFIXES).decode("utf-8")
        header = (
            "# twinkg Wikidata enrichment cache, written by `twinkg enrich`; do not edit by hand.\n"
            f"# {len(set(fetch.qids))} item(s) retrieved from {fetch.endpoint} at "
            f"{fetch.retrieved.astimezone(dt.UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}.\n"
            "# Wikidata content is CC0. The prov:Activity below records the query and the retrieval time.\n"
        )
        atomic_write(self.dir / name, header + turtle)
        old = {n for q in fetch.qids if (n := self.items.get(q)) is not None and n != name}
        for qid in fetch.qids:
            self.items[qid] = name
        self._save()
        still_used = set(self.items.values())
        for stale in old:
            if stale not in still_used:
                (self.dir / stale).unlink(missing_ok=True)
        return self.dir / name
