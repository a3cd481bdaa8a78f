"""The pytest plugin of the tests (loaded by tests/conftest.py): fixtures shared by every module, and the
hook that turns a skipped test into a failed one.

Expensive session fixtures are made once for the whole run, also under pytest-xdist: the first worker makes
them in a folder all workers share, under a file lock, and the others reuse what it wrote."""

from __future__ import annotations

import dataclasses
import shutil
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from filelock import FileLock
from starlette.testclient import TestClient

from support import schedule
from support.browser import chromium
from support.builds import MINI, PROJECT_ROOT, dump_quads, settings_for
from support.inprocess import InProcessServer, mini_app_client, serve_app
from support.processes import Server, start_twinkg
from support.proxies import FaultProxy
from support.wikidata import CURATED, start_wikidata
from twinkg.build import Built, run
from twinkg.config import Settings
from twinkg.graphs import quads
from twinkg.server.app import create_app
from twinkg.server.config import ServerConfig
from twinkg.store.memory import MemoryStore
from twinkg.vocab import Iris


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """A skipped test is a failed test: a green run must have run everything (xfail is left alone)."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped tests are not allowed; install what is missing with `make test`: {reason}"


CURATED_FIXTURES = {"curated_dist", "built_store", "curated_client", "curated_server"}
CURATED_SERVER_GROUP = "curated_server"


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist's own reordering (by the number of tests in a unit) is off: the workers collect the tests
    longest unit first (support.schedule).

    SIGINT gets its default action back if the run was started ignoring it. A background job of a non-interactive
    shell (`make test &`, a CI runner's) starts with SIGINT ignored, and every process a test starts would inherit
    that: `oxigraph serve` then ignored `Server.stop`'s SIGINT and was killed only after 10 s, seven times a run
    (about 70 s of the workers' time). A Python handler is reset to the default action in a child at exec."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> Iterator[None]:
    """A test of the curated build is slow. Keep together, in one pytest-xdist worker, the tests that share a fixture
    made once per module or class (a server, say: started once, not once per worker), and the tests of
    `curated_server` (its start and the indexes it makes on first use, about 20 s of CPU, once per run rather than
    once per worker). In a pytest-xdist worker, the units go longest first (support.schedule), ordered after every
    other plugin has had the items (after `-m` and `-k` deselect some, so a unit's time is that of the tests run)."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        if CURATED_FIXTURES & set(info.names_closure):
            item.add_marker(pytest.mark.slow)  # the curated build: minutes, once per run
        if item.get_closest_marker("xdist_group"):
            continue
        if "curated_server" in info.names_closure:
            item.add_marker(pytest.mark.xdist_group(CURATED_SERVER_GROUP))
            continue
        if any(defs and defs[-1].scope in ("module", "class", "package")
                 for name, defs in info.name2fixturedefs.items() if name in info.names_closure):
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    yield
    if hasattr(config, "workerinput"):
        items[:] = schedule.longest_first(items, schedule.recorded())


LOCK_SECONDS = 1800.0
"""How long a worker waits for another to make what it needs (the curated build took 5 min at load 23)."""


def shared_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder every xdist worker of this run sees (the run's base temporary folder), for what is made once."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if base.name.startswith("popen-gw") else base
    return root / name


def once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """`make(folder)` once for the whole run (whichever worker comes first, the others wait on its lock);
    returns the folder. A failed `make` leaves no folder behind, so the next worker tries again."""
    folder = shared_dir(tmp_path_factory, name)
    done = folder.with_name(name + ".done")
    with FileLock(str(folder) + ".lock", timeout=LOCK_SECONDS):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def mini_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Built]:
    """The small fixture dataset of tests/fixtures/mini, built and written once."""
    settings = settings_for(MINI, tmp_path_factory.mktemp("mini") / "dist")
    return settings, run(settings)


@pytest.fixture(scope="session")
def curated_dist(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings of the real curated data's build, whose output folder (`out_dir`) is written once for the
    whole run (under xdist too); read it, never write into it (its graphs: `support.builds.graph_triples`)."""
    def build(folder: Path) -> None:
        run(settings_for(PROJECT_ROOT / "data", folder / "dist"))

    return settings_for(PROJECT_ROOT / "data", once(tmp_path_factory, "curated", build) / "dist")


@pytest.fixture(scope="session")
def curated_server(curated_dist: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`twinkg serve` over the real curated build (the world network), started once for the pages' browser
    tests and stopped at the end of the session."""
    server = start_twinkg(curated_dist.out_dir, PROJECT_ROOT / "data", tmp_path_factory.mktemp("curated-serve"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def built_store(curated_dist: Settings) -> ox.Store:
    """The real curated graph in an in-memory store (read from the build's dump); query with
    use_default_graph_as_union=True."""
    store = ox.Store()
    store.extend(dump_quads(curated_dist.out_dir))
    return store


@pytest.fixture(scope="session")
def curated_client(curated_dist: Settings, built_store: ox.Store) -> Iterator[TestClient]:
    """The app in process over the real curated build (the world network) in the in-memory store (a copy of
    `built_store`'s quads): one per worker, for every module that looks at its pages."""
    store = MemoryStore(built_store.quads_for_pattern(None, None, None))
    config = ServerConfig(store=store, settings=curated_dist, out_dir=curated_dist.out_dir)
    with TestClient(create_app(config), follow_redirects=False) as c:
        yield c


@pytest.fixture(scope="module")
def client(mini_build: tuple[Settings, Built]) -> Iterator[TestClient]:
    """The app in process (no socket, no worker process) over the mini build in the in-memory store."""
    settings, built = mini_build
    with mini_app_client(settings.out_dir, MemoryStore(quads(built.graphs, Iris(settings.base)))) as c:
        yield c


@pytest.fixture(scope="session")
def app_server(mini_build: tuple[Settings, Built]) -> Iterator[InProcessServer]:
    """`twinkg serve`'s app over the mini build in the test's own process (no socket), on one real embedded
    store shared by the session: one query worker, no fast lane (the pool is not under test here)."""
    settings, _ = mini_build
    with serve_app(dataclasses.replace(settings, workers=1, fast_workers=0)) as server:
        yield server


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A writable copy of the curated test data (tests/fixtures/wikidata/data); the cache goes to its wikidata/."""
    target = tmp_path / "data"
    shutil.copytree(CURATED, target)
    return target


@pytest.fixture(scope="session")
def wikidata_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `oxigraph serve` on loopback with the Wikidata-shaped fixture (one per test session)."""
    server = start_wikidata(tmp_path_factory.mktemp("wikidata-fixture"))
    yield server.query_url
    server.stop()


@pytest.fixture
def proxy(wikidata_endpoint: str) -> Iterator[FaultProxy]:
    fp = FaultProxy(wikidata_endpoint)
    yield fp
    fp.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, started once for a module's browser tests (a second or two of CPU a start).
    Module scope, not session: Playwright's sync API keeps its event loop running while it is open, so a later
    test's `asyncio.run` would fail; no browser module runs one."""
    with chromium() as b:
        yield b


def closed_after(open_one: Callable[..., Any]) -> Iterator[Callable[..., Any]]:
    """A fixture's body: yields `open_one`, and closes everything it opened once the test is over."""
    opened: list[Any] = []

    def make(**options: Any) -> Any:
        thing = open_one(**options)
        opened.append(thing)
        return thing

    yield make
    for thing in opened:
        thing.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """`browser.new_page(**options)` for one test: each page has a context of its own (cookies, storage, the
    JavaScript switch) as in a fresh browser, closed after the test."""
    yield from closed_after(browser.new_page)


@pytest.fixture
def new_context(browser: Any) -> Iterator[Callable[..., Any]]:
    """`browser.new_context(**options)` for one test, closed after it: for a test that opens many pages at once
    (`support.browser.at_rest`), which then share its cookies and storage."""
    yield from closed_after(browser.new_context)
