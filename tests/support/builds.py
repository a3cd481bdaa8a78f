"""The fixture datasets and what a test needs to build them: settings, a store of a build, `required`."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pyoxigraph as ox
import pytest

from twinkg.build import Built
from twinkg.config import Settings

TESTS = Path(__file__).resolve().parents[1]
PROJECT_ROOT = TESTS.parent
"""The checkout the tests run from (the package itself does not know where its sources are)."""
FIXTURES = TESTS / "fixtures"
MINI = FIXTURES / "mini"
BUILT_AT = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)


def required(path: Path, what: str) -> Path:
    """The path of something a test needs; a clear failure (never a skip) when it is missing.

    Data files are part of the repository; programs are installed by `make test`.
    """
    if not path.exists():
        where = "it is part of the repository (git checkout -- it)" if PROJECT_ROOT in path.parents \
            else "`make test` installs it"
        pytest.fail(f"{what} is missing at {path}: {where}", pytrace=False)
    return path


def settings_for(data: Path, out: Path, **extra: object) -> Settings:
    return Settings(data_dir=data, out_dir=out, built_at=BUILT_AT, **extra)  # type: ignore[arg-type]


def store_of(built: Built, settings: Settings) -> ox.Store:
    from twinkg.graphs import quads
    from twinkg.vocab import Iris

    store = ox.Store()
    store.extend(quads(built.graphs, Iris(settings.base)))
    return store


def solutions(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QuerySolutions:
    """A SELECT's result, as the type checker cannot know it is (an ASK or CONSTRUCT here is the test's mistake)."""
    assert isinstance(result, ox.QuerySolutions), result
    return result


def count(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> int:
    """The solutions or triples of a query's result, evaluating all of it (1 for a boolean)."""
    return 1 if isinstance(result, ox.QueryBoolean) else sum(1 for _ in result)


def dump_quads(out_dir: Path) -> list[ox.Quad]:
    """Every quad of a build, read back from its dump (twinkg.nq.gz)."""
    return list(ox.parse(gzip.decompress((out_dir / "twinkg.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS))


def graph_triples(store: ox.Store, base: str, *graphs: str, predicate: str | None = None) -> set[ox.Triple]:
    """The triples of a build's named graphs (`curated`, `wikidata`, ...: `{base}graph/{name}`) in its store (the
    session's `built_store`), of one predicate if given: a pattern, not a walk over every quad of the dump."""
    by = ox.NamedNode(predicate) if predicate else None
    return {q.triple for g in graphs for q in store.quads_for_pattern(None, by, None, ox.NamedNode(base + "graph/" + g))}
