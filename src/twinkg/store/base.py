"""What the web layer asks of a store, and what it gets back.

A store answers one call, `run(QueryRequest) -> Answer`: a query, the media
type to answer in, the dataset, and the row cap. It either answers or raises
one of the `StoreError`s of `twinkg.errors` (refused, not acceptable, timed
out, busy, unavailable); the web layer turns those into HTTP statuses in one
place. The web layer never holds a store handle itself, so it keeps no state
and can be replicated. Beside the raw answer, `select` gives a SELECT's
solutions as typed rows of pyoxigraph terms (`Row`), for the pages: no page
reads SPARQL JSON itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeAlias

import pyoxigraph as ox

from twinkg.config import Settings
from twinkg.errors import StoreError
from twinkg.formats import QueryForm, media_type


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


Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal
"""What a solution binds a variable to (twinkg's data holds no RDF-star triples)."""


@dataclass(frozen=True)
class Row:
    """One solution of a SELECT: variable name (without `?`) -> its term; an unbound variable is absent."""

    terms: Mapping[str, Term]

    def __contains__(self, name: str) -> bool:
        return name in self.terms

    def __getitem__(self, name: str) -> Term:
        return self.terms[name]

    def get(self, name: str) -> Term | None:
        return self.terms.get(name)

    def text(self, name: str, default: str = "") -> str:
        """The lexical value (an IRI's text, a literal's text), or `default` when unbound."""
        found = self.terms.get(name)
        return found.value if found is not None else default

    def lang(self, name: str) -> str:
        """The language tag of a literal, "" for any other term or when unbound."""
        found = self.terms.get(name)
        return (found.language or "") if isinstance(found, ox.Literal) else ""

    def flag(self, name: str) -> bool:
        """A truth value the query computed (`BIND(EXISTS {…} AS ?x)`): Virtuoso answers it as the integer 1 or 0,
        the SPARQL 1.1 stores as xsd:boolean; False when unbound."""
        return self.text(name) in ("true", "1")

    def number(self, name: str) -> int:
        """An integer the query computed (a COUNT); ValueError when it is none."""
        return int(self.terms[name].value)


ROWS_FORMAT = ox.QueryResultsFormat.TSV
"""What `select` asks the store for: TSV writes every term whole (kind, language, datatype) like JSON, and is
cheaper to write in a worker, to cap (one row a line) and to read back (bench/select_rows.py)."""


def rows_of(answer: Answer) -> list[Row]:
    """The solutions of a SELECT answered in ROWS_FORMAT, read by pyoxigraph into terms."""
    parsed = ox.parse_query_results(answer.body, format=ROWS_FORMAT)
    if not isinstance(parsed, ox.QuerySolutions):
        raise StoreError("the store answered a SELECT with a boolean")
    names = [v.value for v in parsed.variables]
    return [Row({n: t for n, t in zip(names, solution, strict=True) if isinstance(t, ox.NamedNode | ox.BlankNode | ox.Literal)})
            for solution in parsed]


class Store(Protocol):
    """Anything that answers SPARQL queries for the web layer.

    A store class names this protocol as its base (`class MemoryStore(Store)`), so that it inherits `select`."""

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

    async def select(self, req: QueryRequest) -> list[Row]:
        """The solutions of a SELECT as typed rows: `run` in ROWS_FORMAT (under the same caps, scheduling and
        errors as any query), read back by pyoxigraph."""
        return rows_of(await self.run(dataclasses.replace(req, media_type=media_type(ROWS_FORMAT), spool_over=None)))


GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def graph_names_of(tsv: bytes) -> frozenset[str]:
    """The IRIs in the one column of a TSV answer to GRAPHS_QUERY."""
    return frozenset(line.strip()[1:-1] for line in tsv.decode().splitlines()[1:] if line.strip())
