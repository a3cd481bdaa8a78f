"""The embedded store's pool: its start-up work has its own allowance, not the public query timeout."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pyoxigraph as ox
import pytest

from twinkg.config import Settings
from twinkg.errors import QueryTimeout
from twinkg.store import QueryRequest
from twinkg.store.pool import EmbeddedStore

GRAPHS = 20_000


@pytest.fixture(scope="module")
def many_graphs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An on-disk store of many named graphs: listing them takes far longer than a millisecond."""
    location = tmp_path_factory.mktemp("many-graphs") / "store"
    store = ox.Store(str(location))
    store.extend(ox.Quad(ox.NamedNode(f"https://example.org/s{i}"), ox.NamedNode("https://example.org/p"),
                         ox.Literal(str(i)), ox.NamedNode(f"https://example.org/g{i}")) for i in range(GRAPHS))
    store.flush()
    del store
    return location


def test_start_up_is_not_held_to_the_query_timeout(many_graphs: Path) -> None:
    """A slow machine (or a short --timeout) must not stop the server from starting: the graph listing
    runs under the start-up allowance, while a public query is still held to the query timeout."""

    async def scenario() -> tuple[int, Exception | None]:
        pool = EmbeddedStore(many_graphs, workers=1, fast_workers=0, timeout=0.001,
                             startup_timeout=Settings.startup_timeout)
        try:
            await pool.start()
            graphs = len(await pool.graph_names())
            try:
                await pool.run(QueryRequest("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", "text/tab-separated-values",
                                            union_default=False, max_rows=1_000_000))
            except QueryTimeout as exc:
                return graphs, exc
            return graphs, None
        finally:
            await pool.close()

    graphs, stopped = asyncio.run(scenario())
    assert graphs == GRAPHS
    assert isinstance(stopped, QueryTimeout) and "0.001 s limit" in str(stopped)
