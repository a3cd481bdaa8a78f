"""Shared fixtures: built graphs of the real curated data and of a small fixture dataset."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox
import pytest

from twinkg.build import Built, run
from twinkg.config import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
"""The checkout the tests run from (the package itself does not know where its sources are)."""
FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"
BUILT_AT = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone.utc)


def required(path: Path, what: str) -> Path:
    """The path of something a test needs; a clear failure (never a skip) when it is missing.

    Data files are part of the repository; programs are installed by `make test`.
    """
    if not path.exists():
        where = "it is part of the repository (git checkout -- it)" if PROJECT_ROOT in path.parents \
            else "`make test` installs it"
        pytest.fail(f"{what} is missing at {path}: {where}", pytrace=False)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """A skipped test is a failed test: a green run must have run everything (xfail is left alone)."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped tests are not allowed; install what is missing with `make test`: {reason}"


def settings_for(data: Path, out: Path, **extra: object) -> Settings:
    return Settings(data_dir=data, out_dir=out, built_at=BUILT_AT, **extra)  # type: ignore[arg-type]


def store_of(built: Built, settings: Settings) -> ox.Store:
    from twinkg.graphs import quads
    from twinkg.vocab import Iris

    store = ox.Store()
    store.extend(quads(built.graphs, Iris(settings.base)))
    return store


@pytest.fixture(scope="session")
def mini_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Built]:
    """The small fixture dataset of tests/fixtures/mini, built and written once."""
    settings = settings_for(MINI, tmp_path_factory.mktemp("mini") / "dist")
    return settings, run(settings)


@pytest.fixture(scope="session")
def curated_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Built]:
    """The real curated data of data/, built and written once."""
    settings = settings_for(PROJECT_ROOT / "data", tmp_path_factory.mktemp("curated") / "dist")
    return settings, run(settings)


@pytest.fixture(scope="session")
def built_store(curated_build: tuple[Settings, Built]) -> ox.Store:
    """The real curated graph in an in-memory store; query with use_default_graph_as_union=True."""
    settings, built = curated_build
    return store_of(built, settings)


@pytest.fixture(scope="session")
def curated_server(curated_build: tuple[Settings, Built], tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """`twinkg serve` over the real curated build (the world network), started once for the pages' browser
    tests and stopped at the end of the session."""
    from conftest_server import start_twinkg

    settings, _ = curated_build
    server = start_twinkg(settings.out_dir, PROJECT_ROOT / "data", tmp_path_factory.mktemp("curated-serve"))
    yield server
    server.stop()
