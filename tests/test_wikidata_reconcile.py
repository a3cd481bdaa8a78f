"""`twinkg reconcile` and `twinkg diff-wikidata` on the fixture server: namesakes, review file, report."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from support.wikidata import REPO
from typer.testing import CliRunner

from twinkg.build import load_data
from twinkg.cli import app
from twinkg.config import Settings
from twinkg.enrich.client import SparqlClient
from twinkg.enrich.reconcile import Proposal, ReviewError, reconcile, write_ids

DATA = REPO / "tests" / "fixtures" / "wikidata" / "data"
runner = CliRunner()



@pytest.fixture(scope="module")
def proposals(wikidata_endpoint: str) -> dict[str, Proposal]:
    data = load_data(Settings(data_dir=DATA))
    with SparqlClient(wikidata_endpoint) as client:
        return {p.place.id: p for p in reconcile(data, client)}


def test_the_right_toledo_by_country(proposals: dict[str, Proposal]) -> None:
    spain, ohio = proposals["toledo-spain"], proposals["toledo-ohio"]
    assert {c.qid for c in spain.candidates} == {c.qid for c in ohio.candidates} == {"Q5836", "Q49239"}
    assert (spain.decision, spain.accepted) == ("accept", "Q5836")
    assert (ohio.decision, ohio.accepted) == ("accept", "Q49239")
    assert ohio.candidates[1].scores["country"] == 0.0


def test_the_right_burlington_by_its_partners(proposals: dict[str, Proposal]) -> None:
    vermont = proposals["burlington-vermont"]
    assert [c.qid for c in vermont.candidates] == ["Q31058", "Q34218"]
    assert vermont.candidates[0].partners == ["Q2423"]  # already twinned with Yaroslavl in Wikidata
    assert (vermont.decision, vermont.accepted) == ("accept", "Q31058")


def test_namesakes_nothing_tells_apart_stay_ambiguous(proposals: dict[str, Proposal]) -> None:
    unknown = proposals["burlington-unknown"]
    assert unknown.decision == "ambiguous" and unknown.accepted is None
    assert {c.qid for c in unknown.candidates} == {"Q31058", "Q34218"}


def test_kingstons(proposals: dict[str, Proposal]) -> None:
    hull = proposals["hull"]
    assert (hull.decision, hull.accepted) == ("accept", "Q128147")
    uk = proposals["kingston-uk"]  # only the Jamaican Kingston is called just "Kingston" in the crawl
    assert [c.qid for c in uk.candidates] == ["Q34692"]
    assert uk.decision == "low-score" and uk.accepted is None and "another country" in uk.reason


def test_reconcile_accept_writes_only_unambiguous_ids_keeping_the_file(data_dir: Path, wikidata_endpoint: str) -> None:
    before = (data_dir / "curated.yaml").read_text(encoding="utf-8")
    result = runner.invoke(app, ["reconcile", "--data", str(data_dir), "--endpoint", wikidata_endpoint, "--accept"])
    assert result.exit_code == 0, result.output
    after = (data_dir / "curated.yaml").read_text(encoding="utf-8")
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["    wikidata: Q5836", "    wikidata: Q49239", "    wikidata: Q31058", "    wikidata: Q128147"]
    assert [line for line in before.splitlines() if line not in after.splitlines()] == []
    assert "# the right one: Q5836" in after  # comments survive
    places = {p.id: p.wikidata for p in load_data(Settings(data_dir=data_dir)).places}
    assert places["burlington-unknown"] is None and places["kingston-uk"] is None
    review = YAML(typ="safe").load((data_dir / "wikidata" / "reconcile-review.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in review["places"] if e["place"] == "burlington-unknown")
    assert entry["decision"] == "ambiguous" and entry["accept"] is None and len(entry["candidates"]) == 2


def test_apply_writes_what_a_person_accepted(data_dir: Path, wikidata_endpoint: str, tmp_path: Path) -> None:
    bad = runner.invoke(app, ["reconcile", "--data", str(data_dir), "--apply", "--review", str(data_dir / "r.yaml")])
    assert bad.exit_code == 1 and "put the review file elsewhere" in " ".join(bad.output.split())
    review = tmp_path / "review.yaml"
    assert runner.invoke(app, ["reconcile", "--data", str(data_dir), "--endpoint", wikidata_endpoint,
                               "--review", str(review), "--place", "burlington-unknown"]).exit_code == 0
    yaml = YAML()
    document = yaml.load(review)
    document["places"][0]["accept"] = "Q34218"  # the reviewer decided
    with review.open("w", encoding="utf-8") as out:
        yaml.dump(document, out)
    result = runner.invoke(app, ["reconcile", "--data", str(data_dir), "--apply", "--review", str(review)])
    assert result.exit_code == 0, result.output
    places = {p.id: p.wikidata for p in load_data(Settings(data_dir=data_dir)).places}
    assert places["burlington-unknown"] == "Q34218" and places["toledo-spain"] is None


def test_an_existing_id_is_never_replaced(data_dir: Path) -> None:
    data = load_data(Settings(data_dir=data_dir))
    with pytest.raises(ReviewError, match="already Q6225"):
        write_ids(data, {"coventry": "Q1"})


def test_diff_wikidata_report_and_quickstatements(data_dir: Path, wikidata_endpoint: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["enrich", "--data", str(data_dir), "--endpoint", wikidata_endpoint]).exit_code == 0
    out = tmp_path / "report"
    result = runner.invoke(app, ["diff-wikidata", "--data", str(data_dir), "--out", str(out), "--as-of", "2026-11-01"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO((out / "wikidata-diff.csv").read_text(encoding="utf-8"))))
    found = {(r["category"], r["place_a"], r["place_b"]) for r in rows}
    assert found == {
        ("both", "volgograd", "coventry"),
        ("both", "kiel", "coventry"),
        ("both", "coventry", "cork"),
        ("both", "vladimir", "canterbury"),
        ("missing-in-wikidata", "belgrade", "coventry"),
        ("missing-in-twinkg", "dresden", "coventry"),
        ("end-missing", "volgograd", "coventry"),
        ("end-missing", "kiel", "coventry"),
        ("one-directional", "cork", "coventry"),
        ("one-directional", "vladimir", "canterbury"),
    }
    end = next(r for r in rows if r["category"] == "end-missing" and r["place_a"] == "kiel")
    assert end["wikidata_p190"] == "Q1707→Q6225" and end["twinkg_status"] == "terminated"
    suspended = next(r for r in rows if r["category"] == "end-missing" and r["place_a"] == "volgograd")
    assert "not an end" in suspended["detail"]
    qs = (out / "quickstatements.txt").read_text(encoding="utf-8").splitlines()
    assert sorted(qs) == sorted([
        'Q3711\tP190\tQ6225\tP580\t+1957-00-00T00:00:00Z/9\tS1476\ten:"A printed \'history\' of twinning"',
        'Q6225\tP190\tQ3711\tP580\t+1957-00-00T00:00:00Z/9\tS1476\ten:"A printed \'history\' of twinning"',
        'Q1707\tP190\tQ6225\tP582\t+2020-01-01T00:00:00Z/11\tS1476\ten:"A printed \'history\' of twinning"',
        'Q6225\tP190\tQ36647\tS854\t"https://example.org/twin-towns"',
        'Q29303\tP190\tQ2684\tP580\t+1997-00-00T00:00:00Z/9\tS854\t"https://example.org/twin-towns"',
    ])
    markdown = (out / "wikidata-diff.md").read_text(encoding="utf-8")
    assert "## One-directional P190 statements" in markdown and "[Q29303](https://www.wikidata.org/wiki/Q29303)" in markdown


def test_diff_wikidata_needs_the_cache(data_dir: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["diff-wikidata", "--data", str(data_dir), "--out", str(tmp_path / "r")])
    assert result.exit_code == 1 and "twinkg enrich" in result.output
