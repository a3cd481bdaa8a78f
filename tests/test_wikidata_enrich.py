"""`twinkg enrich` against a real Oxigraph server with the Wikidata-shaped fixture: cache, provenance, resume."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox
from support.builds import solutions
from support.proxies import FaultProxy
from support.wikidata import REPO
from typer.testing import CliRunner

from twinkg import __version__
from twinkg.build import load_data, run
from twinkg.cli import app
from twinkg.config import Settings
from twinkg.enrich.cache import MANIFEST, Cache
from twinkg.enrich.client import RetryPolicy, SparqlClient
from twinkg.enrich.fetch import enrich
from twinkg.graphs import quads, wikidata_triples
from twinkg.vocab import Iris

DATA = REPO / "tests" / "fixtures" / "wikidata" / "data"
BASE = "https://w3id.org/twinkg/"
WD, WDT, P, PS, PQ = ("http://www.wikidata.org/entity/", "http://www.wikidata.org/prop/direct/",
                      "http://www.wikidata.org/prop/", "http://www.wikidata.org/prop/statement/",
                      "http://www.wikidata.org/prop/qualifier/")
WB = "http://wikiba.se/ontology#"
PROV = "http://www.w3.org/ns/prov#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
runner = CliRunner()



def store_of(directory: Path) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in wikidata_triples(directory))
    return store


def ask(store: ox.Store, where: str) -> bool:
    prefixes = (f"PREFIX wd: <{WD}> PREFIX wdt: <{WDT}> PREFIX p: <{P}> PREFIX ps: <{PS}> PREFIX pq: <{PQ}> "
                f"PREFIX wikibase: <{WB}> PREFIX prov: <{PROV}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
                "PREFIX schema: <http://schema.org/> PREFIX dct: <http://purl.org/dc/terms/> "
                "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> ")
    return bool(store.query(prefixes + f"ASK {{ {where} }}"))


def test_enrich_writes_wikidata_structure_with_provenance(data_dir: Path, proxy: FaultProxy) -> None:
    result = runner.invoke(app, ["enrich", "--data", str(data_dir), "--endpoint", proxy.endpoint, "--batch-size", "4"])
    assert result.exit_code == 0, result.output
    assert proxy.requests == 3  # 9 ids in VALUES batches of 4
    assert set(proxy.user_agents) == {f"twinkg/{__version__} (https://w3id.org/twinkg/; twinkg contributors)"}
    store = store_of(data_dir / "wikidata")
    # P190 as statements with rank and qualifiers, so ended and deprecated links are seen
    assert ask(store, "wd:Q6225 p:P190 ?st . ?st ps:P190 wd:Q1707 ; wikibase:rank wikibase:NormalRank ; "
                      'pq:P580 "1947-01-01T00:00:00Z"^^xsd:dateTime ; pq:P582 ?end ; pq:P1534 wd:Q1 .')
    assert ask(store, "wd:Q6225 p:P190 ?st . ?st ps:P190 wd:Q36647 ; wikibase:rank wikibase:DeprecatedRank .")
    assert not ask(store, "wd:Q6225 wdt:P190 wd:Q36647")
    assert ask(store, "wd:Q6225 wdt:P190 wd:Q914 . wd:Q914 wdt:P190 wd:Q6225")
    # labels: English, mul, and the country's official language (ru via P17/P37/P424) but not French
    assert ask(store, 'wd:Q914 rdfs:label "Volgograd"@en, "Wolgograd"@mul, "Волгоград"@ru')
    assert not ask(store, 'wd:Q914 rdfs:label ?l FILTER(LANG(?l) = "fr")')
    # country with its ISO code, coordinates, website, GeoNames id, instance of
    assert ask(store, 'wd:Q6225 wdt:P17 ?c . ?c wdt:P297 "GB" . wd:Q6225 wdt:P625 ?point ; wdt:P856 ?site ; '
                      "wdt:P1566 ?geonames ; wdt:P31 wd:Q515 .")
    # population: only the preferred statement is kept, with its date, and as truthy value
    population = list(solutions(store.query(f"SELECT ?v ?when WHERE {{ <{WD}Q6225> <{P}P1082> ?st . ?st <{PS}P1082> ?v ; "
                                            f"<{PQ}P585> ?when . <{WD}Q6225> <{WDT}P1082> ?v }}")))
    assert [(r["v"].value, r["when"].value[:4]) for r in population] == [("345000", "2021")]
    # Volgograd has no preferred value: the latest one is kept
    assert ask(store, 'wd:Q914 wdt:P1082 "1010000"^^xsd:decimal') and not ask(store, 'wd:Q914 wdt:P1082 "1000000"^^xsd:decimal')
    # provenance of every batch: retrieval time, endpoint, query, version, items covered
    rows = list(solutions(store.query(f"""SELECT ?fetch ?when ?query WHERE {{
        ?fetch a <{PROV}Activity> ; <{PROV}endedAtTime> ?when ; <{PROV}used> <{proxy.endpoint}> ;
               <http://schema.org/query> ?query ; <http://purl.org/dc/terms/hasVersion> "{__version__}" ;
               <http://purl.org/dc/terms/subject> <{WD}Q6225> . }}""")))
    assert len(rows) == 1
    assert rows[0]["when"].datatype.value == "http://www.w3.org/2001/XMLSchema#dateTime"
    assert rows[0]["fetch"].value.startswith(BASE + "graph/wikidata/fetch/")
    assert "wikibase:label" not in rows[0]["query"].value and "SERVICE" not in rows[0]["query"].value
    assert "Q158903" not in result.output
    assert (data_dir / "wikidata" / MANIFEST).is_file()


def test_second_run_sends_no_request(data_dir: Path, proxy: FaultProxy) -> None:
    args = ["enrich", "--data", str(data_dir), "--endpoint", proxy.endpoint]
    assert runner.invoke(app, args).exit_code == 0
    first = proxy.requests
    before = {p.name: p.read_bytes() for p in (data_dir / "wikidata").iterdir()}
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert proxy.requests == first == 1
    assert "0 request(s) sent" in result.output
    assert {p.name: p.read_bytes() for p in (data_dir / "wikidata").iterdir()} == before


def test_interrupted_run_resumes(data_dir: Path, proxy: FaultProxy) -> None:
    proxy.fail_from = 3  # the third request and every later one: connection reset
    args = ["enrich", "--data", str(data_dir), "--endpoint", proxy.endpoint, "--batch-size", "2",
            "--retries", "1", "--backoff", "0.01"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "5 id(s) not fetched: Q2684, Q3711, Q6225, Q29303, Q36647" in " ".join(result.output.split())
    assert "run again to resume" in result.output
    assert Cache(data_dir / "wikidata", BASE).fetched() == {"Q914", "Q1707", "Q1731", "Q2423"}
    assert store_of(data_dir / "wikidata")  # what is there parses
    proxy.fail_from = None
    sent = proxy.requests
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert proxy.requests - sent == 3  # only the 5 missing ids, in batches of 2
    assert len(Cache(data_dir / "wikidata", BASE).fetched()) == 9


def test_manifest_is_rebuilt_from_the_files(data_dir: Path, wikidata_endpoint: str) -> None:
    """A run killed between writing a batch and the manifest loses nothing: the files describe themselves."""
    data = load_data(Settings(data_dir=data_dir))
    with SparqlClient(wikidata_endpoint) as client:
        enrich(data, Cache(data_dir / "wikidata", BASE), client, batch_size=3)
    (data_dir / "wikidata" / MANIFEST).unlink()
    with SparqlClient(wikidata_endpoint) as client:
        outcome = enrich(data, Cache(data_dir / "wikidata", BASE), client)
    assert client.requests_sent == 0 and len(outcome.cached) == 9


def test_build_publishes_the_enrichment_graph_reproducibly(data_dir: Path, wikidata_endpoint: str, tmp_path: Path) -> None:
    data = load_data(Settings(data_dir=data_dir))
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    with SparqlClient(wikidata_endpoint) as client:
        enrich(data, Cache(data_dir / "wikidata", BASE), client, now=lambda: when)
    built_at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    outputs = []
    for name in ("a", "b"):
        settings = Settings(data_dir=data_dir, out_dir=tmp_path / name, built_at=built_at)
        built = run(settings)
        outputs.append((tmp_path / name / "SHA256SUMS").read_text())
    assert outputs[0] == outputs[1]
    store = ox.Store()
    store.extend(quads(built.graphs, Iris(BASE)))
    graph = BASE + "graph/wikidata"
    assert store.query(f"""ASK {{ GRAPH <{graph}> {{
        ?fetch <{PROV}endedAtTime> "2026-01-02T03:04:05Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> ;
               <{PROV}used> <{wikidata_endpoint}> .
        <{WD}Q6225> <{P}P190> ?st . ?st <{WB}rank> ?rank }} }}""")
    # the curated place and its Wikidata item join through owl:sameAs
    assert store.query(f"""ASK {{ ?place <http://www.w3.org/2002/07/owl#sameAs> ?item .
        GRAPH <{graph}> {{ ?item <{RDFS_LABEL}> "Coventry"@en }} }}""", use_default_graph_as_union=True)


def test_enrich_refuses_a_bad_endpoint(data_dir: Path) -> None:
    result = runner.invoke(app, ["enrich", "--data", str(data_dir), "--endpoint", "ftp://example.org/"])
    assert result.exit_code == 1 and "http(s) URL" in result.output


def test_default_policy_suits_wikidata() -> None:
    with SparqlClient() as client:
        pass
    assert client.endpoint == "https://query.wikidata.org/sparql" and client.timeout == 60  # the default; never contacted
    assert RetryPolicy().retries > 0
