"""Small defects of the serving half (issue 10): CSP on pages, odd paths, the store down, HEAD and OPTIONS,
an unreadable format=, a client that goes away mid-body; the access log of a real `twinkg serve`."""

from __future__ import annotations

import json
import socket
import time

import pytest
from starlette.testclient import TestClient
from support.inprocess import failing_client
from support.processes import Server, mini_server

from twinkg.errors import StoreUnavailable

server = mini_server("small-defects")


@pytest.mark.parametrize("path", ["/", "/page/id/place/alpha-town", "/query", "/ontology", "/dataset",
                                  "/page/id/place/atlantis"])
def test_pages_send_a_strict_csp(client: TestClient, path: str) -> None:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("text/html")
    csp = dict(d.strip().split(" ", 1) for d in r.headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'" and csp["default-src"] == "'none'"
    assert "unsafe-eval" not in r.headers["content-security-policy"]


def test_data_answers_carry_no_csp(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 200 and "content-security-policy" not in r.headers


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/page/id/place/a%00b", "/page/id/place/a%01b", "/page/id/place/a%7Fb",
                                  "/page/id/place/a%C2%85b", "/page/id/place/a%EF%BF%BDb", "/page/id/place/a%FFb",
                                  "/data/id/place/a%00b.ttl", "/id/place/a%00b"])
def test_control_characters_in_paths_are_4xx(server: Server, path: str) -> None:
    r = server.get(path)
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text)
    assert "Traceback" not in server.log()


@pytest.mark.parametrize("path, accept", [("/page/id/place/alpha-town", "text/html"), ("/page/id/place/alpha-town", ""),
                                          ("/ontology", "text/html"), ("/ontology", "text/turtle"),
                                          ("/dataset", "text/html"), ("/", "text/html"),
                                          ("/id/place/alpha-town", "text/turtle"), ("/id/place/alpha-town", "text/html"),
                                          ("/data/id/place/alpha-town.ttl", "")])
def test_store_down_is_503_not_404(path: str, accept: str) -> None:
    with failing_client(StoreUnavailable("the query worker failed")) as c:
        r = c.get(path, headers={"Accept": accept} if accept else {})
        assert r.status_code == 503 and r.headers["retry-after"] == "1", (path, r.status_code, r.text[:200])


def test_head_sparql_is_answered(client: TestClient) -> None:
    r = client.head("/sparql", params={"query": "ASK {}"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/sparql-results+json")
    assert client.head("/sparql").status_code == 200  # the service description


@pytest.mark.parametrize("path, allow", [("/sparql", "GET, HEAD, POST, OPTIONS"), ("/", "GET, HEAD, OPTIONS"),
                                         ("/page/id/place/alpha-town", "GET, HEAD, OPTIONS")])
def test_plain_options_says_what_is_allowed(client: TestClient, path: str, allow: str) -> None:
    r = client.options(path)
    assert r.status_code == 204 and r.headers["allow"] == allow


def test_cors_preflight_still_answered(client: TestClient) -> None:
    r = client.options("/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("fmt", ["a/b/c", "text/", "/", ";;"])
def test_unreadable_format_is_406(client: TestClient, fmt: str) -> None:
    r = client.get("/sparql", params={"query": "ASK {}", "format": fmt})
    assert r.status_code == 406, (fmt, r.status_code)


@pytest.mark.slow
def test_client_gone_mid_body_logs_no_traceback(server: Server) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    for _ in range(3):
        with socket.create_connection((host, int(port))) as s:
            s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                      b"Content-Length: 1000\r\n\r\nSELECT * WHERE")
            time.sleep(0.2)
    assert server.get("/healthz").status_code == 200
    time.sleep(0.3)
    assert "Traceback" not in server.log() and "ClientDisconnect" not in server.log()


@pytest.mark.slow
def test_access_log_has_one_json_line_per_request(server: Server) -> None:
    """On the server's stderr (what `twinkg serve` configures); tests/test_server_linked_data.py checks the
    entries themselves on every store, in process."""
    with server.client() as c:
        c.get("/healthz?marker=1")
        c.get("/nowhere-at-all")
    time.sleep(0.2)
    lines = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    entry = next(e for e in lines if e["path"] == "/nowhere-at-all")
    assert entry["status"] == 404 and entry["method"] == "GET" and isinstance(entry["ms"], float)
    assert any(e["path"] == "/healthz" and e["status"] == 200 for e in lines)
