"""`twinkg enrich --world` against a real `oxigraph serve` with a Wikidata-shaped fixture, and what the next build serves.

The fixture network is the part of the 2016 crawl around the curated test
places (their items and their P190 partners, tests/support/wikidata.py) with
made-up FIXTURE VALUES: qualifiers with and without time precision, a pair
deprecated in both directions (Dresden–Q384), one-directional statements, and a
start time that contradicts the curated data (Vladimir–Canterbury 1995, curated
1997). A fault-injecting proxy sits in front.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.processes import RemoteStoreServer
from support.proxies import FaultProxy
from support.wikidata import CRAWL, start_wikidata
from typer.testing import CliRunner

from twinkg.build import run
from twinkg.cli import app
from twinkg.config import Settings
from twinkg.enrich.cache import Cache
from twinkg.enrich.world import WORLD_ITEMS
from twinkg.vocab import DCT, TW, Iris

runner = CliRunner()
BASE = "https://w3id.org/twinkg/"
IRIS = Iris(BASE)
CURATED_QIDS = {"Q6225", "Q914", "Q1707", "Q1731", "Q36647", "Q3711", "Q2684", "Q29303", "Q2423"}


def network() -> set[str]:
    """The curated items and their P190 partners in the crawl."""
    near = set(CURATED_QIDS)
    for line in (CRAWL / "relations.tsv").read_text(encoding="utf-8").splitlines():
        a, b = line.split("\t")
        if a in CURATED_QIDS or b in CURATED_QIDS:
            near |= {a, b}
    return near


@pytest.fixture(scope="module")
def world_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RemoteStoreServer]:
    server = start_wikidata(tmp_path_factory.mktemp("world-fixture"), only=network(), world=True)
    yield server
    server.stop()


@pytest.fixture
def world_proxy(world_server: RemoteStoreServer) -> Iterator[FaultProxy]:
    proxy = FaultProxy(world_server.query_url)
    yield proxy
    proxy.close()


def world_run(data: Path, proxy: FaultProxy, *extra: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["enrich", "--world", "--data", str(data), "--endpoint", proxy.endpoint,
                               "--backoff", "0.01", "--timeout", "1", *extra])


def test_world_run_fills_the_cache_and_a_warm_run_sends_nothing(data_dir: Path, world_proxy: FaultProxy) -> None:
    result = world_run(data_dir, world_proxy, "--page-size", "100")
    assert result.exit_code == 0, result.output
    listed = json.loads((data_dir / "wikidata" / WORLD_ITEMS).read_text())["items"]
    assert set(listed) == network()  # every item with a statement or named by one, over several pages
    assert Cache(data_dir / "wikidata", BASE).fetched() >= set(listed)
    assert all(ua.startswith("twinkg/") for ua in world_proxy.user_agents)
    sent = world_proxy.requests
    again = world_run(data_dir, world_proxy)
    assert again.exit_code == 0, again.output
    assert world_proxy.requests == sent  # warm: no discovery, no item


def test_discovery_page_that_times_out_is_halved(data_dir: Path, world_proxy: FaultProxy) -> None:
    world_proxy.faults = ["timeout"]
    world_proxy.delay = 1.5
    result = world_run(data_dir, world_proxy, "--page-size", "1000")
    assert result.exit_code == 0, result.output
    assert world_proxy.seen[0] == "timeout"
    assert set(json.loads((data_dir / "wikidata" / WORLD_ITEMS).read_text())["items"]) == network()


def test_interrupted_world_run_resumes(data_dir: Path, world_proxy: FaultProxy) -> None:
    world_proxy.fail_from = 4  # discovery and two batches, then every connection drops
    first = world_run(data_dir, world_proxy, "--batch-size", "20", "--retries", "1")
    assert first.exit_code == 1
    assert "run again to resume" in " ".join(first.output.split())
    kept = Cache(data_dir / "wikidata", BASE).fetched()
    assert 0 < len(kept) < len(network())
    world_proxy.fail_from = None
    before = world_proxy.requests
    second = world_run(data_dir, world_proxy, "--batch-size", "20")
    assert second.exit_code == 0, second.output
    assert Cache(data_dir / "wikidata", BASE).fetched() >= network()
    assert world_proxy.requests - before == -(-(len(network() - kept)) // 20)  # only what was missing


@pytest.fixture
def merged(data_dir: Path, world_proxy: FaultProxy, tmp_path: Path) -> tuple[set[ox.Triple], list[str]]:
    assert world_run(data_dir, world_proxy).exit_code == 0
    settings = Settings(data_dir=data_dir, out_dir=tmp_path / "dist", built_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    built = run(settings, write=False)
    assert built.report.conforms, built.report.summary()
    assert built.findings is not None
    return built.graphs["wikidata"], [f"{a}-{b}" for a, b in built.findings.deprecated] + built.findings.contradictions


def partners(triples: set[ox.Triple]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for t in triples:
        if t.predicate.value == TW + "partner":
            out.setdefault(t.subject.value, set()).add(t.object.value)
    return out


def test_next_build_serves_the_merged_network(merged: tuple[set[ox.Triple], list[str]]) -> None:
    triples, findings = merged
    links = partners(triples)
    assert len(links) > 100  # the whole fixture network, not only the curated pairs
    assert {IRIS.place("dresden"), IRIS.place("q384")} not in links.values()  # deprecated both ways: no twinning
    assert "Q384-Q1731" in findings
    # one-directional in Wikidata (Vladimir → Canterbury) and curated: the curated twinning, with a conflicting start
    t = ox.NamedNode(IRIS.twinning("canterbury--vladimir"))
    started = ox.NamedNode(IRIS.event("wikidata-q2684-q29303-established"))
    assert ox.Triple(t, ox.NamedNode(TW + "event"), started) in triples
    assert {x.object.value for x in triples if x.subject == started and x.predicate.value == TW + "date"} == {"1995"}
    assert ox.Triple(started, ox.NamedNode(TW + "conflictsWith"), ox.NamedNode(IRIS.event("vla-can-est"))) in triples
    assert any("canterbury--vladimir" in f and "1995" in f for f in findings)
    # P582 2020-01-01 at day precision agrees with the curated termination: one more source of it, no new event
    ended = ox.NamedNode(IRIS.event("cov-kiel-end"))
    assert any(x.subject == ended and x.predicate.value == DCT + "source" and "/statement/Q6225-" in x.object.value
               for x in triples)
    assert not any(x.subject.value == IRIS.event("wikidata-q1707-q6225-ended") for x in triples)


def test_diff_reports_pairs_removed_since_the_snapshot(data_dir: Path, world_proxy: FaultProxy) -> None:
    assert world_run(data_dir, world_proxy).exit_code == 0
    snapshot = data_dir / "snapshots" / "wikidata-p190-2016"
    snapshot.mkdir(parents=True)
    (snapshot / "names.tsv").write_text("Q6225\tCoventry\nQ914\tWolgograd\nQ201391\tKohtla-Järve\n", encoding="utf-8")
    (snapshot / "relations.tsv").write_text("Q6225\tQ914\nQ6225\tQ201391\n", encoding="utf-8")
    out = data_dir.parent / "diff"
    result = runner.invoke(app, ["diff-wikidata", "--data", str(data_dir), "--out", str(out), "--as-of", "2026-11-01"])
    assert result.exit_code == 0, result.output
    rows = [line.split(",") for line in (out / "wikidata-diff.csv").read_text(encoding="utf-8").splitlines()]
    removed = [(r[2], r[4]) for r in rows if r[0] == "removed-since-snapshot"]
    assert removed == [("Q6225", "Q201391")]  # Coventry–Volgograd is still stated: not removed
    assert "removed from Wikidata since the snapshot, not ended" in (out / "wikidata-diff.md").read_text(encoding="utf-8")
