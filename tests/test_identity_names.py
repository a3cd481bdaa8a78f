"""Display names and non-places (issue 22): curated English, else @en, else the 2016 crawl's @und name marked as
such on pages; an organisation P190 reaches (the ANC) is an actor, not a place."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient

from twinkg.errors import InputError
from twinkg.vocab import RDF, RDFS, TW
from twinkg.world import non_places
from twinkg.world.records import Claim, World

BASE = "https://w3id.org/twinkg/"
ORG = "http://www.w3.org/ns/org#Organization"



def test_a_name_of_undetermined_language_is_marked_on_its_page(curated_client: TestClient) -> None:
    text = curated_client.get("/page/id/place/q2191").text  # "Oblast Leningrad", only the 2016 crawl names it
    h1 = re.search(r"<h1>(.*?)</h1>", text, re.S).group(1)
    assert '<span class="und-name" lang="und">Oblast Leningrad</span>' in h1 and "name as recorded in 2016" in h1


def test_lists_mark_undetermined_names_and_never_show_kiew_as_a_name(curated_client: TestClient) -> None:
    results = curated_client.get("/search", params={"q": "Abruzzen"}).text
    assert re.search(r'<span class="und-name" lang="und">Abruzzen</span> <small class="und-mark"', results)
    home = curated_client.get("/").text
    assert "Kiew" not in home and ">Kyiv</a>" in home
    for name in re.findall(r'<li><a href="/page/id/place/[^"]+">(.*?)</a>', home):
        assert name.startswith('<span class="und-name"') or "<" not in name


def test_a_link_named_after_an_undetermined_name_is_not_english(built_store: ox.Store) -> None:
    labels = [r["label"] for r in built_store.query(f"""SELECT ?label WHERE {{ GRAPH <{BASE}graph/wikidata> {{
        ?t <{RDFS}label> ?label FILTER(STRSTARTS(STR(?t), "{BASE}id/twinning/") && CONTAINS(?label, "Abruzzen")) }} }}""")]
    assert labels and all(label.language == "und" for label in labels)


def test_the_anc_is_an_organisation_not_a_place(built_store: ox.Store, curated_client: TestClient) -> None:
    graphs = f"VALUES ?g {{ <{BASE}graph/curated> <{BASE}graph/wikidata> }}"
    types = {r["type"].value for r in built_store.query(
        f"SELECT ?type WHERE {{ {graphs} GRAPH ?g {{ <{BASE}id/actor/q83162> <{RDF}type> ?type }} }}")}
    assert {TW + "Actor", ORG} <= types
    place = f"<{BASE}id/place/q83162>"
    assert not built_store.query(f"ASK {{ {graphs} GRAPH ?g {{ {{ {place} ?p ?o }} UNION {{ ?s ?p {place} }} }} }}")
    assert "No place has that name" in curated_client.get("/search", params={"q": "Naional"}).text


def test_recorded_non_places_lose_their_claims_and_bad_rows_are_refused(tmp_path: Path) -> None:
    world = World(claims=[Claim("Q13360", "Q83162", "wikidata-p190-2016", True), Claim("Q13360", "Q90", "x", True)])
    good = tmp_path / "not-places.csv"
    good.write_text("wikidata,label,type,reason\nQ83162,ANC,organisation,a party\n", encoding="utf-8")
    recorded = non_places.read(good, {"organisation", "person"})
    assert non_places.set_aside(world, recorded) == [("Q13360", "Q83162")]
    assert [(c.subject, c.object) for c in world.claims] == [("Q13360", "Q90")]
    good.write_text("wikidata,label,type,reason\nANC,ANC,party,\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        non_places.read(good, {"organisation"})
    text = "\n".join([str(err.value), *err.value.details()])
    for field in ("wikidata: not a Wikidata item id", "type: not an actor-type code", "reason: empty"):
        assert f"{good}:2: ANC: {field}" in text
