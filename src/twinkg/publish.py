"""Writing the dumps: the files a researcher downloads, their checksums and VoID/DCAT.

What the files are called and how they replace the previous output is the
output folder's contract (twinkg.output); this module renders their bytes.
Output bytes depend only on the data and the build time, so two builds of the
same data with `SOURCE_DATE_EPOCH` set are identical.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
from zlib_ng import gzip_ng

from twinkg import jsonld
from twinkg.config import Progress
from twinkg.errors import OutputError
from twinkg.formats import rdf_bytes
from twinkg.graphs import Graphs
from twinkg.output import (
    CONTEXT_FILE,
    DUMPS,
    EXPORTS,
    REPORT,
    SUMS,
    VOID_FILE,
    checksums,
    sha256,
    write_output,
)
from twinkg.publication import LICENSE
from twinkg.vocab import DCAT, DCT, PREFIXES, RDF, SPDX_NS, VOID, XSD, Iris

GZIP_LEVEL = 5
"""zlib-ng at level 5 writes files no larger than the standard library's zlib at 6 did, in a third of
the time; ISA-L is faster still but a third larger (bench/gzip_levels.py, bench/RESULTS.md)."""


def _gzip(data: bytes, built_at: dt.datetime) -> bytes:
    """Standard gzip (RFC 1952), stamped with the build time so equal builds give equal bytes."""
    compressed: bytes = gzip_ng.compress(data, GZIP_LEVEL, mtime=int(built_at.timestamp()))  # type: ignore[no-untyped-call]
    return compressed


def _too_large(exc: MemoryError) -> OutputError:
    """pyoxigraph holds one term in a bounded buffer (16 MiB): a larger value cannot be written or read."""
    return OutputError(f"the graph cannot be serialised: a value is too large ({exc})")


def sorted_lines(data: bytes) -> list[bytes]:
    """Line-based RDF (one statement a line) in byte order: a stable order at C speed."""
    lines = data.splitlines(keepends=True)
    lines.sort()
    return lines


def line_dumps(graphs: Graphs) -> dict[str, bytes]:
    """Each graph's N-Triples, written once: the dumps are made of them, and the build loads its store from them."""
    try:
        return {name: rdf_bytes(triples, ox.RdfFormat.N_TRIPLES) for name, triples in graphs.items()}
    except MemoryError as exc:
        raise _too_large(exc) from None


def in_graph(ntriples: bytes, graph: str) -> bytes:
    """N-Triples lines as N-Quads lines of one graph.

    Every line ends in " .\n" and no term holds a raw line break (N-Triples
    escapes it), so one C-speed replace does what a Quad object per triple did."""
    return ntriples.replace(b" .\n", b" <" + graph.encode() + b"> .\n")


def _distinct(quads: list[bytes]) -> tuple[list[bytes], list[bytes]]:
    """Sorted N-Quads lines each once (a text may state a triple twice in a graph, `mapping.curated_ntriples`),
    and the sorted triples of the merged graph (a triple in two graphs once), each an N-Triples line
    without its " .\n".

    A line's graph is its last term: the last " <" of the line starts it (no IRI holds a space, and a
    literal's " <" comes before the graph's), so cutting there is exact. Sorting by whole lines orders
    quads by their triple first (a triple's text ends where a longer one's goes on with "@" or "^",
    after the space either is followed by), so the lines stay sorted and a triple's copies are
    neighbours: comparing each with the one before drops them, without a second pass over the bytes."""
    lines: list[bytes] = []
    kept: list[bytes] = []
    last_line = last = None
    for line in quads:
        if line == last_line:
            continue
        lines.append(line)
        last_line = line
        triple = line[:line.rindex(b" <")]
        if triple != last:
            kept.append(triple)
            last = triple
    return lines, kept


def triple_count(nquads: bytes) -> int:
    """How many distinct triples N-Quads state (a triple in two graphs, or twice in one, once)."""
    return len(_distinct(sorted_lines(nquads))[1])


def _ntriples(texts: list[bytes]) -> bytes:
    return b" .\n".join(texts) + b" .\n" if texts else b""


@dataclass(frozen=True)
class Ordered:
    """Statements in the dumps' order (their lines' byte order): the N-Quads lines, and the merged graph's
    triples, once each, as N-Triples texts (without " .\n") and as terms, one for one; and the JSON-LD
    document's first `compacted` triples as its node lines.

    The build orders the checked graphs, and compacts them while it can, while pyoxigraph loads its
    store from the same text (`build.load_and_order`), then adds the dataset's description (`Ordered.add`)."""

    quads: list[bytes]
    texts: list[bytes]
    triples: list[ox.Triple]
    nodes: list[jsonld.NodeLine] = field(default_factory=list)
    compacted: int = 0

    def compact(self, ctx: jsonld.Context, enough: Callable[[], bool] = lambda: False) -> Ordered:
        """The same, with the JSON-LD nodes of as many triples as there is time for (`jsonld.node_lines`)."""
        nodes, compacted = jsonld.node_lines(self.triples[self.compacted:], ctx, enough)
        return replace(self, nodes=self.nodes + nodes, compacted=self.compacted + compacted)

    def node_lines(self, ctx: jsonld.Context) -> list[str]:
        """The JSON-LD document's node lines: those worked out already, then the rest."""
        return [line for _, line in self.compact(ctx).nodes]

    def _states_about(self, key: str) -> bool:
        """Whether a triple has the subject of a node line's key."""
        prefix = key.encode()
        at = bisect.bisect_left(self.texts, prefix)
        return at < len(self.texts) and self.texts[at].startswith(prefix)

    def add(self, other: Ordered, ctx: jsonld.Context | None = None) -> Ordered:
        """Both in one order; a triple of both once. Each of `other`'s (the fewer) goes where it sorts.

        With `ctx`, and JSON-LD nodes of this one worked out, the nodes of both: a subject of `other`'s that
        this one states about too makes one node of the two, so this one's are then worked out again."""
        merged = self._add(other)
        if ctx is None or not self.compacted:
            return merged
        theirs = other.compact(ctx).nodes
        if any(self._states_about(key) for key, _ in theirs):
            return merged
        mine = self.compact(ctx).nodes
        nodes: list[jsonld.NodeLine] = []
        start = 0
        for node in theirs:
            at = bisect.bisect_left(mine, node, start)
            nodes += mine[start:at]
            nodes.append(node)
            start = at
        nodes += mine[start:]
        return replace(merged, nodes=nodes, compacted=len(merged.triples))

    def _add(self, other: Ordered) -> Ordered:
        quads = self.quads + other.quads
        quads.sort()  # two sorted runs: the sort merges them in one linear pass
        texts: list[bytes] = []
        triples: list[ox.Triple] = []
        start = 0
        for text, triple in zip(other.texts, other.triples, strict=True):
            at = bisect.bisect_left(self.texts, text, start)
            texts += self.texts[start:at]
            triples += self.triples[start:at]
            start = at
            if at == len(self.texts) or self.texts[at] != text:
                texts.append(text)
                triples.append(triple)
        texts += self.texts[start:]
        triples += self.triples[start:]
        return Ordered(quads, texts, triples)


def ordered(nquads: bytes) -> Ordered:
    """N-Quads lines in the dumps' order, with the merged graph's triples parsed once."""
    quads, texts = _distinct(sorted_lines(nquads))
    try:
        triples = list(ox.parse(_ntriples(texts), format=ox.RdfFormat.N_TRIPLES))
    except MemoryError as exc:
        raise _too_large(exc) from None
    return Ordered(quads, texts, triples)


def render_dumps(graphs: Graphs, iris: Iris, built_at: dt.datetime, lines: dict[str, bytes] | None = None,
                 part: Ordered | None = None) -> dict[str, bytes]:
    """The bytes of every dump file, by file name; from the graphs' `line_dumps` when the caller has them.

    Statements are put in a stable order by sorting the N-Triples/N-Quads lines
    (bytes, not Python terms: 5x faster at the crawl's scale); Turtle and
    JSON-LD are written from the sorted N-Triples, so they are stable too.
    `part`: some of the graphs already in order (`ordered`, which the build runs while pyoxigraph
    loads its store); `lines` then holds the other graphs' N-Triples."""
    by_graph = lines if lines is not None else line_dumps(graphs)
    try:
        ctx = jsonld.context(graphs["ontology"])
        rest = ordered(b"".join(in_graph(nt, iris.graph(name)) for name, nt in by_graph.items()))
        return _render_dumps(part.add(rest, ctx) if part is not None else rest, ctx, iris, built_at)
    except MemoryError as exc:
        raise _too_large(exc) from None


def _render_dumps(statements: Ordered, ctx: jsonld.Context, iris: Iris, built_at: dt.datetime) -> dict[str, bytes]:
    nquads = b"".join(statements.quads)
    ntriples = _ntriples(statements.texts)
    triples = statements.triples
    prefixes = {**PREFIXES, "twid": iris.base + "id/", "twv": iris.base + "vocab/"}
    return {
        "twinkg.ttl": rdf_bytes(triples, ox.RdfFormat.TURTLE, prefixes),
        "twinkg.nt.gz": _gzip(ntriples, built_at),
        "twinkg.jsonld": jsonld.document(statements.node_lines(ctx), ctx),
        "twinkg.nq.gz": _gzip(nquads, built_at),
        CONTEXT_FILE: jsonld.render_context(ctx),
    }


def void_description(graphs: Graphs, files: dict[str, bytes], iris: Iris, digests: dict[str, str] | None = None) -> bytes:
    """The meta graph plus one DCAT distribution per dump, with size, media type and checksum (from `digests`,
    the files' SHA-256 by name, when the caller has them)."""
    digests = digests or {}
    n = ox.NamedNode
    a = n(RDF + "type")
    ds = n(iris.dataset())
    triples = set(graphs["meta"])
    for dump in (*DUMPS, *EXPORTS):
        data = files[dump.name]
        digest = digests.get(dump.name) or sha256(data)
        dist = n(iris.distribution(dump.name))
        checksum = ox.BlankNode(f"sha256-{dump.name.replace('.', '-')}")
        triples |= {
            ox.Triple(ds, n(DCAT + "distribution"), dist),
            *([ox.Triple(ds, n(VOID + "dataDump"), dist)] if dump in DUMPS else []),
            ox.Triple(dist, a, n(DCAT + "Distribution")),
            ox.Triple(dist, n(DCT + "title"), ox.Literal(dump.title, language="en")),
            ox.Triple(dist, n(DCAT + "downloadURL"), dist),
            ox.Triple(dist, n(DCAT + "mediaType"), n(f"https://www.iana.org/assignments/media-types/{dump.media_type}")),
            ox.Triple(dist, n(DCAT + "byteSize"), ox.Literal(str(len(data)), datatype=n(XSD + "nonNegativeInteger"))),
            ox.Triple(dist, n(DCT + "license"), n(LICENSE)),
            ox.Triple(dist, n(SPDX_NS + "checksum"), checksum),
            ox.Triple(checksum, a, n(SPDX_NS + "Checksum")),
            ox.Triple(checksum, n(SPDX_NS + "algorithm"), n(SPDX_NS + "checksumAlgorithm_sha256")),
            ox.Triple(checksum, n(SPDX_NS + "checksumValue"), ox.Literal(digest, datatype=n(XSD + "hexBinary"))),
        }
        if dump.name.endswith(".gz"):
            triples.add(ox.Triple(dist, n(DCAT + "compressFormat"), n("https://www.iana.org/assignments/media-types/application/gzip")))
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return rdf_bytes(ordered, ox.RdfFormat.TURTLE, {**PREFIXES, "spdx": SPDX_NS})


def publish(files: dict[str, bytes], report_ttl: bytes, graphs: Graphs, iris: Iris, out_dir: Path,
            progress: Progress = lambda _: None) -> dict[str, bytes]:
    """Add the SHACL report, VoID/DCAT and checksums to the rendered files and swap them into `out_dir`;
    returns what was written."""
    files = dict(files)
    files[REPORT] = report_ttl
    progress("describing the dataset (VoID/DCAT)")
    with ThreadPoolExecutor(max_workers=2) as hashing:  # hashlib lets go of the interpreter lock: both cores
        digests = dict(zip(files, hashing.map(sha256, files.values()), strict=True))
    files[VOID_FILE] = void_description(graphs, files, iris, digests)
    digests[VOID_FILE] = sha256(files[VOID_FILE])
    files[SUMS] = checksums(files, digests)
    progress(f"writing {out_dir}")
    write_output(out_dir, files, progress)
    return files
