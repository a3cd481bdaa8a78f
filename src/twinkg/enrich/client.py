"""One small, polite SPARQL client: the only code in twinkg that opens a connection to Wikidata.

Rules (from DESIGN.md, "Wikidata"): a descriptive User-Agent with the project's
name, version and URL; one request at a time (the client is synchronous and
never shared between threads); a 60 s timeout; 429 and 503 answered by waiting
`Retry-After` (or backing off exponentially when it is absent), a bounded
number of times. A query that times out is *not* retried as it is: it raises
`QueryTimeout`, and the caller splits its VALUES batch (see `enrich.run`).
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pyoxigraph as ox

from twinkg import http_client
from twinkg.errors import RemoteError

WIKIDATA_ENDPOINT = "https://query.wikidata.org/sparql"
RESULTS_JSON = "application/sparql-results+json"

Row = dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]


class EndpointError(RemoteError):
    """The endpoint could not answer a query after the allowed retries; the message says why."""


class QueryTimeout(EndpointError):
    """The query ran out of time (client timeout or the server's own limit): split the batch."""


@dataclass
class RetryPolicy:
    """How many times and how long to wait. Tests shrink the delays; the defaults suit query.wikidata.org."""

    retries: int = 5
    """Further attempts after the first, for 429/503/5xx, dropped connections and unreadable answers."""
    backoff: float = 2.0
    """The first wait when the server gives no Retry-After; doubled on each further attempt."""
    max_wait: float = 300.0
    """A Retry-After longer than this is not waited out: the run stops and says so."""


@dataclass
class SparqlClient:
    endpoint: str = WIKIDATA_ENDPOINT
    timeout: float = 60.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    log: Callable[[str], None] = lambda _: None
    requests_sent: int = 0
    session: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.session = http_client.client(self.timeout, {"Accept": RESULTS_JSON})

    def close(self) -> None:
        """Close the connection pool: a client left to the garbage collector leaks its sockets."""
        self.session.close()

    def __enter__(self) -> SparqlClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def select(self, query: str) -> list[Row]:
        """Run a SELECT query and return its rows as pyoxigraph terms, retrying what may be retried."""
        attempt = 0
        while True:
            try:
                return self._once(query)
            except _Retryable as exc:
                if attempt >= self.policy.retries:
                    raise EndpointError(f"{self.endpoint}: {exc} (gave up after {attempt + 1} attempts)") from None
                wait = exc.retry_after if exc.retry_after is not None else self.policy.backoff * 2 ** attempt
                if wait > self.policy.max_wait:
                    raise EndpointError(
                        f"{self.endpoint}: {exc}; the server asks to wait {wait:.0f} s, more than the "
                        f"{self.policy.max_wait:.0f} s allowed; try again later") from None
                attempt += 1
                self.log(f"{exc}; retry {attempt}/{self.policy.retries} in {wait:g} s")
                self.sleep(wait)

    def _once(self, query: str) -> list[Row]:
        self.requests_sent += 1
        try:
            response = self.session.post(self.endpoint, data={"query": query})
        except httpx.TimeoutException:
            raise QueryTimeout(f"{self.endpoint}: no answer within {self.timeout:g} s") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:  # an unusable URL: no retry helps
            raise EndpointError(f"{self.endpoint}: {_short(exc)}") from None
        except httpx.TransportError as exc:
            raise _Retryable(f"connection failed ({_short(exc)})") from None
        except httpx.HTTPError as exc:
            raise EndpointError(f"{self.endpoint}: {_short(exc)}") from None
        status = response.status_code
        if status == 200:
            try:
                return parse_results(response.json())
            except (ValueError, KeyError, TypeError) as exc:
                raise _Retryable(f"unreadable SPARQL JSON results ({_short(exc)})") from None
        body = response.text[:300]
        if _is_timeout(status, body):
            raise QueryTimeout(f"{self.endpoint}: the server stopped the query (HTTP {status}, timeout)")
        if status in (429, 503):
            raise _Retryable(f"HTTP {status}", _retry_after(response.headers.get("Retry-After")))
        if status >= 500:
            raise _Retryable(f"HTTP {status}: {body.strip()[:120]}")
        raise EndpointError(f"{self.endpoint}: HTTP {status}: {body.strip()}")


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def _short(exc: Exception) -> str:
    return str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__


def _is_timeout(status: int, body: str) -> bool:
    """Blazegraph (Wikidata) reports its 60 s limit as HTTP 500 with a TimeoutException; gateways say 504."""
    return status == 504 or (status >= 500 and "timeout" in body.lower())


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either an integer or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def parse_results(document: Any) -> list[Row]:
    """SPARQL 1.1 Query Results JSON → rows of pyoxigraph terms (raises on anything malformed)."""
    if isinstance(document, (bytes, str)):
        document = json.loads(document)
    rows: list[Row] = []
    for binding in document["results"]["bindings"]:
        rows.append({name: _term(value) for name, value in binding.items()})
    return rows


def _term(value: dict[str, str]) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    kind = value["type"]
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in value:
            return ox.Literal(value["value"], language=value["xml:lang"])
        if "datatype" in value:
            return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
        return ox.Literal(value["value"])
    if kind == "bnode":
        return ox.BlankNode(value["value"])
    raise ValueError(f"unknown term type {kind!r}")
