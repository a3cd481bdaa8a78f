"""Writing the dumps: the files a researcher downloads, their checksums and VoID/DCAT.

Everything is written into a fresh folder beside the output and swapped in
only when all of it succeeded, so a failed build leaves the previous output
as it was. Output bytes depend only on the data and the build time, so two
builds of the same data with `SOURCE_DATE_EPOCH` set are identical.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from twinkg.graphs import LICENSE, Graphs, quads
from twinkg.vocab import DCAT, DCT, PREFIXES, RDF, SPDX_NS, XSD, Iris


@dataclass(frozen=True)
class Dump:
    filename: str
    media_type: str
    title: str


DUMPS = (
    Dump("twinkg.ttl", "text/turtle", "All graphs merged, Turtle"),
    Dump("twinkg.nt.gz", "application/n-triples", "All graphs merged, N-Triples, gzip"),
    Dump("twinkg.jsonld", "application/ld+json", "All graphs merged, JSON-LD"),
    Dump("twinkg.nq.gz", "application/n-quads", "Named graphs, N-Quads, gzip"),
)
REPORT = "shacl-report.ttl"
VOID_FILE = "void.ttl"
SUMS = "SHA256SUMS"


def _gzip(data: bytes, built_at: dt.datetime) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=int(built_at.timestamp()), compresslevel=6) as f:
        f.write(data)
    return buffer.getvalue()


def _sorted_lines(data: bytes) -> bytes:
    """Line-based RDF (one statement a line) in byte order: a stable order at C speed."""
    lines = data.splitlines(keepends=True)
    lines.sort()
    return b"".join(lines)


def render_dumps(graphs: Graphs, iris: Iris, built_at: dt.datetime) -> dict[str, bytes]:
    """The bytes of every dump file, by file name.

    Statements are put in a stable order by sorting the N-Triples/N-Quads lines
    (bytes, not Python terms: 5x faster at the crawl's scale); Turtle and
    JSON-LD are written from the sorted N-Triples, so they are stable too."""
    nquads = _sorted_lines(ox.serialize(quads(graphs, iris), format=ox.RdfFormat.N_QUADS))
    ntriples = _sorted_lines(ox.serialize(set().union(*graphs.values()), format=ox.RdfFormat.N_TRIPLES))
    triples = list(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    prefixes = {**PREFIXES, "twid": iris.base + "id/", "twv": iris.base + "vocab/"}
    return {
        "twinkg.ttl": ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes),
        "twinkg.nt.gz": _gzip(ntriples, built_at),
        "twinkg.jsonld": ox.serialize(triples, format=ox.RdfFormat.JSON_LD, prefixes=prefixes),
        "twinkg.nq.gz": _gzip(nquads, built_at),
    }


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def void_description(graphs: Graphs, files: dict[str, bytes], iris: Iris) -> bytes:
    """The meta graph plus one DCAT distribution per dump, with size, media type and checksum."""
    n = ox.NamedNode
    a = n(RDF + "type")
    ds = n(iris.dataset())
    triples = set(graphs["meta"])
    for dump in DUMPS:
        data = files[dump.filename]
        dist = n(iris.distribution(dump.filename))
        checksum = ox.BlankNode(f"sha256-{dump.filename.replace('.', '-')}")
        triples |= {
            ox.Triple(ds, n(DCAT + "distribution"), dist),
            ox.Triple(dist, a, n(DCAT + "Distribution")),
            ox.Triple(dist, n(DCT + "title"), ox.Literal(dump.title, language="en")),
            ox.Triple(dist, n(DCAT + "downloadURL"), dist),
            ox.Triple(dist, n(DCAT + "mediaType"), n(f"https://www.iana.org/assignments/media-types/{dump.media_type}")),
            ox.Triple(dist, n(DCAT + "byteSize"), ox.Literal(str(len(data)), datatype=n(XSD + "nonNegativeInteger"))),
            ox.Triple(dist, n(DCT + "license"), n(LICENSE)),
            ox.Triple(dist, n(SPDX_NS + "checksum"), checksum),
            ox.Triple(checksum, a, n(SPDX_NS + "Checksum")),
            ox.Triple(checksum, n(SPDX_NS + "algorithm"), n(SPDX_NS + "checksumAlgorithm_sha256")),
            ox.Triple(checksum, n(SPDX_NS + "checksumValue"), ox.Literal(sha256(data), datatype=n(XSD + "hexBinary"))),
        }
        if dump.filename.endswith(".gz"):
            triples.add(ox.Triple(dist, n(DCAT + "compressFormat"), n("https://www.iana.org/assignments/media-types/application/gzip")))
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes={**PREFIXES, "spdx": SPDX_NS})


def checksums(files: dict[str, bytes]) -> bytes:
    """`sha256sum -c`-compatible lines, sorted by file name."""
    return "".join(f"{sha256(data)}  {name}\n" for name, data in sorted(files.items())).encode()


class OutputError(Exception):
    """The output folder cannot be replaced safely; the message says why."""


def _check_replaceable(out_dir: Path) -> None:
    """Only an empty folder or an earlier build's output may be replaced: never a user's own folder."""
    if out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / SUMS).is_file())):
        raise OutputError(f"{out_dir} exists and is not the output of a twinkg build (no {SUMS}); "
                          "choose an empty or new folder for --out")


def read_checksums(out_dir: Path) -> dict[str, str]:
    """File name → SHA-256 as the build recorded them in SHA256SUMS; empty when there is none."""
    try:
        text = (out_dir / SUMS).read_text()
    except OSError:
        return {}
    sums = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if name and "/" not in name:
            sums[name] = digest
    return sums


def write_atomically(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write all files into a temporary folder, then swap it in for `out_dir` in one rename.

    Hidden entries of the old output (a server's `.store-*` folders) move over
    to the new one, so a running server keeps its store."""
    out_dir = out_dir.resolve()
    _check_replaceable(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
        os.chmod(staging, 0o755)
        _swap(staging, out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _swap(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    for kept in out_dir.iterdir():
        if kept.name.startswith(".") and not (staging / kept.name).exists():
            kept.rename(staging / kept.name)
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    old.rmdir()
    out_dir.rename(old)
    try:
        staging.rename(out_dir)
    except OSError:
        old.rename(out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


Progress = Callable[[str], None]


def publish(graphs: Graphs, report_ttl: bytes, iris: Iris, built_at: dt.datetime, out_dir: Path,
            progress: Progress = lambda _: None) -> dict[str, bytes]:
    """Render every file of the build and swap them into `out_dir`; returns what was written."""
    progress("serialising dumps")
    files = render_dumps(graphs, iris, built_at)
    files[REPORT] = report_ttl
    progress("describing the dataset (VoID/DCAT)")
    files[VOID_FILE] = void_description(graphs, files, iris)
    files[SUMS] = checksums(files)
    progress(f"writing {out_dir}")
    write_atomically(out_dir, files)
    return files
