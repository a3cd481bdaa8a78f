"""`Store.select`: a SELECT's solutions as typed rows of pyoxigraph terms (what the pages read), from the
in-memory store and from the embedded pool's worker processes alike, under the same row cap as `run`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from twinkg.config import Settings
from twinkg.errors import StoreError
from twinkg.store import QueryRequest, Row, Store
from twinkg.store.memory import MemoryStore
from twinkg.store.pool import EmbeddedStore

EX = "https://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
QUADS = [
    ox.Quad(ox.NamedNode(EX + "kyiv"), ox.NamedNode(EX + "name"), ox.Literal("Kyiv", language="en"), ox.NamedNode(EX + "g")),
    ox.Quad(ox.NamedNode(EX + "kyiv"), ox.NamedNode(EX + "name"), ox.Literal("Київ", language="uk"), ox.NamedNode(EX + "g")),
    ox.Quad(ox.NamedNode(EX + "kyiv"), ox.NamedNode(EX + "partner"), ox.BlankNode("b1"), ox.NamedNode(EX + "g")),
    ox.Quad(ox.NamedNode(EX + "kyiv"), ox.NamedNode(EX + "code"), ox.Literal("UA"), ox.NamedNode(EX + "g")),
]
QUERY = f"SELECT ?s ?o ?missing WHERE {{ ?s <{EX}name> ?o }} ORDER BY ?o"


@pytest.fixture(params=["memory", pytest.param("embedded", marks=pytest.mark.slow)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemoryStore(QUADS)
        return
    disk = ox.Store(str(tmp_path / "store"))
    disk.extend(QUADS)
    disk.flush()
    del disk
    yield EmbeddedStore(tmp_path / "store", workers=1, fast_workers=0, timeout=30, startup_timeout=Settings.startup_timeout)


def select(store: Store, req: QueryRequest) -> list[Row]:
    async def scenario() -> list[Row]:
        await store.start()
        try:
            return await store.select(req)
        finally:
            await store.close()

    return asyncio.run(scenario())


def test_select_gives_terms_not_json(store: Store) -> None:
    rows = select(store, QueryRequest(QUERY, "text/csv"))  # whatever the request's media type: rows of terms
    assert [r.terms for r in rows] == [{"s": ox.NamedNode(EX + "kyiv"), "o": ox.Literal("Kyiv", language="en")},
                                       {"s": ox.NamedNode(EX + "kyiv"), "o": ox.Literal("Київ", language="uk")}]
    first = rows[0]
    assert "missing" not in first and first.get("missing") is None and first.text("missing", "-") == "-"
    assert (first.text("s"), first.text("o"), first.lang("o"), first.lang("s")) == (EX + "kyiv", "Kyiv", "en", "")
    assert isinstance(first["s"], ox.NamedNode)


def test_select_keeps_each_kind_of_term_and_counts(store: Store) -> None:
    rows = select(store, QueryRequest(f"SELECT ?b ?code (COUNT(*) AS ?n) WHERE {{ ?s <{EX}partner> ?b ; <{EX}code> ?code "
                                      "} GROUP BY ?b ?code", "text/csv"))
    (row,) = rows
    assert isinstance(row["b"], ox.BlankNode)
    assert row["code"] == ox.Literal("UA") and row.lang("code") == ""
    assert row["n"] == ox.Literal("1", datatype=ox.NamedNode(XSD + "integer")) and row.number("n") == 1


def test_select_is_held_to_the_row_cap(store: Store) -> None:
    rows = select(store, QueryRequest("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "text/csv", max_rows=2))
    assert len(rows) == 2


def test_select_of_an_ask_is_a_store_error(store: Store) -> None:
    with pytest.raises(StoreError, match="boolean"):
        select(store, QueryRequest("ASK {}", "text/csv"))
