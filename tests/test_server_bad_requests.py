"""Odd requests get the right 4xx with a message, never a 500 or a silent default."""

from __future__ import annotations

import pytest
from support.inprocess import InProcessServer


@pytest.mark.parametrize("path, params", [
    ("/sparql", {"query": "ASK {}", "format": "xyz"}),
    ("/void", {"format": "xyz"}),
])
def test_unknown_format_name_is_406(app_server: InProcessServer, path: str, params: dict[str, str]) -> None:
    response = app_server.get(path, params=params)
    assert response.status_code == 406, response.text


def test_relative_graph_iri_is_400(app_server: InProcessServer) -> None:
    response = app_server.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                                                          "default-graph-uri": "x"})
    assert response.status_code == 400 and "absolute IRIs" in response.text


def test_absurd_limit_is_not_a_server_error(app_server: InProcessServer) -> None:
    response = app_server.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1e999"})
    assert response.status_code == 400, response.text


def test_if_modified_since_in_the_future_is_ignored(app_server: InProcessServer) -> None:
    response = app_server.get("/dumps/twinkg.ttl", headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert response.status_code == 200
    last = response.headers["Last-Modified"]
    assert app_server.get("/dumps/twinkg.ttl", headers={"If-Modified-Since": last}).status_code == 304
