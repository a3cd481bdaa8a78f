"""One resource per place: the offline reconciliation, the build's same-name check, Wikidata's doubles, and the merge.

The rules are in `twinkg.world.identity` and data/reference/README.md."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pyoxigraph as ox
import pytest
from starlette.testclient import TestClient
from support.builds import PROJECT_ROOT, graph_triples

from twinkg.concepts import load_codes
from twinkg.config import Settings
from twinkg.curated.loader import load
from twinkg.curated.records import Dataset, Place, Twinning, Where
from twinkg.errors import InputError
from twinkg.output import DUPLICATES
from twinkg.vocab import DCT, OWL, SKOS, TW
from twinkg.world import identity
from twinkg.world.records import Claim, Item, World
from twinkg.world.snapshots import read_snapshots

DATA = PROJECT_ROOT / "data"
BASE = "https://w3id.org/twinkg/"
HERE = Where("test.yaml", 1)


@pytest.fixture(scope="module")
def default() -> tuple[Dataset, World]:
    return load(DATA, load_codes(PROJECT_ROOT / "ontology")), read_snapshots(DATA / "snapshots")


def place(pid: str, label: str, country: str | None = "DE", wikidata: str | None = None, **kw: object) -> Place:
    return Place(id=pid, label=label, country=country, sources=("s",), where=HERE, wikidata=wikidata, **kw)  # type: ignore[arg-type]


def world_of(items: list[Item], links: tuple[tuple[str, str], ...] = ()) -> World:
    w = World()
    for item in items:
        w.items[item.qid] = item
    w.claims = [Claim(a, b, "wikidata-p190-2016", True) for a, b in links]
    return w


def dataset(places: list[Place], pairs: tuple[tuple[str, str], ...] = ()) -> Dataset:
    twinnings = tuple(Twinning(f"{a}--{b}", (a, b), "twin-town", ("s",), HERE) for a, b in pairs)
    return Dataset(sources=(), places=tuple(places), actors=(), twinnings=twinnings)


# --- the recorded decisions ---------------------------------------------------------


def test_every_curated_qid_is_a_verified_row_of_the_reference_list(default: tuple[Dataset, World]) -> None:
    data, _ = default
    with open(DATA / "reference" / "seed-city-qids.csv", encoding="utf-8", newline="") as f:
        verified = {r["qid"] for r in csv.DictReader(f) if r["status"] == "verified"}
    qids = [p.wikidata for p in data.places if p.wikidata]
    assert len(qids) == len(set(qids)), "two curated places share a Q-id"
    assert sorted(set(qids) - verified) == []
    assert len(qids) >= 95  # 40 from the seed list, 55 reconciled from the snapshots


def test_default_data_has_no_unreviewed_same_name_same_country_pair(default: tuple[Dataset, World]) -> None:
    data, world = default
    reviewed = identity.read_not_duplicates(DATA / "reference" / identity.NOT_DUPLICATES)
    pairs = identity.same_name_pairs(data, world, reviewed)
    assert [p for p in pairs if not p.review] == []
    assert {(p.a, p.b) for p in pairs} == set(reviewed)  # no stale review either


def test_reconciling_the_default_data_again_verifies_nothing_new(default: tuple[Dataset, World]) -> None:
    """Every place the snapshots corroborate already carries its Q-id: what is left is for review or unknown there."""
    data, world = default
    matches = identity.reconcile(data, world)
    assert [m.place.id for m in matches if m.decision == "verified"] == []
    assert {m.place.id for m in matches} >= {"ozyorsk", "nieuwegein"}  # seed-city-qids.csv: ambiguous, not found


# --- the reconciliation rules -------------------------------------------------------


def test_normalise_ignores_accents_case_punctuation_and_the_spelling_of_saint() -> None:
    assert identity.normalise("St. Petersburg") == identity.normalise("Saint-Petersburg") == identity.normalise("Sankt Petersburg")
    assert identity.normalise("Düsseldorf") == identity.normalise("DUSSELDORF")
    assert identity.normalise("Kiew") != identity.normalise("Kyiv")


def test_normalise_skips_decomposing_an_ascii_name_and_gives_what_decomposing_gives() -> None:
    """An ASCII name has no accents to take off, so normalise does not decompose it; every ASCII character,
    and names with and without accents, normalise as when the marks are taken off one by one."""
    def by_character(name: str) -> str:
        text = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)).casefold()
        return identity._SAINT.sub("saint", identity._NOT_WORD.sub(" ", text.replace("ß", "ss"))).strip()

    for name in ("".join(map(chr, range(128))), "St. Petersburg", "Saint-Étienne", "Straße", "Ǆemal", "Kyiv", "Ångström"):
        assert identity.normalise(name) == by_character(name)


def test_one_same_name_same_country_city_is_verified() -> None:
    w = world_of([Item("Q1", english="Rome", country="IT"), Item("Q2", english="Rome", country="US")])
    [m] = identity.reconcile(dataset([place("rome", "Rome", "IT")]), w)
    assert (m.decision, m.qid) == ("verified", "Q1")
    assert [c.qid for c in m.candidates] == ["Q1"]  # the other country is no candidate


def test_two_same_name_same_country_items_go_to_review_with_both() -> None:
    w = world_of([Item("Q1", english="Glendale", country="US"), Item("Q2", english="Glendale", country="US")])
    [m] = identity.reconcile(dataset([place("glendale", "Glendale, California", "US")]), w)
    assert m.decision == "review" and m.qid is None
    assert [c.qid for c in m.candidates] == ["Q1", "Q2"]


def test_name_alone_without_a_country_is_not_verified() -> None:
    w = world_of([Item("Q7", other="Mariupol")])
    [m] = identity.reconcile(dataset([place("mariupol", "Mariupol", "UA")]), w)
    assert m.decision == "review" and m.qid is None


def test_a_shared_partner_corroborates_a_name_without_a_country_and_verifies_in_rounds() -> None:
    """Paris is verified by country; then Rome (no country in the source) by its P190 link with Paris."""
    w = world_of([Item("Q90", english="Paris", country="FR"), Item("Q220", other="Rom"), Item("Q221", other="Rome"),
                  Item("Q222", other="Rome")], links=(("Q221", "Q90"),))
    data = dataset([place("paris", "Paris", "FR"), place("rome", "Rome", "IT")], pairs=(("paris", "rome"),))
    decisions = {m.place.id: (m.decision, m.qid) for m in identity.reconcile(data, w)}
    assert decisions == {"paris": ("verified", "Q90"), "rome": ("verified", "Q221")}


def test_a_qid_another_curated_place_has_is_not_given_twice() -> None:
    w = world_of([Item("Q1", english="Berlin", country="DE")])
    data = dataset([place("berlin", "Berlin", wikidata="Q1"), place("berlin-2", "Berlin")])
    [m] = identity.reconcile(data, w)
    assert m.decision == "review" and m.qid is None


# --- the build's check and report ---------------------------------------------------


def test_same_name_check_lists_unreviewed_pairs_and_skips_merged_and_other_countries(tmp_path: Path) -> None:
    w = world_of([Item("Q1", english="Paris", country="FR"), Item("Q2", english="Paris", country="US"),
                  Item("Q3", other="Paris"), Item("Q4", english="Rome", country="IT")])
    data = dataset([place("paris", "Paris", "FR"), place("rome", "Rome", "IT", wikidata="Q4")])
    reviewed_file = tmp_path / "not-duplicates.csv"
    reviewed_file.write_text("place,wikidata,label,reason\nparis,Q3,Paris,a county of that name\n", encoding="utf-8")
    pairs = identity.same_name_pairs(data, w, identity.read_not_duplicates(reviewed_file))
    assert [(p.a, p.b, p.review) for p in pairs] == [("paris", "Q1", ""), ("paris", "Q3", "a county of that name")]
    rows = list(csv.DictReader(identity.duplicates_csv(pairs, []).decode().splitlines()))
    assert [r["review"] for r in rows] == ["unreviewed", "a county of that name"]


def test_a_bad_review_file_is_refused_naming_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "not-duplicates.csv"
    bad.write_text("place,wikidata,label,reason\nparis,Paris,Paris,\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        identity.read_not_duplicates(bad)
    text = "\n".join([str(err.value), *err.value.details()])
    assert f"{bad}:2: paris: wikidata: not a Wikidata item id" in text
    assert f"{bad}:2: paris: reason: empty" in text
    bad.write_text("place,qid\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        identity.read_not_duplicates(bad)


def test_wikidata_doubles_sharing_a_partner_are_reported(default: tuple[Dataset, World]) -> None:
    _, world = default
    pairs = {(p.a, p.b): p for p in identity.wikidata_doubles(world)}
    assert ("Q727", "Q9899") in pairs  # Amsterdam twice, sharing London, Moscow, Kyiv ...
    assert "Q84" in pairs[("Q727", "Q9899")].shared_partners
    assert ("Q271079", "Q271082") in pairs  # Åmål
    assert len(pairs) > 100


def test_build_writes_the_identity_report(curated_dist: Settings, built_store: ox.Store) -> None:
    settings = curated_dist
    rows = list(csv.DictReader((settings.out_dir / DUPLICATES).read_text(encoding="utf-8").splitlines()))
    assert {r["check"] for r in rows} == {"curated-wikidata", "wikidata-double"}
    assert not [r for r in rows if r["review"] == "unreviewed"]
    assert any(r["a"] == "Q727" and r["b"] == "Q9899" for r in rows)
    # owl:sameAs between Wikidata's doubles only where a source says so: none of the snapshots does
    assert objects(built_store, BASE + "id/place/q727", OWL + "sameAs", "wikidata") == {"http://www.wikidata.org/entity/Q727"}


# --- the merge ----------------------------------------------------------------------


def objects(store: ox.Store, s: str, p: str, *graphs: str) -> set[str]:
    """The objects of (s, p) in the build's named graphs (default: curated and wikidata)."""
    return {t.object.value for t in graph_triples(store, BASE, *(graphs or ("curated", "wikidata")), predicate=p)
            if t.subject.value == s}


def test_kyiv_is_one_resource_with_both_names_and_all_links(built_store: ox.Store) -> None:
    kyiv = BASE + "id/place/kyiv"
    assert objects(built_store, kyiv, OWL + "sameAs") == {"http://www.wikidata.org/entity/Q1899"}
    assert "Kiew" in objects(built_store, kyiv, SKOS + "altLabel")
    assert objects(built_store, BASE + "id/place/q1899", DCT + "isReplacedBy") == {kyiv}
    assert len(objects(built_store, kyiv, TW + "twinnedWith")) >= 48
    assert not objects(built_store, BASE + "id/place/q1899", TW + "twinnedWith")


def test_paris_rome_and_q220_q90_are_one_link(built_store: ox.Store) -> None:
    links = {t.subject.value for t in graph_triples(built_store, BASE, "curated", "wikidata", predicate=TW + "partner")}
    assert BASE + "id/twinning/paris--rome" in links
    assert BASE + "id/twinning/q220--q90" not in links
    sources = objects(built_store, BASE + "id/twinning/paris--rome", DCT + "source")
    assert BASE + "id/source/wikidata-cities-2026" in sources  # Wikidata's pair is a source of the curated link


@pytest.mark.parametrize("q", ["Kyiv", "Kiew", "Q1899"])
def test_search_finds_kyiv_once_by_either_name(curated_client: TestClient, q: str) -> None:
    r = curated_client.get("/search", params={"q": q})
    assert r.status_code == 200
    assert "/page/id/place/kyiv" in r.text
    assert "/page/id/place/q1899" not in r.text


def test_reconcile_offline_writes_a_review_file_and_changes_no_data(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    data = tmp_path / "data"
    shutil.copytree(DATA, data, ignore=shutil.ignore_patterns("wikidata"))
    before = (data / "places.yaml").read_bytes()
    review = tmp_path / "review.csv"
    done = subprocess.run([sys.executable, "-m", "twinkg", "reconcile", "--offline", "--data", str(data), "--review", str(review)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(review.read_text(encoding="utf-8").splitlines()))
    assert {r["place"] for r in rows} >= {"ozyorsk", "nieuwegein"} and all(r["decision"] != "verified" for r in rows)
    assert (data / "places.yaml").read_bytes() == before
