"""The SPARQL client under faults, through a fault-injecting proxy in front of the real fixture server."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.proxies import FaultProxy
from support.wikidata import REPO

from twinkg.build import load_data
from twinkg.config import Settings
from twinkg.enrich.cache import Cache
from twinkg.enrich.client import EndpointError, QueryTimeout, RetryPolicy, SparqlClient, _retry_after, parse_results
from twinkg.enrich.fetch import enrich
from twinkg.enrich.queries import items_query

QUERY = items_query(["Q6225"])


Make = Callable[..., tuple[SparqlClient, list[float]]]


# Long enough that a passing request through the proxy to oxigraph is never cut on a loaded machine (0.5 s once
# cut one at load 12); the proxy holds a "timeout" fault past it.
CLIENT_TIMEOUT = 2.0
TOO_LATE = CLIENT_TIMEOUT + 0.5


@pytest.fixture
def client_for(proxy: FaultProxy) -> Iterator[Make]:
    """Clients through the proxy with short retry delays, closed after the test, and the waits each one asked for:
    recorded, not slept (the client waits only through its `sleep`; nothing here reads the clock)."""
    made: list[SparqlClient] = []

    def make(**policy: float) -> tuple[SparqlClient, list[float]]:
        waits: list[float] = []
        settings = {"retries": 3, "backoff": 0.05, "max_wait": 5.0} | policy
        made.append(SparqlClient(proxy.endpoint, timeout=CLIENT_TIMEOUT, policy=RetryPolicy(**settings),  # type: ignore[arg-type]
                                 sleep=waits.append))
        return made[-1], waits

    yield make
    for client in made:
        client.close()


def test_429_waits_retry_after(proxy: FaultProxy, client_for: Make) -> None:
    proxy.faults = ["429", "429"]
    client, waits = client_for()
    rows = client.select(QUERY)
    assert rows and waits == [1.0, 1.0] and proxy.requests == 3


def test_503_without_retry_after_backs_off_exponentially(proxy: FaultProxy, client_for: Make) -> None:
    proxy.faults = ["503", "503", "503"]
    client, waits = client_for()
    assert client.select(QUERY)
    assert waits == [0.05, 0.1, 0.2]


def test_retries_are_bounded(proxy: FaultProxy, client_for: Make) -> None:
    proxy.faults = ["503"] * 10
    client, _ = client_for(retries=2)
    with pytest.raises(EndpointError, match=r"HTTP 503 \(gave up after 3 attempts\)"):
        client.select(QUERY)
    assert proxy.requests == 3


def test_a_retry_after_beyond_the_limit_stops_at_once(proxy: FaultProxy, client_for: Make) -> None:
    proxy.faults, proxy.retry_after = ["429"], "3600"
    client, waits = client_for()
    with pytest.raises(EndpointError, match="asks to wait 3600 s"):
        client.select(QUERY)
    assert waits == [] and proxy.requests == 1


@pytest.mark.parametrize("fault", ["reset", "malformed"])
def test_dropped_connections_and_broken_json_are_retried(proxy: FaultProxy, client_for: Make, fault: str) -> None:
    proxy.faults = [fault]
    client, waits = client_for()
    assert client.select(QUERY)
    assert proxy.seen == [fault, "pass"] and waits == [0.05]


@pytest.mark.parametrize("fault", ["timeout", "500-timeout"])
def test_timeouts_are_not_retried_but_reported(proxy: FaultProxy, client_for: Make, fault: str) -> None:
    proxy.faults, proxy.delay = [fault], TOO_LATE
    client, _ = client_for()
    with pytest.raises(QueryTimeout):
        client.select(QUERY)
    assert proxy.requests == 1


def test_a_bad_query_fails_at_once_with_the_servers_message(proxy: FaultProxy, client_for: Make) -> None:
    proxy.faults = ["400"]
    client, _ = client_for()
    with pytest.raises(EndpointError, match="HTTP 400: Parse error: bad query"):
        client.select(QUERY)
    assert proxy.requests == 1


def test_a_batch_that_times_out_is_split(proxy: FaultProxy, client_for: Make, tmp_path: Path) -> None:
    proxy.faults, proxy.delay = ["timeout", "pass", "500-timeout"], TOO_LATE
    data = load_data(Settings(data_dir=REPO / "tests" / "fixtures" / "wikidata" / "data"))
    client, _ = client_for()
    outcome = enrich(data, Cache(tmp_path, "https://w3id.org/twinkg/"), client, batch_size=9)
    # 9 → timeout; 4 ok; 5 → timeout; 2 ok; 3 ok
    assert outcome.ok and len(outcome.fetched) == 9 and proxy.requests == 5


def test_a_single_id_that_times_out_is_reported_and_the_rest_go_on(proxy: FaultProxy, client_for: Make, tmp_path: Path) -> None:
    proxy.faults, proxy.delay = ["timeout"], TOO_LATE
    data = load_data(Settings(data_dir=REPO / "tests" / "fixtures" / "wikidata" / "data"))
    client, _ = client_for()
    outcome = enrich(data, Cache(tmp_path, "https://w3id.org/twinkg/"), client, batch_size=1)
    assert list(outcome.failed) == ["Q914"] and len(outcome.fetched) == 8


def test_retry_after_as_an_http_date() -> None:
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (_retry_after(later) or 0) <= 31
    assert _retry_after("7") == 7.0 and _retry_after(None) is None and _retry_after("soon") is None


def test_results_keep_language_and_datatype() -> None:
    rows = parse_results({"head": {"vars": ["x"]}, "results": {"bindings": [
        {"x": {"type": "literal", "value": "Wolgograd", "xml:lang": "de"}},
        {"x": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#decimal"}},
        {"x": {"type": "uri", "value": "http://www.wikidata.org/entity/Q914"}}]}})
    assert [r["x"].language if hasattr(r["x"], "language") else None for r in rows][0] == "de"
    assert isinstance(rows[1]["x"], ox.Literal) and rows[1]["x"].datatype.value.endswith("#decimal")
    with pytest.raises(KeyError):
        parse_results({"head": {}})
