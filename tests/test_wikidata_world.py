"""The world network: the Wikidata snapshots read as dated sources and merged with the curated records.

Each merge rule of twinkg.world.mapping has a test on a small hand-made World
(FIXTURE VALUES, not Wikidata's: the Q-ids are those of the curated test data
in tests/fixtures/wikidata/data, the claims and dates are made up), and the
default build is checked to contain every pair of both real snapshots.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.builds import PROJECT_ROOT, graph_triples

from twinkg.build import load_data
from twinkg.concepts import load_classes
from twinkg.config import Settings
from twinkg.dates import parse_exact
from twinkg.enrich.queries import PS, WD, P
from twinkg.errors import InputError
from twinkg.validate import load_shapes, validate
from twinkg.vocab import DCT, OWL, PROV, RDF, RDFS, TW, XSD, Iris
from twinkg.world.live import LIVE_ID, read_live
from twinkg.world.mapping import world_triples
from twinkg.world.records import Claim, Origin, World
from twinkg.world.snapshots import CITIES_2026, CRAWL_2016, read_snapshots

BASE = "https://w3id.org/twinkg/"
IRIS = Iris(BASE)
AS_OF = dt.date(2026, 11, 1)
CURATED = PROJECT_ROOT / "tests" / "fixtures" / "wikidata" / "data"
SNAPSHOTS = PROJECT_ROOT / "data" / "snapshots"
LIVE = Origin("wikidata-live-test", "live cache (test)", dt.date(2026, 11, 1), "http://127.0.0.1/", CRAWL_2016.licence,
              "test", directed=True, current=True)


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def place(slug: str) -> ox.NamedNode:
    return n(IRIS.place(slug))


def objects(triples: set[ox.Triple], subject: ox.NamedNode, predicate: str) -> set[str]:
    return {t.object.value for t in triples if t.subject == subject and t.predicate.value == predicate}


def twinnings_of(triples: set[ox.Triple]) -> dict[ox.NamedNode, set[str]]:
    out: dict[ox.NamedNode, set[str]] = {}
    for t in triples:
        if t.predicate.value == TW + "partner":
            out.setdefault(t.subject, set()).add(t.object.value)  # type: ignore[arg-type]
    return out


def world(*claims: Claim, items: dict[str, dict[str, object]] | None = None) -> World:
    w = World(origins={o.id: o for o in (CRAWL_2016, CITIES_2026, LIVE)})
    for c in claims:
        w.item(c.subject, c.origin)
        w.item(c.object, c.origin)
        w.claims.append(c)
    for qid, facts in (items or {}).items():
        item = w.item(qid, CITIES_2026.id)
        for key, value in facts.items():
            setattr(item, key, value)
    return w


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    return load_data(Settings(data_dir=CURATED))


CLASSES = load_classes(PROJECT_ROOT / "ontology")


def mapped(data, w: World, **kw):  # type: ignore[no-untyped-def]
    return world_triples(w, data, IRIS, AS_OF, CLASSES, **kw)


def test_place_known_only_from_wikidata_gets_its_qid_slug_and_undetermined_2016_label(data) -> None:  # type: ignore[no-untyped-def]
    triples, _ = mapped(data, world(Claim("Q201391", "Q1081996", CRAWL_2016.id, True),
                                    items={"Q1081996": {"english": "Brou", "country": "FR", "coordinates": (48.2, 1.16), "city": True}}))
    triples_2016 = {t for t in triples if t.subject == place("q201391")}
    w16 = world(Claim("Q201391", "Q1081996", CRAWL_2016.id, True))
    w16.items["Q201391"].other = "Kohtla-Järve"
    only_2016, _ = mapped(data, w16)
    labels = {t.object for t in only_2016 if t.subject == place("q201391") and t.predicate.value == RDFS + "label"}
    assert labels == {ox.Literal("Kohtla-Järve", language="und")}  # never published as English
    assert objects(only_2016, place("q201391"), TW + "placeType") == {IRIS.concept("place-type", "not-stated")}
    assert not objects(only_2016, place("q201391"), TW + "country")  # the crawl gives none: none invented
    assert objects(triples_2016, place("q201391"), OWL + "sameAs") == {"http://www.wikidata.org/entity/Q201391"}
    brou = place("q1081996")
    assert ox.Literal("Brou", language="en") in {t.object for t in triples if t.subject == brou and t.predicate.value == RDFS + "label"}
    assert objects(triples, brou, TW + "country") == {IRIS.concept("country", "FR")}
    assert objects(triples, n(IRIS.geometry("q1081996")), "http://www.opengis.net/ont/geosparql#asWKT") == {"POINT(1.16 48.2)"}


def test_curated_place_with_the_qid_is_the_same_resource_and_its_qid_iri_is_replaced(data) -> None:  # type: ignore[no-untyped-def]
    triples, _ = mapped(data, world(Claim("Q6225", "Q201391", CRAWL_2016.id, True)))
    partners = set().union(*twinnings_of(triples).values())
    assert IRIS.place("coventry") in partners and IRIS.place("q6225") not in partners
    assert objects(triples, place("q6225"), DCT + "isReplacedBy") == {IRIS.place("coventry")}
    assert not any(t.subject == place("coventry") and t.predicate.value == RDF + "type" for t in triples)  # curated graph owns it


def test_pair_in_both_snapshots_is_one_twinning_with_both_sources(data) -> None:  # type: ignore[no-untyped-def]
    triples, findings = mapped(data, world(Claim("Q201391", "Q1081996", CRAWL_2016.id, True),
                                           Claim("Q1081996", "Q201391", CRAWL_2016.id, True),
                                           Claim("Q1081996", "Q201391", CITIES_2026.id, False)))
    (t, partners), = twinnings_of(triples).items()
    assert t.value == IRIS.twinning("q1081996--q201391")
    assert objects(triples, t, DCT + "source") == {IRIS.source(CRAWL_2016.id), IRIS.source(CITIES_2026.id)}
    assert objects(triples, t, TW + "kind") == {IRIS.concept("kind", "not-stated")}
    assert objects(triples, t, TW + "status") == {IRIS.concept("status", "active")}
    assert not objects(triples, t, TW + "startDate")  # no date is invented
    assert not objects(triples, t, TW + "startEarliest") and not objects(triples, t, TW + "startLatest")
    assert objects(triples, t, TW + "latestEvidence") == {"2026-05-12"}  # status as of the latest snapshot
    assert not objects(triples, t, TW + "statedOnlyBy")  # both items state it
    assert findings.twinnings == 1


def test_one_directional_pair_is_one_twinning_marked_as_such(data) -> None:  # type: ignore[no-untyped-def]
    triples, findings = mapped(data, world(Claim("Q201391", "Q1081996", CRAWL_2016.id, True)))
    (t, _), = twinnings_of(triples).items()
    assert objects(triples, t, TW + "statedOnlyBy") == {IRIS.place("q201391")}
    assert findings.one_directional == 1
    assert {IRIS.place("q1081996")} == objects(triples, place("q201391"), TW + "twinnedWith")


def test_curated_twinning_and_wikidata_pair_are_one_twinning(data) -> None:  # type: ignore[no-untyped-def]
    triples, findings = mapped(data, world(Claim("Q2684", "Q29303", CRAWL_2016.id, True)))  # Vladimir–Canterbury
    assert twinnings_of(triples) == {}  # no new twinning: the curated one gets the source
    t = n(IRIS.twinning("canterbury--vladimir"))
    assert objects(triples, t, DCT + "source") == {IRIS.source(CRAWL_2016.id)}
    assert findings.merged == 1 and findings.twinnings == 0


def test_disagreeing_dates_are_kept_side_by_side_and_agreeing_ones_add_a_source(data) -> None:  # type: ignore[no-untyped-def]
    st = "http://www.wikidata.org/entity/statement/Q6225-X"
    w = world(Claim("Q6225", "Q914", LIVE.id, True, start=parse_exact("1943"), statement=st),   # curated: 1944
              Claim("Q6225", "Q1707", LIVE.id, True, start=parse_exact("1947-05-01"), statement=st + "2"))  # curated: 1947
    triples, findings = mapped(data, w)
    conflicting = n(IRIS.event("wikidata-q914-q6225-established"))
    assert objects(triples, conflicting, TW + "conflictsWith") == {IRIS.event("cov-vol-est")}
    assert objects(triples, n(IRIS.event("cov-vol-est")), TW + "conflictsWith") == {conflicting.value}
    assert objects(triples, n(IRIS.twinning("coventry--volgograd")), TW + "event") == {conflicting.value}
    assert objects(triples, conflicting, TW + "date") == {"1943"}
    assert objects(triples, conflicting, DCT + "source") == {st}
    assert objects(triples, n(IRIS.event("cov-kiel-est")), DCT + "source") == {st + "2"}  # 1947-05-01 lies in 1947
    assert len(findings.contradictions) == 1 and "1943" in findings.contradictions[0]
    assert ox.Triple(n(st), n(RDF + "type"), n(TW + "Source")) in triples


def test_end_time_makes_a_termination_with_its_reason_or_not_stated(data) -> None:  # type: ignore[no-untyped-def]
    w = world(Claim("Q201391", "Q1081996", LIVE.id, True, start=parse_exact("1990"), end=parse_exact("2014-03"), end_cause="Q1"),
              Claim("Q5836", "Q49239", LIVE.id, True, end=parse_exact("2001")))
    triples, _ = mapped(data, w, end_causes={"Q1": "armed-conflict"})
    ended = n(IRIS.event("wikidata-q201391-q1081996-ended"))  # Q-ids in numeric order
    assert TW + "Termination" in objects(triples, ended, RDF + "type")
    assert objects(triples, ended, TW + "reason") == {IRIS.concept("reason", "armed-conflict")}
    t = n(IRIS.twinning("q1081996--q201391"))
    assert objects(triples, t, TW + "status") == {IRIS.concept("status", "terminated")}
    assert objects(triples, t, TW + "startDate") == {"1990"} and objects(triples, t, TW + "endDate") == {"2014-03"}
    other = n(IRIS.event("wikidata-q5836-q49239-ended"))
    assert objects(triples, other, TW + "reason") == {IRIS.concept("reason", "not-stated")}


def test_deprecated_claims_make_no_twinning_and_are_reported(data) -> None:  # type: ignore[no-untyped-def]
    triples, findings = mapped(data, world(Claim("Q201391", "Q1081996", LIVE.id, True, deprecated=True)))
    assert twinnings_of(triples) == {}
    assert findings.deprecated == [("Q201391", "Q1081996")]


def test_listing_a_never_concluded_curated_twinning_is_a_reported_contradiction(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "d.yaml").write_text(
        "sources:\n  - {id: s, title: S}\nplaces:\n"
        "  - {id: a, label: A, wikidata: Q201391, sources: [s]}\n  - {id: b, label: B, wikidata: Q1081996, sources: [s]}\n"
        "twinnings:\n  - partners: [a, b]\n    kind: twin-town\n    sources: [s]\n"
        "    events: [{id: ab-prop, type: proposal, date: 2001, sources: [s]}]\n", encoding="utf-8")
    proposal = load_data(Settings(data_dir=folder))
    triples, findings = world_triples(world(Claim("Q201391", "Q1081996", LIVE.id, True, start=parse_exact("2002"))),
                                      proposal, IRIS, AS_OF, CLASSES)
    assert not any(t.predicate.value == TW + "event" for t in triples)  # the curated status stays what people curated
    assert objects(triples, n(IRIS.twinning("a--b")), DCT + "source") == {IRIS.source(LIVE.id)}
    assert len(findings.contradictions) == 1 and "never concluded" in findings.contradictions[0]


def test_shapes_cover_derived_twinnings(data) -> None:  # type: ignore[no-untyped-def]
    from twinkg.build import map_graphs

    settings = Settings(data_dir=CURATED)
    graphs = map_graphs(data, settings)
    triples, _ = mapped(data, world(Claim("Q201391", "Q1081996", CRAWL_2016.id, True)))
    shapes = load_shapes(PROJECT_ROOT / "shapes")
    base = graphs["curated"] | graphs["ontology"]
    assert validate(base | triples, shapes).conforms
    t = n(IRIS.twinning("q1081996--q201391"))
    broken = {x for x in triples if not (x.subject == t and x.predicate.value == TW + "kind")}
    report = validate(base | broken, shapes)
    assert not report.conforms and any(r.focus == t.value and r.path == TW + "kind" for r in report.results)


def test_snapshot_reader_keeps_namibia_and_taiwan_and_reports_bad_rows(tmp_path: Path) -> None:
    world_ = read_snapshots(SNAPSHOTS)
    codes = {i.country for i in world_.items.values()}
    assert "NA" in codes and "TW" in codes and "CN-TW" not in codes
    bad = tmp_path / "wikidata-cities-2026"
    bad.mkdir()
    (bad / "cities.csv").write_text("id,name,lng,lat,country,countrycd,continent\n"
                                    "Q1,Good,10,50,Germany,DE,Europe\nQx,Bad,10,50,Germany,DE,Europe\n"
                                    "Q2,Swapped,10,95,Germany,DE,Europe\n", encoding="utf-8")
    (bad / "links.csv").write_text("source,target\nQ1,Q2\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_snapshots(tmp_path)
    message = str(exc.value)
    assert f"{bad / 'cities.csv'}:3: Qx: id:" in message
    assert f"{bad / 'cities.csv'}:4: Q2: lng, lat:" in message


def _snapshot_pairs() -> set[frozenset[str]]:
    pairs = set()
    for line in (SNAPSHOTS / "wikidata-p190-2016" / "relations.tsv").read_text(encoding="utf-8").splitlines():
        a, b = line.split("\t")
        pairs.add(frozenset((a, b)))
    with open(SNAPSHOTS / "wikidata-cities-2026" / "links.csv", encoding="utf-8", newline="") as f:
        pairs |= {frozenset((r["source"], r["target"])) for r in csv.DictReader(f)}
    return pairs


def test_default_build_contains_every_pair_of_both_snapshots(curated_dist: Settings, built_store: ox.Store) -> None:
    def of(predicate: str) -> set[ox.Triple]:
        return graph_triples(built_store, curated_dist.base, "curated", "wikidata", predicate=predicate)

    qid_of = {t.subject.value: t.object.value.rsplit("/", 1)[1] for t in of(OWL + "sameAs")
              if t.object.value.startswith("http://www.wikidata.org/entity/")}
    linked = set()
    for partners in twinnings_of(of(TW + "partner")).values():
        qids = [qid_of[p] for p in partners if p in qid_of]
        linked |= {frozenset((a, b)) for a in qids for b in qids if a != b}
    expected = _snapshot_pairs()
    assert len(expected) == 20485
    # but a pair with an item recorded as not a place (data/reference/not-places.csv, the ANC) is no twinning
    not_places = {line.split(",", 1)[0] for line in (SNAPSHOTS.parent / "reference" / "not-places.csv").read_text().splitlines()[1:]}
    apart = {p for p in expected if p & not_places}
    assert apart == {frozenset(("Q13360", "Q83162"))}
    assert expected - apart <= linked and not apart & linked
    report = ox.Store()
    report.load(path=str(curated_dist.out_dir / "shacl-report.ttl"), format=ox.RdfFormat.TURTLE)
    assert report.query("ASK { ?r <http://www.w3.org/ns/shacl#conforms> true }")


def test_a_forked_child_mapping_a_share_of_the_links_makes_the_same_graph_and_findings(  # type: ignore[no-untyped-def]
        data, monkeypatch: pytest.MonkeyPatch) -> None:
    """`world_lines` with a child for the links only Wikidata knows (forced here by `parallel_from`): its
    N-Triples and this process's triples are `world_triples`' graph, its counts are in the findings, and the
    merged links, places, sources and statements are mapped once."""
    from collections.abc import Callable

    from twinkg.forked import Forked
    from twinkg.world.mapping import world_lines

    wds = "http://www.wikidata.org/entity/statement/"
    claims = [Claim("Q6225", "Q914", LIVE.id, True, start=parse_exact("1943"), statement=wds + "curated"),  # curated: 1944
              Claim("Q6225", "Q201391", CRAWL_2016.id, True)]
    for i in range(40):
        a, b = f"Q{1000 + i}", f"Q{2000 + i % 7}"
        claims.append(Claim(a, b, LIVE.id, True, start=parse_exact(str(1950 + i)) if i % 3 else None,
                            end=parse_exact(str(2000 + i)) if i % 5 == 0 else None, statement=wds + f"s{i}"))
        claims.append(Claim(b, a, CRAWL_2016.id, False))
    items: dict[str, dict[str, object]] = {f"Q{1000 + i}": {"english": f"Town {i}", "country": "FR", "coordinates": (48.0 + i / 10, 1.5)}
                                           for i in range(40)}
    w = world(*claims, items=items)
    whole, findings = world_triples(w, data, IRIS, AS_OF, CLASSES)
    start = Forked.__init__
    children: list[str] = []

    def counted(self: Forked[object], fn: Callable[[], object], name: str) -> None:
        children.append(name)
        start(self, fn, name)

    monkeypatch.setattr(Forked, "__init__", counted)
    text, found = world_lines(w, data, IRIS, AS_OF, CLASSES, parallel_from=2)
    assert children == ["Wikidata merge"]
    assert {q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)} == whole
    assert found == findings and (findings.twinnings, findings.merged, findings.one_directional) == (41, 1, 41)
    assert findings.contradictions  # the curated link's disagreeing date, mapped here
    alone, _ = world_lines(w, data, IRIS, AS_OF, CLASSES, parallel_from=42)  # 41 links: too few, no child
    assert children == ["Wikidata merge"] and {q.triple for q in ox.parse(alone, format=ox.RdfFormat.N_TRIPLES)} == whole


@pytest.mark.parametrize("when", ["not a date", "2026-13-40T00:00:00Z", ""], ids=["words", "no-such-day", "empty"])
def test_a_retrieval_time_that_is_not_one_names_the_cache_and_statement(when: str) -> None:

    statement = n(WD + "statement/Q64-abc")
    cache = {ox.Triple(n(WD + "Q64"), n(P + "P190"), statement), ox.Triple(statement, n(PS + "P190"), n(WD + "Q90")),
             ox.Triple(n("urn:fetch:1"), n(PROV + "endedAtTime"), ox.Literal(when))}
    with pytest.raises(InputError, match=r"^data/wikidata: <urn:fetch:1> prov:endedAtTime '.*': not a date"):
        read_live(cache, World(), "data/wikidata")


def test_the_latest_retrieval_day_dates_the_live_origin() -> None:

    statement = n(WD + "statement/Q64-abc")
    stamp = n(XSD + "dateTime")
    cache = {ox.Triple(n(WD + "Q64"), n(P + "P190"), statement), ox.Triple(statement, n(PS + "P190"), n(WD + "Q90")),
             ox.Triple(n("urn:fetch:1"), n(PROV + "endedAtTime"), ox.Literal("2026-01-02T03:04:05Z", datatype=stamp)),
             ox.Triple(n("urn:fetch:2"), n(PROV + "endedAtTime"), ox.Literal("2026-03-01T23:59:59Z", datatype=stamp))}
    w = World()
    assert read_live(cache, w, "data/wikidata")
    assert w.origins[LIVE_ID].retrieved == dt.date(2026, 3, 1)
