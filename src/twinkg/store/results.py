"""Evaluating a query on a pyoxigraph store and serialising its answer with the row cap applied.

Pure functions over a store handle: the embedded workers and the in-memory
store call `evaluate`, the remote store `cap_tsv` and `cap_triples`.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from twinkg.errors import NotAcceptable, QueryRefused, QueryTooLarge
from twinkg.formats import GRAPH_MEDIA_TYPES, RESULT_MEDIA_TYPES, QueryForm, results_bytes
from twinkg.store.base import Answer, QueryRequest


def _dataset_arguments(req: QueryRequest) -> dict[str, Any]:
    if req.default_graphs is not None or req.named_graphs is not None:
        return {
            "default_graph": [ox.NamedNode(g) for g in req.default_graphs or ()],
            "named_graphs": [ox.NamedNode(g) for g in req.named_graphs or ()],
        }
    if req.union_default:
        return {"use_default_graph_as_union": True}
    return {}


def evaluate(store: ox.Store, req: QueryRequest) -> Answer:
    """Run one query on a store and serialise its answer, with the row and byte caps applied."""
    try:
        try:
            result = store.query(req.query, prefixes=req.prefixes, base_iri=req.base_iri, **_dataset_arguments(req))
            ordered = in_pattern_order(req, result)
            if ordered is not req:
                req = ordered
                result = store.query(req.query, prefixes=req.prefixes, base_iri=req.base_iri, **_dataset_arguments(req))
        except SyntaxError as exc:
            raise QueryRefused(f"SPARQL syntax error: {exc}") from None
        try:
            answer = _serialise(result, req, lambda: store.query(req.query, prefixes=req.prefixes,
                                                                 base_iri=req.base_iri, **_dataset_arguments(req)))
        except SyntaxError as exc:  # some errors surface lazily, while iterating
            raise QueryRefused(f"SPARQL error: {exc}") from None
    except MemoryError:
        raise QueryTooLarge("the query needed more memory than a query may use and was stopped") from None
    if req.spool_over is not None and len(answer.body) > req.spool_over:
        answer = spooled(answer)
    return answer


def in_pattern_order(req: QueryRequest, result: Any) -> QueryRequest:
    """For `SELECT *` whose columns pyoxigraph gave in another order than the query names its variables: the
    request with the `*` replaced by those variables in the query's order (the same solutions, columns in
    order); else `req` itself. pyoxigraph evaluates lazily, so the first result costs nothing to drop."""
    if req.star_at is None or not isinstance(result, ox.QuerySolutions):
        return req
    names = [v.value for v in result.variables]
    position = {name: i for i, name in enumerate(req.variable_order)}
    wanted = sorted(names, key=lambda n: position.get(n, len(position)))
    if wanted == names or req.query[req.star_at:req.star_at + 1] != "*":
        return req
    text = req.query[:req.star_at] + " " + " ".join("?" + n for n in wanted) + " " + req.query[req.star_at + 1:]
    return dataclasses.replace(req, query=text, star_at=None)


SPOOL_PREFIX = "twinkg-answer-"


def spooled(answer: Answer) -> Answer:
    """The answer with its body moved to a private temporary file, so that the web layer can stream it."""
    fd, path = tempfile.mkstemp(prefix=SPOOL_PREFIX)
    with os.fdopen(fd, "wb") as out:
        out.write(answer.body)
    return dataclasses.replace(answer, body=b"", spool=path)


class _Full(Exception):
    """The serialised answer went over the byte cap."""


class _CappedWriter(io.RawIOBase):
    """A file-like sink for pyoxigraph's serialisers that stops them at `limit` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        if self.size + len(chunk) > self.limit:
            self.parts.append(chunk[: self.limit - self.size])
            self.size = self.limit
            raise _Full
        self.parts.append(chunk)
        self.size += len(chunk)
        return len(chunk)

    def value(self) -> bytes:
        return b"".join(self.parts)


def serialise_capped(result: Any, fmt: ox.QueryResultsFormat, limit: int) -> tuple[bytes, bool]:
    """The solutions serialised, stopped at `limit` bytes; True when cut there (the body is then incomplete)."""
    sink = _CappedWriter(limit)
    try:
        result.serialize(sink, format=fmt)
    except _Full:
        return sink.value(), True
    return sink.value(), False


def results_format(media: str, form: QueryForm) -> ox.QueryResultsFormat:
    fmt = RESULT_MEDIA_TYPES.get(media)
    if fmt is None:
        raise NotAcceptable(f"a{'n' if form == QueryForm.ASK else ''} {form} query cannot be answered as {media}")
    return fmt


def graph_format(media: str) -> ox.RdfFormat:
    fmt = GRAPH_MEDIA_TYPES.get(media)
    if fmt is None:
        raise NotAcceptable(f"a CONSTRUCT or DESCRIBE query cannot be answered as {media}")
    return fmt


def _serialise(result: Any, req: QueryRequest, again: Callable[[], Any]) -> Answer:
    """`again` evaluates the query anew: an answer over the byte cap is cut on its TSV form, one row a line."""
    media = req.media_type
    if isinstance(result, ox.QueryBoolean):
        return Answer(media, results_bytes(result, results_format(media, QueryForm.ASK)), rows=None)
    if isinstance(result, ox.QuerySolutions):
        fmt = results_format(media, QueryForm.SELECT)
        if fmt == ox.QueryResultsFormat.CSV:  # CSV cannot be parsed back: count and cut it as TSV
            tsv, cut = serialise_capped(result, ox.QueryResultsFormat.TSV, req.max_bytes)
            return cap_tsv(tsv, media, req.max_rows, req.max_bytes, cut)
        body, cut = serialise_capped(result, fmt, req.max_bytes)  # straight to the asked format; caps rarely apply
        if cut:
            tsv, cut = serialise_capped(again(), ox.QueryResultsFormat.TSV, req.max_bytes)
            return cap_tsv(tsv, media, req.max_rows, req.max_bytes, cut)
        rows = count_rows(body, fmt)
        if rows is not None and rows <= req.max_rows:
            return Answer(media, body, rows=rows, truncated=False)
        # over the row cap (or not countable cheaply): cut it on the TSV form, one row a line
        tsv = body if fmt == ox.QueryResultsFormat.TSV else (
            ox.parse_query_results(body, format=fmt).serialize(format=ox.QueryResultsFormat.TSV) or b"")
        return cap_tsv(tsv, media, req.max_rows, req.max_bytes)
    return cap_triples(result, media, req.max_rows, req.max_bytes)


TRIPLE_OVERHEAD = 8
"""Bytes counted per triple beyond its terms' text (separators, brackets, the final dot)."""


def cap_triples(triples: Iterable[ox.Triple], media: str, max_rows: int, max_bytes: int,
                cut: bool = False) -> Answer:
    """The first max_rows triples that fit in max_bytes, serialised in the asked RDF format."""
    fmt = graph_format(media)
    kept: list[ox.Triple] = []
    size = 0
    truncated = cut
    for triple in triples:
        size += len(str(triple)) + TRIPLE_OVERHEAD
        if len(kept) == max_rows or size > max_bytes:
            truncated = True
            break
        kept.append(triple)
    body = ox.serialize(kept, format=fmt) or b""
    while len(body) > max_bytes and kept:  # a format more verbose than N-Triples: fewer triples
        kept = kept[: len(kept) * max_bytes // len(body) * 9 // 10]
        body = ox.serialize(kept, format=fmt) or b""
        truncated = True
    return Answer(media, body, rows=len(kept), truncated=truncated)


_JSON_ROW = re.compile(rb'[\[,]\{"[^"]*":\{"type":')
"""Where a row of a SPARQL JSON answer (as Oxigraph writes it: compact, keys first) starts: `[{"var":{"type":`
or `,{"var":{"type":`. Inside a string every `"` is escaped, so a literal can never match."""


def count_rows(body: bytes, fmt: ox.QueryResultsFormat) -> int | None:
    """The rows of a SELECT answer serialised by Oxigraph, counted without parsing it; None when unsure."""
    if fmt == ox.QueryResultsFormat.TSV:
        return body.count(b"\n") - 1  # newlines inside terms are escaped as \n
    if fmt == ox.QueryResultsFormat.XML:
        return body.count(b"<result>")  # `<` inside a value is escaped as &lt;
    if fmt == ox.QueryResultsFormat.JSON:
        if b"{}" in body:  # a solution binding nothing is `{}`: rare, count it the slow way
            return None
        return len(_JSON_ROW.findall(body))
    return None


def cap_tsv(tsv: bytes, media: str, max_rows: int, max_bytes: int, cut: bool = False) -> Answer:
    """Count the rows of a TSV answer (one line each), cut at the caps, convert to the asked format.

    `cut`: the TSV itself was stopped at the byte cap, so its last line may be incomplete."""
    fmt = results_format(media, QueryForm.SELECT)
    if cut:
        tsv = tsv[: tsv.rfind(b"\n") + 1]
    rows = tsv.count(b"\n") - 1
    truncated = cut or rows > max_rows
    if rows > max_rows:
        tsv = _first_lines(tsv, max_rows + 1)
        rows = max_rows
    while True:
        body = tsv if fmt == ox.QueryResultsFormat.TSV else (
            ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=fmt) or b"")
        if len(body) <= max_bytes or rows <= 0:
            return Answer(media, body, rows=rows, truncated=truncated)
        rows = rows * max_bytes // len(body) * 9 // 10  # the asked format is more verbose: fewer rows
        tsv = _first_lines(tsv, rows + 1)
        truncated = True


def _first_lines(text: bytes, n: int) -> bytes:
    end = -1
    for _ in range(n):
        end = text.index(b"\n", end + 1)
    return text[: end + 1]
