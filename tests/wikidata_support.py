"""Test support for the Wikidata tests: a Wikidata-shaped fixture, a real Oxigraph server, a fault proxy.

The fixture has two parts, written to two files so they are never confused:

* `crawl.nt`, generated at test time from `data/snapshots/wikidata-p190-2016/`
  (a real crawl of Wikidata's P190 statements, 2016-09-10, CC0): every item with
  its label, every P190 statement in Wikidata's RDF structure
  (`wd:Qx p:P190 ?st . ?st ps:P190 wd:Qy ; wikibase:rank wikibase:NormalRank .
  wd:Qx wdt:P190 wd:Qy`). The crawl does not record the language of a label
  (it preferred German, then English, French, Italian, Spanish), so labels are
  tagged `mul`, Wikidata's code for a label valid in many languages.
  Statement IRIs are `wds:Qx-<uuid5 of the pair>`, shaped like real ones.

* `fixture-values.nt`: FIXTURE VALUES, NOT FROM WIKIDATA: made up for the
  tests (coordinates, populations, countries, P31 city, qualifiers P580/P582/
  P1534, a deprecated rank, a few English labels and an alias), listed in
  FIXTURE_VALUES below. Never publish them as facts.

Nothing here touches an outside address: the server and the proxy bind to
127.0.0.1 and the client is pointed at them.
"""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
import requests

from conftest import required

REPO = Path(__file__).resolve().parents[1]
CRAWL = REPO / "data" / "snapshots" / "wikidata-p190-2016"
OXIGRAPH = Path(sys.executable).parent / "oxigraph"

WD = "http://www.wikidata.org/entity/"
WDS = "http://www.wikidata.org/entity/statement/"
WDT = "http://www.wikidata.org/prop/direct/"
P = "http://www.wikidata.org/prop/"
PS = "http://www.wikidata.org/prop/statement/"
PQ = "http://www.wikidata.org/prop/qualifier/"
WB = "http://wikiba.se/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SCHEMA_NAME = "http://schema.org/name"
XSD = "http://www.w3.org/2001/XMLSchema#"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"

# ---------------------------------------------------------------------------
# FIXTURE VALUES, NOT FROM WIKIDATA (made up for the tests; the crawl has none)
# ---------------------------------------------------------------------------
FIXTURE_COUNTRIES = {  # item → country item (P17)
    "Q5836": "Q29", "Q49239": "Q30", "Q31058": "Q30", "Q34692": "Q766", "Q128147": "Q145",
    "Q2321706": "Q145", "Q6225": "Q145", "Q914": "Q159", "Q1707": "Q183", "Q1731": "Q183",
    "Q34218": "Q30",  # chosen so that only the P190 partners tell the two Burlingtons apart
}
FIXTURE_ISO = {"Q29": "ES", "Q30": "US", "Q766": "JM", "Q145": "GB", "Q159": "RU", "Q183": "DE", "Q16": "CA"}
FIXTURE_LANGUAGE = {"Q29": ("Q1321", "es"), "Q159": ("Q7737", "ru")}  # country → official language (P37) and its code (P424)
FIXTURE_LABELS = [  # (item, text, language, predicate)
    ("Q914", "Volgograd", "en", RDFS_LABEL), ("Q914", "Волгоград", "ru", RDFS_LABEL),
    ("Q914", "Volgograd", "fr", RDFS_LABEL),  # not asked for: must not be fetched
    ("Q6225", "Coventry", "en", RDFS_LABEL), ("Q5836", "Toledo", "es", RDFS_LABEL),
    ("Q128147", "Hull", "en", SKOS_ALT),
]
FIXTURE_COORDINATES = {"Q6225": "Point(-1.51 52.41)", "Q914": "Point(44.52 48.71)"}
FIXTURE_POPULATION = {  # item → [(value, point in time, rank)]
    "Q6225": [("300000", "2001-01-01", "NormalRank"), ("345000", "2021-01-01", "PreferredRank"),
              ("350000", "2023-01-01", "DeprecatedRank")],
    "Q914": [("1000000", "2002-01-01", "NormalRank"), ("1010000", "2010-01-01", "NormalRank")],
}
FIXTURE_WEBSITE = {"Q6225": "https://fixture.invalid/coventry"}
FIXTURE_GEONAMES = {"Q6225": "0000001"}
FIXTURE_QUALIFIERS = {  # (subject, object) of a crawl P190 statement → qualifiers
    ("Q6225", "Q914"): {"P580": "1944-01-01"},
    ("Q914", "Q6225"): {"P580": "1944-01-01"},
    ("Q6225", "Q1707"): {"P580": "1947-01-01", "P582": "2020-01-01", "P1534": "Q1"},
}
FIXTURE_RANKS = {("Q6225", "Q36647"): "DeprecatedRank",  # Coventry → Cork, deprecated
                 ("Q1731", "Q384"): "DeprecatedRank", ("Q384", "Q1731"): "DeprecatedRank"}  # Dresden–Q384: both ways
FIXTURE_WORLD_QUALIFIERS = {  # for the world network's merge: contradicts the curated Vladimir–Canterbury (1997)
    ("Q2684", "Q29303"): {"P580": "1995-01-01"},
}
FIXTURE_PRECISION = {("Q6225", "Q914", "P580"): "9", ("Q6225", "Q1707", "P582"): "11"}  # wikibase:timePrecision
FIXTURE_CLASSES = {"Q515": "Q486972"}  # every crawl item is a city (Q515, fixture value); city ⊑ human settlement
# ---------------------------------------------------------------------------


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def statement_iri(subject: str, obj: str, prop: str = "P190") -> str:
    """A statement IRI shaped like Wikidata's (`wds:Q6225-<UUID>`), stable for the same triple."""
    return f"{WDS}{subject}-{str(uuid.uuid5(uuid.NAMESPACE_URL, f'{WD}{subject}/{prop}/{obj}')).upper()}"


def build_fixture(directory: Path, only: set[str] | None = None, world: bool = False) -> list[Path]:
    """Write crawl.nt and fixture-values.nt into `directory`; return their paths.

    `only` keeps the items it names and the statements between them (a small
    network for the world tests); `world` adds FIXTURE_WORLD_QUALIFIERS."""
    directory.mkdir(parents=True, exist_ok=True)
    crawl, marked = directory / "crawl.nt", directory / "fixture-values.nt"
    pairs = sorted({tuple(line.rstrip("\n").split("\t")[:2]) for line in
                    (CRAWL / "relations.tsv").read_text(encoding="utf-8").splitlines() if "\t" in line})
    if only is not None:
        pairs = [(a, b) for a, b in pairs if a in only and b in only]
    with crawl.open("w", encoding="utf-8") as out:
        out.write("# Generated from data/snapshots/wikidata-p190-2016 (Wikidata, CC0, crawled 2016-09-10).\n")
        for line in (CRAWL / "names.tsv").read_text(encoding="utf-8").splitlines():
            qid, _, label = line.partition("\t")
            if not qid.startswith("Q") or not label or (only is not None and qid not in only):
                continue
            item = _iri(WD + qid)
            out.write(f"{item} {_iri(RDF_TYPE)} {_iri(WB + 'Item')} .\n")
            out.write(f"{item} {_iri(RDFS_LABEL)} {_lit(label, 'mul')} .\n")
            out.write(f"{item} {_iri(SCHEMA_NAME)} {_lit(label, 'mul')} .\n")
            out.write(f"{item} {_iri(WDT + 'P31')} {_iri(WD + 'Q515')} .\n")  # FIXTURE VALUE: P31 city
        for s, o in pairs:
            st = _iri(statement_iri(s, o))
            rank = FIXTURE_RANKS.get((s, o), "NormalRank")
            out.write(f"{_iri(WD + s)} {_iri(P + 'P190')} {st} .\n")
            out.write(f"{st} {_iri(PS + 'P190')} {_iri(WD + o)} .\n")
            out.write(f"{st} {_iri(RDF_TYPE)} {_iri(WB + 'Statement')} .\n")
            out.write(f"{st} {_iri(WB + 'rank')} {_iri(WB + rank)} .\n")
            if rank != "DeprecatedRank":
                out.write(f"{st} {_iri(RDF_TYPE)} {_iri(WB + 'BestRank')} .\n")
                out.write(f"{_iri(WD + s)} {_iri(WDT + 'P190')} {_iri(WD + o)} .\n")
    lines = ["# FIXTURE VALUES, NOT FROM WIKIDATA: made up for twinkg's tests (see tests/wikidata_support.py)."]
    add = lines.append
    for child, parent in FIXTURE_CLASSES.items():
        add(f"{_iri(WD + child)} {_iri(WDT + 'P279')} {_iri(WD + parent)} .")
    for item, country in FIXTURE_COUNTRIES.items():
        add(f"{_iri(WD + item)} {_iri(WDT + 'P17')} {_iri(WD + country)} .")
    for country, iso in FIXTURE_ISO.items():
        add(f"{_iri(WD + country)} {_iri(WDT + 'P297')} {_lit(iso)} .")
    for country, (language, code) in FIXTURE_LANGUAGE.items():
        add(f"{_iri(WD + country)} {_iri(WDT + 'P37')} {_iri(WD + language)} .")
        add(f"{_iri(WD + language)} {_iri(WDT + 'P424')} {_lit(code)} .")
    for item, text, lang, pred in FIXTURE_LABELS:
        add(f"{_iri(WD + item)} {_iri(pred)} {_lit(text, lang)} .")
    for item, wkt in FIXTURE_COORDINATES.items():
        add(f"{_iri(WD + item)} {_iri(WDT + 'P625')} {_lit(wkt, datatype=WKT)} .")
    for item, url in FIXTURE_WEBSITE.items():
        add(f"{_iri(WD + item)} {_iri(WDT + 'P856')} {_iri(url)} .")
    for item, gid in FIXTURE_GEONAMES.items():
        add(f"{_iri(WD + item)} {_iri(WDT + 'P1566')} {_lit(gid)} .")
    for item, values in FIXTURE_POPULATION.items():
        for value, when, rank in values:
            st = _iri(statement_iri(item, when, "P1082"))
            add(f"{_iri(WD + item)} {_iri(P + 'P1082')} {st} .")
            add(f"{st} {_iri(PS + 'P1082')} {_lit(value, datatype=XSD + 'decimal')} .")
            add(f"{st} {_iri(PQ + 'P585')} {_lit(when + 'T00:00:00Z', datatype=XSD + 'dateTime')} .")
            add(f"{st} {_iri(WB + 'rank')} {_iri(WB + rank)} .")
            add(f"{st} {_iri(RDF_TYPE)} {_iri(WB + 'Statement')} .")
    for (s, o), qualifiers in {**FIXTURE_QUALIFIERS, **(FIXTURE_WORLD_QUALIFIERS if world else {})}.items():
        st = _iri(statement_iri(s, o))
        for prop, value in qualifiers.items():
            obj = _iri(WD + value) if value.startswith("Q") else _lit(value + "T00:00:00Z", datatype=XSD + "dateTime")
            add(f"{st} {_iri(PQ + prop)} {obj} .")
            if (s, o, prop) in FIXTURE_PRECISION:
                node = _iri(f"http://www.wikidata.org/value/{s}-{o}-{prop}")
                add(f"{st} {_iri(PQ.replace('qualifier/', 'qualifier/value/') + prop)} {node} .")
                add(f"{node} {_iri(WB + 'timePrecision')} {_lit(FIXTURE_PRECISION[(s, o, prop)], datatype=XSD + 'integer')} .")
    marked.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [crawl, marked]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, deadline: float = 30.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            requests.get(url, params={"query": "ASK {}"}, timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up within {deadline} s")


@dataclass
class OxigraphServer:
    process: subprocess.Popen[bytes]
    endpoint: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_oxigraph(work: Path, only: set[str] | None = None, world: bool = False) -> OxigraphServer:
    required(CRAWL, "the 2016 Wikidata P190 crawl")
    files = build_fixture(work / "fixture", only, world)
    location = work / "store"
    subprocess.run([str(OXIGRAPH), "load", "--location", str(location), "--file", *map(str, files)],
                   check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([str(OXIGRAPH), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = OxigraphServer(process, f"http://127.0.0.1:{port}/query")
    try:
        wait_until_up(server.endpoint)
    except RuntimeError:
        server.stop()
        raise
    return server


_server: OxigraphServer | None = None
CURATED = REPO / "tests" / "fixtures" / "wikidata" / "data"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A writable copy of the curated test data (tests/fixtures/wikidata/data); the cache goes to its wikidata/."""
    target = tmp_path / "data"
    shutil.copytree(CURATED, target)
    return target



@pytest.fixture(scope="session")
def wikidata_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `oxigraph serve` on loopback with the Wikidata-shaped fixture (one per test session)."""
    global _server
    if _server is None or _server.process.poll() is not None:
        _server = start_oxigraph(tmp_path_factory.mktemp("wikidata-fixture"))
    yield _server.endpoint
    if _server is not None and _server.process.poll() is None:
        _server.stop()
    _server = None


# --- fault-injecting proxy --------------------------------------------------

@dataclass
class FaultProxy:
    """A loopback HTTP proxy in front of the endpoint that answers the first requests with faults.

    `faults` is consumed one per request: "429" (with Retry-After), "503"
    (without), "timeout" (sleeps past the client's timeout), "reset" (drops
    the connection), "malformed" (200 with broken JSON), "500-timeout" (the
    server's own timeout message), "400"; then requests pass through, unless
    `fail_from` is set (every request from that number on is reset).
    """

    upstream: str
    faults: list[str] = field(default_factory=list)
    retry_after: str = "1"
    delay: float = 2.0
    fail_from: int | None = None
    requests: int = 0
    seen: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                proxy.requests += 1
                proxy.user_agents.append(self.headers.get("User-Agent", ""))
                fault = proxy.faults.pop(0) if proxy.faults else "pass"
                if proxy.fail_from is not None and proxy.requests >= proxy.fail_from:
                    fault = "reset"
                proxy.seen.append(fault)
                if fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    self.close_connection = True
                    return
                if fault == "timeout":
                    time.sleep(proxy.delay)
                    self._send(504, b"too late", "text/plain")
                    return
                if fault == "429":
                    self._send(429, b"Too many requests", "text/plain", {"Retry-After": proxy.retry_after})
                    return
                if fault == "503":
                    self._send(503, b"Service unavailable", "text/plain")
                    return
                if fault == "500-timeout":
                    self._send(500, b"java.util.concurrent.TimeoutException", "text/plain")
                    return
                if fault == "400":
                    self._send(400, b"Parse error: bad query", "text/plain")
                    return
                answer = requests.post(proxy.upstream, data=body, timeout=30, headers={
                    "Content-Type": self.headers.get("Content-Type", ""), "Accept": self.headers.get("Accept", "")})
                content = answer.content
                if fault == "malformed":
                    content = content[: len(content) // 2]
                self._send(answer.status_code, content, answer.headers.get("Content-Type", "application/octet-stream"))

            def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/query"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(wikidata_endpoint: str) -> Iterator[FaultProxy]:
    fp = FaultProxy(wikidata_endpoint)
    yield fp
    fp.close()


def counting(endpoint: str) -> FaultProxy:
    """A proxy without faults, to count requests."""
    return FaultProxy(endpoint)

