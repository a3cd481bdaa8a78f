"""The RDF and SPARQL results formats twinkg serves, and their media types and file extensions.

pyoxigraph's format enums already know each format's media type and
extension; this module only says which of them twinkg offers, and gives
`ox.serialize` a non-optional return type (it returns None only when writing
to a file, which twinkg never asks it to).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import pyoxigraph as ox


class QueryForm(StrEnum):
    """The four SPARQL query forms; the form decides which formats can answer a query (its values are the
    keywords, as the protocol's messages and the store adapters spell them)."""

    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"

    @property
    def answers_graph(self) -> bool:
        """CONSTRUCT and DESCRIBE answer with RDF (GRAPH_FORMATS), SELECT and ASK with results (RESULT_FORMATS)."""
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


GRAPH_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML)
"""What CONSTRUCT and DESCRIBE answers, data documents, VoID and the service description are written in."""
RESULT_FORMATS = (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.CSV,
                  ox.QueryResultsFormat.TSV)
"""What SELECT and ASK answers are written in."""


def media_type(fmt: ox.RdfFormat | ox.QueryResultsFormat) -> str:
    """The bare media type (pyoxigraph adds `; charset=utf-8` to CSV and TSV)."""
    return fmt.media_type.split(";")[0]


GRAPH_MEDIA_TYPES = {media_type(f): f for f in GRAPH_FORMATS}
RESULT_MEDIA_TYPES = {media_type(f): f for f in RESULT_FORMATS}
EXTENSIONS = {f.file_extension: media_type(f) for f in GRAPH_FORMATS}
"""Extension of a data document (/data/….ttl) → its media type."""
EXTENSION_OF = {media: ext for ext, media in EXTENSIONS.items()}


def rdf_bytes(statements: Iterable[ox.Triple] | Iterable[ox.Quad], fmt: ox.RdfFormat,
              prefixes: dict[str, str] | None = None) -> bytes:
    data = ox.serialize(statements, format=fmt, prefixes=prefixes)
    assert data is not None  # only None when given an output file
    return data


def results_bytes(result: ox.QuerySolutions | ox.QueryBoolean, fmt: ox.QueryResultsFormat) -> bytes:
    data = result.serialize(format=fmt)
    assert data is not None  # only None when given an output file
    return data
