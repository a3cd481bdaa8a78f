"""Records to RDF: the vocabulary contract as the graph shows it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.builds import MINI, settings_for

from twinkg.build import load_data, map_graphs
from twinkg.curated.records import Dataset, Twinning
from twinkg.forked import Forked
from twinkg.graphs import quads
from twinkg.vocab import Iris

PREFIX = """PREFIX tw: <https://w3id.org/twinkg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX place: <https://w3id.org/twinkg/id/place/> PREFIX twn: <https://w3id.org/twinkg/id/twinning/>
PREFIX evt: <https://w3id.org/twinkg/id/event/> PREFIX act: <https://w3id.org/twinkg/id/actor/>
PREFIX src: <https://w3id.org/twinkg/id/source/> PREFIX cty: <https://w3id.org/twinkg/vocab/country/>
PREFIX ptype: <https://w3id.org/twinkg/vocab/place-type/>
PREFIX dct: <http://purl.org/dc/terms/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#> PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX schema: <https://schema.org/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> ox.Store:
    settings = settings_for(MINI, tmp_path_factory.mktemp("m"))
    graphs = map_graphs(load_data(settings), settings)
    s = ox.Store()
    s.extend(quads(graphs, Iris()))
    return s


def ask(store: ox.Store, where: str) -> bool:
    return bool(store.query(PREFIX + f"ASK {{ {where} }}", use_default_graph_as_union=True))


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(t.value for t in row) for row in store.query(PREFIX + query, use_default_graph_as_union=True)]


def test_twinning_iri_is_sorted_partners(store: ox.Store) -> None:
    assert ask(store, "twn:alpha-town--beta-city a tw:Twinning ; tw:partner place:alpha-town, place:beta-city")
    assert ask(store, "twn:alpha-town--fableland--gamma tw:partner place:fableland")


def test_derived_status(store: ox.Store) -> None:
    assert select(store, "SELECT ?t ?s WHERE { ?t tw:status ?s } ORDER BY ?t") == [
        ("https://w3id.org/twinkg/id/twinning/alpha-town--beta-city", "https://w3id.org/twinkg/vocab/status/suspended"),
        ("https://w3id.org/twinkg/id/twinning/alpha-town--fableland--gamma", "https://w3id.org/twinkg/vocab/status/proposed"),
        ("https://w3id.org/twinkg/id/twinning/alpha-town--gamma", "https://w3id.org/twinkg/vocab/status/active"),
    ]


def test_dates_keep_precision_and_bounds(store: ox.Store) -> None:
    assert ask(store, 'evt:alpha-beta-letter tw:date "1941-10"^^xsd:gYearMonth ; tw:earliest "1941-10-01"^^xsd:date ; tw:latest "1941-10-31"^^xsd:date')
    assert ask(store, 'evt:alpha-beta-established a tw:Establishment ; tw:date "1944"^^xsd:gYear')
    assert ask(store, 'evt:alpha-gamma-established tw:dateText "late 1950s" ; tw:earliest "1956-01-01"^^xsd:date ; tw:latest "1959-12-31"^^xsd:date')
    assert not ask(store, "evt:alpha-gamma-established tw:date ?d")
    assert ask(store, 'twn:alpha-town--beta-city tw:startDate "1944"^^xsd:gYear')
    assert not ask(store, "twn:alpha-town--beta-city tw:endDate ?d")


def test_twinned_with_only_for_concluded_links(store: ox.Store) -> None:
    assert ask(store, "place:alpha-town tw:twinnedWith place:beta-city . place:beta-city tw:twinnedWith place:alpha-town")
    assert not ask(store, "place:fableland tw:twinnedWith ?x")


def test_conflicting_claims_are_symmetric(store: ox.Store) -> None:
    assert ask(store, "evt:alpha-beta-telegram tw:conflictsWith evt:alpha-beta-letter . evt:alpha-beta-letter tw:conflictsWith evt:alpha-beta-telegram")


def test_types_are_materialised(store: ox.Store) -> None:
    assert ask(store, "place:alpha-town a tw:Place, schema:Place, geo:Feature")
    assert ask(store, "evt:alpha-beta-suspended a tw:Suspension, tw:Event, <http://semanticweb.cs.vu.nl/2009/11/sem/Event>, <http://www.w3.org/ns/prov#Activity>")
    assert ask(store, "act:jane-doe a tw:Actor, <http://xmlns.com/foaf/0.1/Person>")
    assert ask(store, "act:alpha-council a tw:Council, <http://www.w3.org/ns/org#Organization>")


def test_place_details(store: ox.Store) -> None:
    assert ask(store, 'place:alpha-town rdfs:label "Alpha Town"@en, "Alphastadt"@de ; skos:altLabel "Alfa Town" ; owl:sameAs <http://www.wikidata.org/entity/Q6225>')
    assert ask(store, 'place:alpha-town tw:historicalName [ rdfs:label "Old Alpha" ; tw:validFrom "1900"^^xsd:gYear ; tw:validUntil "1961"^^xsd:gYear ; dct:source src:doc-a ]')
    assert ask(store, 'place:alpha-town geo:hasGeometry/geo:asWKT "POINT(-1.5 52.4)"^^geo:wktLiteral')
    assert ask(store, 'place:alpha-town tw:country cty:GB . cty:GB skos:prefLabel "United Kingdom"@en')
    assert ask(store, 'place:fableland tw:fictional true ; tw:placeType ptype:fictional-place')


def test_configurable_base(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = replace(settings_for(MINI, tmp_path), base="http://localhost:8080/")
    graphs = map_graphs(load_data(settings), settings)
    subjects = {t.subject.value for t in graphs["curated"] if isinstance(t.subject, ox.NamedNode)}
    assert "http://localhost:8080/id/place/alpha-town" in subjects
    assert not any(s.startswith("https://w3id.org/twinkg/id/") for s in subjects)
    concepts = {t.subject.value for t in graphs["ontology"] if isinstance(t.subject, ox.NamedNode)}
    assert "http://localhost:8080/vocab/reason/armed-conflict" in concepts


def test_role_and_name_periods_keep_precision_text_and_bounds(store: ox.Store) -> None:
    """'In the 1980s' is not 1980-01-01: an approximate period end keeps its wording and only the bounds it gives."""
    role = "act:jane-doe tw:holdsRole ?r . ?r rdfs:label 'Chair of the Alpha Twinning Committee'@en . "
    assert ask(store, role + "?r tw:validFromText 'in the 1980s' ; tw:validFromLatest '1989-12-31'^^xsd:date ; "
               "tw:validUntilText 'in the 1980s' ; tw:validUntilEarliest '1980-01-01'^^xsd:date")
    assert not ask(store, role + "?r tw:validFrom ?any")
    assert not ask(store, role + "?r tw:validUntil ?any")
    assert not ask(store, role + "?r tw:validFromEarliest ?any")  # the source gives no earliest start
    assert not ask(store, role + "?r tw:validUntilLatest ?any")
    exact = "act:jane-doe tw:holdsRole [ rdfs:label 'Mayor of Alpha Town'@en ; tw:validFrom '1943'^^xsd:gYear ; "
    assert ask(store, exact + "tw:validFromEarliest '1943-01-01'^^xsd:date ; tw:validUntilLatest '1944-12-31'^^xsd:date ]")
    assert ask(store, "place:alpha-town tw:historicalName [ rdfs:label 'Alpha-in-the-Marsh' ; tw:validUntilText 'late 1890s' ; "
               "tw:validUntilEarliest '1896-01-01'^^xsd:date ; tw:validUntilLatest '1899-12-31'^^xsd:date ]")
    assert not ask(store, "?x tw:validFrom ?d FILTER (datatype(?d) = xsd:date)")  # nothing more precise than stated


def test_order_claims_are_facts_with_sources(store: ox.Store) -> None:
    ranks = "PREFIX rank: <https://w3id.org/twinkg/vocab/order-rank/> "
    assert ask(store, "twn:alpha-town--beta-city tw:orderClaim ?c . ?c a tw:OrderClaim ; "
               "tw:rank <https://w3id.org/twinkg/vocab/order-rank/first> ; tw:amongLinksOf place:alpha-town ; "
               "rdfs:comment ?quote ; dct:source src:doc-a")
    assert select(store, ranks + "SELECT ?earlier WHERE { twn:alpha-town--gamma tw:orderClaim [ tw:rank rank:after ; tw:after ?earlier ] }") == [
        ("https://w3id.org/twinkg/id/twinning/alpha-town--beta-city",)]


def test_translated_sources_say_from_what_and_how(store: ox.Store) -> None:
    assert ask(store, "src:doc-b dct:language 'en' ; tw:originalLanguage 'ru' ; tw:translation <https://w3id.org/twinkg/vocab/translation/machine>")
    assert not ask(store, "src:doc-a tw:translation ?any")


def test_a_status_resting_on_conflicting_claims_is_marked(store: ox.Store) -> None:
    """Alpha–Gamma is active only if its 1995 resumption is believed over the claim that it ended in 1990."""
    assert ask(store, "twn:alpha-town--gamma tw:status <https://w3id.org/twinkg/vocab/status/active> ; "
               "tw:statusRestsOnConflict true ; tw:alternativeStatus <https://w3id.org/twinkg/vocab/status/terminated>")
    assert not ask(store, "twn:alpha-town--beta-city tw:statusRestsOnConflict ?any")  # its conflict is about letters


def test_every_link_carries_its_lifecycle_bounds(store: ox.Store) -> None:
    assert ask(store, 'twn:alpha-town--beta-city tw:startEarliest "1944-01-01"^^xsd:date ; tw:startLatest "1944-12-31"^^xsd:date ; '
                      'tw:endEarliest "2022-03-22"^^xsd:date ; tw:endLatest "2022-03-22"^^xsd:date ; '
                      'tw:latestEvidence "2023-05-31"^^xsd:date')  # doc-a is dated 2023-05
    # an approximate start gives bounds and no stated date
    assert ask(store, 'twn:alpha-town--gamma tw:startEarliest "1956-01-01"^^xsd:date ; tw:startLatest "1959-12-31"^^xsd:date')
    assert not ask(store, "twn:alpha-town--gamma tw:endEarliest ?e")
    assert not ask(store, "twn:alpha-town--fableland--gamma tw:startEarliest ?e")


def _text_and_objects(data: Dataset) -> tuple[list[bytes], list[bytes]]:
    """The curated graph's lines as the build writes them (`curated_ntriples`), and as pyoxigraph writes
    the same mapping's `ox.Triple`s: each sorted, once."""
    from twinkg.concepts import load_classes
    from twinkg.mapping import OX, _Mapper, curated_ntriples

    settings = settings_for(MINI, Path("/nonexistent"))
    classes, day = load_classes(settings.ontology_dir), settings.built_at.date()
    text = curated_ntriples(data, Iris(), day, classes)
    objects = ox.serialize(set(_Mapper(data, Iris(), day, classes, OX).statements()), format=ox.RdfFormat.N_TRIPLES) or b""
    return sorted(set(text.splitlines())), sorted(objects.splitlines())


def test_the_curated_text_is_what_pyoxigraph_writes_for_the_same_statements(tmp_path: Path) -> None:
    """The build maps curated records to N-Triples text, not to terms: the lines pyoxigraph writes for the
    terms, escapes and language tags' case included, each statement once."""
    data = load_data(settings_for(MINI, tmp_path))
    awkward = 'a "quoted" back\\slash\ttab\nline\x01\x7f\ufffe\uffff end'
    place = replace(data.places[0], label=awkward, labels={"DE-at": awkward, "fr": "Ville"}, comment="ça\r")
    text, objects = _text_and_objects(replace(data, places=(place, *data.places[1:])))
    assert text == objects and len(text) > 200
    assert any(b'"a \\"quoted\\" back\\\\slash\\ttab\\nline\\u0001\\u007F\\uFFFE\\uFFFF end"@de-at' in line for line in text)


def test_curated_triples_are_triples_not_the_quads_pyoxigraph_parses(tmp_path: Path) -> None:
    """`curated_triples` parses the build's text: it hands back `ox.Triple`s, as it says, the mapping's own
    statements (a set of the `ox.Quad`s `ox.parse` yields is equal to no set of triples)."""
    from twinkg.concepts import load_classes
    from twinkg.mapping import OX, _Mapper, curated_triples

    settings = settings_for(MINI, tmp_path)
    classes, day, data = load_classes(settings.ontology_dir), settings.built_at.date(), load_data(settings)
    triples = curated_triples(data, Iris(), day, classes)
    assert triples and all(type(t) is ox.Triple for t in triples)
    assert triples == set(_Mapper(data, Iris(), day, classes, OX).statements())


@given(st.text(), st.sampled_from([None, "en", "DE-at", "sr-Latn", "zh-Hant-TW", "x-private"]),
       st.sampled_from(["http://www.w3.org/2001/XMLSchema#string", "http://www.w3.org/2001/XMLSchema#gYear",
                        "http://www.opengis.net/ont/geosparql#wktLiteral"]))
def test_any_text_is_the_line_pyoxigraph_writes(text: str, lang: str | None, datatype: str) -> None:
    """Whatever a record's text holds (quotes, backslashes, newlines, U+2028, NUL, U+FFFF), with a language or a
    datatype, `NTriplesTerms` writes the bytes pyoxigraph's N-Triples serializer writes for the same terms."""
    from twinkg.mapping import OX, NTriplesTerms

    nt, s, p = NTriplesTerms(), "http://example.org/s", "http://example.org/p"
    for ours, theirs in ((nt.lit(text, lang), OX.lit(text, lang)), (nt.typed(text, datatype), OX.typed(text, datatype))):
        line = nt.triple(nt.iri(s), nt.iri(p), ours).encode()
        assert line == ox.serialize([OX.triple(OX.iri(s), OX.iri(p), theirs)], format=ox.RdfFormat.N_TRIPLES)


def test_a_literal_without_an_escaped_character_is_written_as_it_is() -> None:
    """`NTriplesTerms` quotes a text as it is unless it holds a character pyoxigraph escapes: true of every
    code point (the test fails if pyoxigraph starts escaping one more)."""
    from twinkg.mapping import _ESCAPED, NTriplesTerms

    terms = NTriplesTerms()
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        c = chr(code)
        assert (terms.lit(c) == f'"{c}"') == (_ESCAPED.search(c) is None) and terms.lit(c) == str(ox.Literal(c)), hex(code)


def test_two_processes_write_the_same_statements(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many twinnings are mapped by two processes (`PARALLEL_TWINNINGS`): the same statements as one writes."""
    from twinkg import mapping

    data = load_data(settings_for(MINI, tmp_path))
    one = _text_and_objects(data)
    forks: list[str] = []

    class Counted(Forked[bytes]):
        def __init__(self, fn: Callable[[], bytes], name: str):
            forks.append(name)
            super().__init__(fn, name)

    monkeypatch.setattr(mapping, "PARALLEL_TWINNINGS", 2)
    monkeypatch.setattr(mapping, "Forked", Counted)
    assert _text_and_objects(data) == one and forks == ["curated mapping"]
    assert len(data.twinnings) >= 3


@pytest.mark.parametrize("failure", ["error", "bug"])
def test_a_record_that_fails_in_the_childs_share_fails_as_in_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                          failure: str) -> None:
    """A twinning the forked child maps (the first 4/7) that raises: a twinkg error is itself in the parent, the
    same message as one process gives; any other exception is a failure of the stage that names it."""
    from twinkg import mapping
    from twinkg.concepts import load_classes
    from twinkg.errors import InputError, TwinkgError

    settings = settings_for(MINI, tmp_path)
    data, classes, day = load_data(settings), load_classes(settings.ontology_dir), settings.built_at.date()
    first = data.twinnings[0].slug
    plain = mapping._Mapper.twinning

    def failing(self: mapping._Mapper[str], twinning: Twinning) -> Iterator[str]:
        if twinning.slug == first:
            raise InputError(f"twinnings.yaml: {first}: partners: odd") if failure == "error" else KeyError(first)
        return plain(self, twinning)

    monkeypatch.setattr(mapping._Mapper, "twinning", failing)
    with pytest.raises(TwinkgError if failure == "error" else KeyError) as alone:
        mapping.curated_ntriples(data, Iris(), day, classes)
    monkeypatch.setattr(mapping, "PARALLEL_TWINNINGS", 2)
    with pytest.raises(TwinkgError) as forked:
        mapping.curated_ntriples(data, Iris(), day, classes)
    if failure == "error":
        assert type(forked.value) is InputError and str(forked.value) == str(alone.value)
    else:
        assert str(forked.value).startswith("the curated mapping stage failed:") and f"KeyError: '{first}'" in str(forked.value)
