"""Countries checked: a stated country against a same-named populated place near the coordinates."""

from __future__ import annotations

import sys
import unicodedata

import pandas as pd
import pyoxigraph as ox
from support.builds import solutions

from twinkg.config import Settings
from twinkg.world.countries import Reference, check_countries, name_key
from twinkg.world.records import World

TW = "https://w3id.org/twinkg/ontology#"
GOERLITZ = (51.152777777, 14.987222222)  # as the 2026 extract has it, with countrycd PL


def _world(name: str, country: str, point: tuple[float, float]) -> World:
    world = World()
    item = world.item("Q1", "test")
    item.english, item.country, item.coordinates = name, country, point
    return world


def test_a_border_town_coded_with_its_neighbour_is_corrected() -> None:
    ref = Reference([("Görlitz", "DE", 51.1552, 14.9885), ("Zgorzelec", "PL", 51.1494, 15.0084)])
    world = _world("Görlitz", "PL", GOERLITZ)
    check = check_countries(world, ref)["Q1"]
    assert (check.stated, check.found, check.corrected) == ("PL", "DE", True)
    assert world.items["Q1"].country == "DE"


def test_same_named_towns_across_a_border_do_not_contradict_the_source() -> None:
    """Rheinfelden (CH) and Rheinfelden (DE) face each other across the Rhine."""
    ref = Reference([("Rheinfelden", "CH", 47.5544, 7.7940), ("Rheinfelden", "DE", 47.5601, 7.7872)])
    world = _world("Rheinfelden", "CH", (47.5611, 7.7917))
    assert not check_countries(world, ref)["Q1"].corrected
    assert world.items["Q1"].country == "CH"


def test_disputed_and_overseas_territories_are_not_contradictions() -> None:
    ref = Reference([("Simferopol", "UA", 44.95, 34.10), ("Cayenne", "GF", 4.93, -52.33)])
    for name, stated, point in (("Simferopol", "RU", (44.95, 34.1)), ("Cayenne", "FR", (4.93, -52.33))):
        world = _world(name, stated, point)
        assert not check_countries(world, ref)["Q1"].corrected
        assert world.items["Q1"].country == stated


def test_no_same_named_place_near_leaves_the_country_unchecked() -> None:
    ref = Reference([("Görlitz", "DE", 51.1552, 14.9885)])
    world = _world("Görlitz", "PL", (40.0, 20.0))  # far from the reference's Görlitz
    check = check_countries(world, ref)["Q1"]
    assert check.found is None and not check.corrected and world.items["Q1"].country == "PL"
    assert name_key("Český Těšín") == name_key("cesky tesin")


def test_the_name_key_is_the_alphanumerics_of_the_decomposed_name_without_marks_over_every_code_point() -> None:
    """name_key drops what is not alphanumeric with one regular expression; the definition it keeps is
    character by character: alphanumeric and not a combining mark, after NFKD and casefold."""
    def by_character(name: str) -> str:
        decomposed = unicodedata.normalize("NFKD", name.casefold())
        return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    for start in range(0, len(every), 4096):
        assert name_key(every[start:start + 4096]) == by_character(every[start:start + 4096])
    for name in ("Český Těšín", "Sankt-Peterburg_1", "İstanbul", "Straße", "Ǆemal", "x\u0301y", "١٢٣ القاهرة"):
        assert name_key(name) == by_character(name)


def test_goerlitz_is_de_and_its_link_with_zgorzelec_is_not_domestic(curated_dist: Settings, built_store: ox.Store) -> None:
    settings = curated_dist
    places = pd.read_csv(settings.out_dir / "places.csv", dtype=str, keep_default_na=False).set_index("wikidata")
    assert (places.loc["Q4077", "country"], places.loc["Q4077", "country_checked"], places.loc["Q4077", "country_stated"]) \
        == ("DE", "corrected", "PL")
    assert places.loc["Q147929", ["country", "country_checked"]].tolist() == ["PL", "agrees"]
    links = pd.read_csv(settings.out_dir / "twinnings.csv", dtype=str, keep_default_na=False)
    pair = links[links.place_a_wikidata.isin(["Q4077", "Q147929"]) & links.place_b_wikidata.isin(["Q4077", "Q147929"])]
    assert len(pair) == 1 and pair.iloc[0].same_country == "false"
    country = settings.base + "vocab/country/"
    rows = list(solutions(built_store.query(f"""SELECT ?country ?stated WHERE {{ GRAPH <{settings.base}graph/wikidata> {{
        ?goerlitz <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q4077> ;
                  <{TW}country> ?country ; <{TW}countryAsStated> ?stated }} }}""")))
    assert [(r["country"], r["stated"]) for r in rows] == [(ox.NamedNode(country + "DE"), ox.NamedNode(country + "PL"))]
