"""The W3C SPARQL 1.1 Protocol tests, run against `twinkg serve`'s app (in process) over each store, and content
negotiation.

The runner reads tests/conformance/sparql11-protocol/manifest.ttl (W3C test suite licence). The test
instance holds data1.nt, data2.nt and data3.nt as named graphs named by their
manifest labels. Tests that perform a SPARQL Update do not apply to a
read-only endpoint: for them the runner checks the opposite, that the update
is refused with a 4xx.
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from support.builds import required, settings_for
from support.inprocess import InProcessServer, serve_app
from support.processes import CONFORMANCE, STORE_SECONDS, STORES, start_remote_store, store_param, write_dump

pytestmark = pytest.mark.slow

MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
UT = rdflib.Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]
    boolean: bool | None
    fmt: str | None


@dataclass
class ProtocolTest:
    id: str
    name: str
    requests: list[HttpRequest] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return any(r.headers.get("content-type", "").startswith("application/sparql-update")
                   or (r.body or b"").startswith(b"update=") for r in self.requests)

    @property
    def expects_success(self) -> bool:
        return "2xx" in self.requests[0].statuses


def load_manifest() -> tuple[list[ProtocolTest], dict[str, str]]:
    g = rdflib.Graph().parse(required(CONFORMANCE / "manifest.ttl", "the W3C SPARQL 1.1 Protocol manifest"), format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    tests, graphs = [], {}
    entries = g.value(manifest, MF.entries)
    assert entries is not None
    for entry in Collection(g, entries):
        test = ProtocolTest(str(entry).rsplit("#", 1)[-1], str(g.value(entry, MF.name)))
        for data in g.objects(entry, UT.graphData):
            graphs[str(g.value(data, RDFS.label))] = str(g.value(data, UT.graph)).rsplit("/", 1)[-1]
        action = g.value(entry, MF.action)
        requests = g.value(action, HT.requests)
        assert requests is not None
        for req in Collection(g, requests):
            headers = {}
            hlist = g.value(req, HT.headers)
            if hlist is not None:
                for h in Collection(g, hlist):
                    headers[str(g.value(h, HT.fieldName)).lower()] = str(g.value(h, HT.fieldValue))
            body_node = g.value(req, HT.body)
            body = None
            if body_node is not None:
                encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(body_node, CNT.chars)).encode(encoding.lower().replace("utf-16", "utf-16-le")
                                                                if False else encoding)
            resp = g.value(req, HT.resp)
            statuses = {str(s).replace(HTS, "") for s in g.objects(resp, MF.expectedStatus)}
            boolean = g.value(resp, MF.expectedBoolean)
            fmt = g.value(resp, MF.expectedFormat)
            test.requests.append(HttpRequest(str(g.value(req, HT.methodName)), str(g.value(req, HT.absolutePath)),
                                             headers, body, statuses, None if boolean is None else str(boolean) == "true",
                                             None if fmt is None else str(fmt)))
        tests.append(test)
    return tests, graphs


TESTS, GRAPHS = load_manifest()


@pytest.fixture(scope="module", params=[store_param(kind) for kind in STORES])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """`twinkg serve`'s app in process (the protocol is the handlers' job) over the embedded store and over each
    real remote store, holding the manifest's graphs. Sockets and HTTP limits: tests/test_server_http_limits.py."""
    root = tmp_path_factory.mktemp("protocol")
    write_dump(root / "dist", {name: (CONFORMANCE / file).read_text() for name, file in GRAPHS.items()})
    (root / "data").mkdir()
    settings = settings_for(root / "data", root / "dist", timeout=10.0, workers=1, fast_workers=0)
    store = None
    try:
        if request.param != "embedded":
            store = start_remote_store(request.param, root / f"{request.param}-db", root, query_seconds=STORE_SECONDS)
            published = store.publish(root / "dist")
            assert published.returncode == 0, published.stderr
            settings = dataclasses.replace(settings, sparql_endpoint=store.query_url, sparql_endpoint_kind=store.kind)
        with serve_app(settings) as app:
            yield app
    finally:
        if store is not None:
            store.stop()


def check_response(req: HttpRequest, response) -> None:  # type: ignore[no-untyped-def]
    status_class = f"{response.status_code // 100}xx"
    assert status_class in req.statuses, f"{req.method} {req.path}: {response.status_code} {response.text[:300]}"
    if status_class != "2xx":
        return
    ctype = response.headers.get("content-type", "").split(";")[0].strip()
    if req.fmt == "boolean" or req.boolean is not None:
        assert ctype in ("application/sparql-results+json", "application/sparql-results+xml"), ctype
    if req.fmt == "tabular":
        assert ctype in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                         "text/tab-separated-values"), ctype
    if req.fmt == "RDF":
        assert ctype in ("application/rdf+xml", "text/turtle", "application/n-triples"), ctype
    if req.boolean is not None:
        if ctype.endswith("json"):
            value = json.loads(response.content)["boolean"]
        else:
            node = ET.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}boolean")
            value = node is not None and node.text == "true"
        assert value is req.boolean


def test_manifest_was_read() -> None:
    assert len(TESTS) >= 30
    assert set(GRAPHS) == {f"http://kasei.us/2009/09/sparql/data/data{i}.rdf" for i in (1, 2, 3)}


@pytest.mark.parametrize("test", [t for t in TESTS if not (t.is_update and t.expects_success)], ids=lambda t: t.id)
def test_w3c_protocol(server: InProcessServer, test: ProtocolTest) -> None:
    with server.client() as client:
        for req in test.requests:
            response = client.request(req.method, req.path, headers=req.headers, content=req.body)
            check_response(req, response)


@pytest.mark.parametrize("test", [t for t in TESTS if t.is_update and t.expects_success], ids=lambda t: t.id)
def test_w3c_update_tests_are_refused_by_a_read_only_endpoint(server: InProcessServer, test: ProtocolTest) -> None:
    with server.client() as client:
        first = test.requests[0]
        response = client.request(first.method, first.path, headers=first.headers, content=first.body)
        assert response.status_code == 403, response.text
        assert "read-only" in response.text
        # The data is still there.
        ask = client.get("/sparql", params={"query": "ASK { GRAPH ?g { <http://kasei.us/2009/09/sparql/data/data1.rdf> ?p ?o } }"})
        assert ask.json()["boolean"] is True


SELECT_1 = "SELECT (1 AS ?value) {}"


@pytest.mark.parametrize("accept,expected", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    ("application/xml;q=0.9, application/sparql-results+json;q=0.1", "application/sparql-results+xml"),
    ("application/json", "application/sparql-results+json"),
    ("text/*;q=0.3, application/sparql-results+json;charset=utf-8;q=0.2", "text/csv"),
])
def test_select_negotiation(server: InProcessServer, accept: str | None, expected: str) -> None:
    headers = {"Accept": accept} if accept else {}
    r = httpx_get(server, {"query": SELECT_1}, headers)
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == expected
    assert "Accept" in r.headers["vary"]


def httpx_get(server: InProcessServer, params: dict[str, str], headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    with server.client() as client:
        return client.get("/sparql", params=params, headers=headers or {})


@pytest.mark.parametrize("accept,expected", [
    (None, "text/turtle"), ("application/n-triples", "application/n-triples"), ("application/ld+json", "application/ld+json"),
    ("application/rdf+xml", "application/rdf+xml"), ("text/turtle;q=0.1, application/n-triples;q=0.2", "application/n-triples"),
])
def test_construct_negotiation(server: InProcessServer, accept: str | None, expected: str) -> None:
    r = httpx_get(server, {"query": "CONSTRUCT { <http://e/s> <http://e/p> 1 } WHERE {}"}, {"Accept": accept} if accept else {})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == expected
    assert b"http://e/s" in r.content


def test_format_parameter_overrides_accept(server: InProcessServer) -> None:
    r = httpx_get(server, {"query": SELECT_1, "format": "csv"}, {"Accept": "application/sparql-results+xml"})
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines() == ["value", "1"]


def test_unservable_accept_is_406(server: InProcessServer) -> None:
    assert httpx_get(server, {"query": SELECT_1}, {"Accept": "text/turtle"}).status_code == 406
    assert httpx_get(server, {"query": "CONSTRUCT WHERE {}"}, {"Accept": "text/csv"}).status_code == 406


def test_service_description_on_bare_get(server: InProcessServer) -> None:
    r = httpx_get(server, {}, {"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    import pyoxigraph as ox
    triples = list(ox.parse(r.content, format=ox.RdfFormat.TURTLE))
    preds = {t.predicate.value for t in triples}
    assert "http://www.w3.org/ns/sparql-service-description#endpoint" in preds
    names = {t.object.value for t in triples if t.predicate.value.endswith("#name")}
    assert names == set(GRAPHS)
    html = httpx_get(server, {}, {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert html.headers["content-type"].startswith("text/html") and "<textarea" in html.text


def test_default_graph_is_the_union_of_the_named_graphs(server: InProcessServer) -> None:
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"
    assert httpx_get(server, {"query": q}).json()["results"]["bindings"][0]["n"]["value"] == "3"
