"""Evaluating a query on a pyoxigraph store and serialising its answer with the row cap applied.

Pure functions over a store handle: the embedded workers and the in-memory
store call `evaluate`, the remote store `cap_tsv` and `cap_triples`.
"""

from __future__ import annotations

import itertools
import re
from typing import Any, Iterable

import pyoxigraph as ox

from twinkg.errors import NotAcceptable, QueryRefused
from twinkg.store.base import Answer, QueryRequest

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


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
    """Run one query on a store and serialise its answer, with the row cap applied."""
    try:
        result = store.query(req.query, prefixes=req.prefixes, base_iri=req.base_iri, **_dataset_arguments(req))
    except SyntaxError as exc:
        raise QueryRefused(f"SPARQL syntax error: {exc}") from None
    try:
        return _serialise(result, req)
    except SyntaxError as exc:  # some errors surface lazily, while iterating
        raise QueryRefused(f"SPARQL error: {exc}") from None


def results_format(media: str, form: str) -> ox.QueryResultsFormat:
    fmt = RESULT_FORMATS.get(media)
    if fmt is None:
        raise NotAcceptable(f"a{'n' if form == 'ASK' else ''} {form} query cannot be answered as {media}")
    return fmt


def graph_format(media: str) -> ox.RdfFormat:
    fmt = GRAPH_FORMATS.get(media)
    if fmt is None:
        raise NotAcceptable(f"a CONSTRUCT or DESCRIBE query cannot be answered as {media}")
    return fmt


def _serialise(result: Any, req: QueryRequest) -> Answer:
    media = req.media_type
    if isinstance(result, ox.QueryBoolean):
        return Answer(media, result.serialize(format=results_format(media, "ASK")), rows=None)
    if isinstance(result, ox.QuerySolutions):
        fmt = results_format(media, "SELECT")
        if fmt == ox.QueryResultsFormat.CSV:  # CSV cannot be parsed back: count and cut it as TSV
            return cap_tsv(result.serialize(format=ox.QueryResultsFormat.TSV), media, req.max_rows)
        body = result.serialize(format=fmt)  # straight to the asked format; the cap rarely applies
        rows = count_rows(body, fmt)
        if rows is not None and rows <= req.max_rows:
            return Answer(media, body, rows=rows, truncated=False)
        # over the cap (or not countable cheaply): cut it on the TSV form, one row a line
        tsv = body if fmt == ox.QueryResultsFormat.TSV else (
            ox.parse_query_results(body, format=fmt).serialize(format=ox.QueryResultsFormat.TSV))
        return cap_tsv(tsv, media, req.max_rows)
    return cap_triples(result, media, req.max_rows)


def cap_triples(triples: Iterable[ox.Triple], media: str, max_rows: int) -> Answer:
    """The first max_rows triples, serialised in the asked RDF format."""
    fmt = graph_format(media)
    kept = list(itertools.islice(triples, max_rows + 1))
    truncated = len(kept) > max_rows
    if truncated:
        kept = kept[:max_rows]
    return Answer(media, ox.serialize(kept, format=fmt), rows=len(kept), truncated=truncated)


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


def cap_tsv(tsv: bytes, media: str, max_rows: int) -> Answer:
    """Count the rows of a TSV answer (one line each), cut at the cap, convert to the asked format."""
    fmt = results_format(media, "SELECT")
    rows = tsv.count(b"\n") - 1
    truncated = rows > max_rows
    if truncated:
        cut = -1
        for _ in range(max_rows + 1):
            cut = tsv.index(b"\n", cut + 1)
        tsv = tsv[: cut + 1]
        rows = max_rows
    if fmt == ox.QueryResultsFormat.TSV:
        return Answer(media, tsv, rows=rows, truncated=truncated)
    body = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV).serialize(format=fmt)
    return Answer(media, body, rows=rows, truncated=truncated)
