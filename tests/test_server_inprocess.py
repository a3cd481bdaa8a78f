"""Route handlers in process (Starlette's TestClient) over the in-memory store and over a failing store.

No worker processes and no sockets: what only a real process shows (timeouts
that kill a worker, the access log, uvicorn) stays in the subprocess tests.
The `client` fixture (the app over the mini build) is in tests/support/fixtures.py."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient
from support.inprocess import ALPHA, Page, failing_client

from twinkg.errors import QueryTimeout, StoreBusy, StoreError, StoreUnavailable
from twinkg.output import FILES


def test_select_with_row_cap_headers(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?p WHERE { ?p a tw:Place }"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.headers["x-sparql-max-rows"] == "3" and r.headers["x-sparql-truncated"] == "true"
    assert len(r.json()["results"]["bindings"]) == 3


def test_syntax_error_is_400(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert r.status_code == 400 and "syntax" in r.text.lower()


def test_construct_as_a_results_format_is_406(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 406


def test_dereference_and_data_document(client: TestClient) -> None:
    r = client.get("/id/place/alpha-town", headers={"Accept": "text/turtle"})
    assert r.status_code == 303 and r.headers["location"] == "/data/id/place/alpha-town.ttl"
    r = client.get("/data/id/place/alpha-town.ttl")
    assert r.status_code == 200 and r.headers["link"].startswith(f'<{ALPHA}>; rel="describes", ')
    assert client.get("/id/place/atlantis", headers={"Accept": "text/turtle"}).status_code == 404


def test_resource_page_parses_and_links_its_partners(client: TestClient) -> None:
    r = client.get("/page/id/place/alpha-town")
    assert r.status_code == 200
    page = Page(r.text)
    assert not page.misnested and "Alpha" in page.title
    assert "/page/id/twinning/alpha-town--beta-city" in page.links
    assert "/data/id/place/alpha-town.ttl" in page.links


def test_query_page_shows_construct_results_as_a_table(client: TestClient) -> None:
    r = client.get("/query", params={"query": f"CONSTRUCT {{ <{ALPHA}> a ?t }} WHERE {{ <{ALPHA}> a ?t }}"})
    assert r.status_code == 200
    page = Page(r.text)
    assert {"subject", "predicate", "object"} <= set(page.text) and "tw:Place" in page.text


def test_query_page_shows_refusals_as_400(client: TestClient) -> None:
    r = client.get("/query", params={"query": "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }"})
    assert r.status_code == 400 and any("SERVICE is refused" in t for t in Page(r.text).text)


@pytest.mark.parametrize("error, status", [(QueryTimeout("too long"), 503), (StoreBusy("busy"), 503),
                                           (StoreUnavailable("gone"), 503), (StoreError("bug"), 500)])
def test_store_errors_map_to_statuses(error: StoreError, status: int) -> None:
    with failing_client(error) as c:
        r = c.get("/sparql", params={"query": "SELECT * { ?s ?p ?o }"})
        assert r.status_code == status and str(error) in r.text
        assert (r.headers.get("retry-after") == "1") == (status == 503)
        html = c.get("/", headers={"Accept": "text/html"})
        assert html.status_code == status and str(error) in Page(html.text).text
        health = c.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "failing"


@pytest.mark.parametrize("status, text, error", [(400, "Parse error", "QueryRefused"), (406, "no", "NotAcceptable"),
                                                 (503, "query timeout", "QueryTimeout"), (500, "boom", "StoreUnavailable")])
def test_the_remote_adapter_maps_refusals_to_typed_errors(status: int, text: str, error: str) -> None:
    import httpx

    from twinkg.store.remote import ADAPTERS

    found = ADAPTERS["sparql11"].error(httpx.Response(status, text=text))
    assert type(found).__name__ == error and text in str(found)


def test_an_unknown_remote_store_kind_is_refused() -> None:
    from typer.testing import CliRunner

    from twinkg.cli import app

    result = CliRunner().invoke(app, ["serve", "--sparql-endpoint", "http://127.0.0.1:9/sparql",
                                      "--sparql-endpoint-kind", "virtuoso7"])
    assert result.exit_code == 1 and "--sparql-endpoint-kind must be one of sparql11" in result.output


def test_health_ontology_dataset_and_void(client: TestClient) -> None:
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["store"] == "memory"
    ontology = Page(client.get("/ontology", headers={"Accept": "text/html"}).text)
    assert not ontology.misnested and "Event" in ontology.text
    dataset = client.get("/dataset", headers={"Accept": "text/html"})
    assert dataset.status_code == 200 and "/dumps/twinkg.ttl" in Page(dataset.text).links
    void = client.get("/void", headers={"Accept": "application/n-triples"})
    assert void.status_code == 200 and void.headers["content-type"].startswith("application/n-triples")


def test_dataset_page_says_what_each_file_is_and_its_size_in_human_units(client: TestClient) -> None:
    html = client.get("/dataset", headers={"Accept": "text/html"}).text
    rows = re.findall(r'<tr><td><a href="/dumps/([^"]+)">[^<]*</a></td><td>([^<]*)</td>\s*<td><code>([^<]+)</code>'
                      r'( \(gzip\))?</td>\s*<td class="num" title="([\d,]+) bytes">([^<]+)</td>', html)
    assert {name for name, *_ in rows} >= {"twinkg.ttl", "twinkg.nq.gz", "SHA256SUMS", "void.ttl", "twinnings.csv"}
    for name, description, media_type, gzip, size, shown in rows:
        assert description, f"{name} has no description"
        assert media_type == FILES[name].media_type and bool(gzip) == name.endswith(".gz")
        assert re.fullmatch(r"[\d.]+ (Bytes|kB|MB|GB)", shown), shown
        assert shown.endswith("Bytes") == (int(size.replace(",", "")) < 1000)


def test_not_found_is_an_html_page_for_browsers(client: TestClient) -> None:
    r = client.get("/page/id/place/atlantis", headers={"Accept": "text/html"})
    page = Page(r.text)
    assert r.status_code == 404 and any("is not part of this graph" in t for t in page.text)
