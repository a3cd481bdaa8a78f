"""What the web layer asks of a store, and what it gets back.

A store answers one call, `run(QueryRequest) -> Answer`: a query, the media
type to answer in, the dataset, and the row cap. It either answers or raises
one of the `StoreError`s of `twinkg.errors` (refused, not acceptable, timed
out, busy, unavailable); the web layer turns those into HTTP statuses in one
place. The web layer never holds a store handle itself, so it keeps no state
and can be replicated.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from twinkg.config import Settings
from twinkg.formats import QueryForm


class Cost(StrEnum):
    """What the caller expects a query to cost; the embedded store keeps a heavy one off its fast lane."""

    LIGHT = "light"
    """The app's own bounded queries, or a client whose queries have been fast."""
    HEAVY = "heavy"
    """A client whose queries have been slow, whatever their text (server.fairness)."""
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class QueryRequest:
    query: str
    media_type: str
    """A results media type (SELECT, ASK) or an RDF media type (CONSTRUCT, DESCRIBE)."""
    default_graphs: tuple[str, ...] | None = None
    """Protocol dataset (`default-graph-uri`); with named_graphs, None means: not given."""
    named_graphs: tuple[str, ...] | None = None
    union_default: bool = True
    """Without a protocol dataset or FROM: the default graph is the union of the named graphs."""
    max_rows: int = Settings.max_rows
    max_bytes: int = Settings.max_answer_bytes
    """The answer is cut (at a row or triple) to stay within this many bytes, like the row cap."""
    spool_over: int | None = None
    """An answer larger than this is written to a file (`Answer.spool`) for the web layer to stream."""
    form: QueryForm | None = None
    """When the web layer knows it (a remote store needs it)."""
    prefixes: dict[str, str] | None = None
    base_iri: str | None = None
    """Relative IRIs in the query resolve against this (the endpoint's own URL)."""
    star_at: int | None = None
    """For `SELECT *`: where the `*` is in `query` (`QueryInfo.star_at`), so that the columns can follow
    `variable_order` instead of pyoxigraph's order by name."""
    variable_order: tuple[str, ...] = ()
    cost: Cost = Cost.UNKNOWN


@dataclass
class Answer:
    media_type: str
    body: bytes
    rows: int | None = None
    """Rows (SELECT) or triples (CONSTRUCT, DESCRIBE) in the body; None for ASK."""
    truncated: bool = False
    """Cut by the row cap or the byte cap."""
    elapsed_ms: float = 0.0
    spool: str | None = None
    """The path of a file holding the body (then `body` is empty); whoever reads it removes it."""


class Store(Protocol):
    """Anything that answers SPARQL queries for the web layer."""

    description: str
    """What /healthz reports: embedded, remote, memory."""
    follows_dump: bool
    """True when answers change only with the build's dump, so they may be cached by its digest."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def graph_names(self) -> frozenset[str]:
        """The named graphs of the store (FROM may only name these)."""
        ...

    async def run(self, req: QueryRequest) -> Answer:
        """The answer, or a StoreError saying why there is none."""
        ...


GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def graph_names_of(tsv: bytes) -> frozenset[str]:
    """The IRIs in the one column of a TSV answer to GRAPHS_QUERY."""
    return frozenset(line.strip()[1:-1] for line in tsv.decode().splitlines()[1:] if line.strip())
