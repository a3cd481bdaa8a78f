"""The loader's error report: every problem at once, as file:line: record: field: message."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from support.builds import MINI, PROJECT_ROOT

from twinkg.concepts import load_codes
from twinkg.curated import loader
from twinkg.curated.loader import LoadError, load
from twinkg.forked import Forked

CODES = load_codes(PROJECT_ROOT / "ontology")


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(MINI, target)
    return target


def problems_of(data: Path) -> list[str]:
    with pytest.raises(LoadError) as info:
        load(data, CODES)
    return [str(p) for p in info.value.problems]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture text {old!r} not found in {path}"
    path.write_text(text.replace(old, new, 1))


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_mini_fixture_loads() -> None:
    data = load(MINI, CODES)
    assert {p.id for p in data.places} == {"alpha-town", "beta-city", "gamma", "fableland"}
    assert {t.slug for t in data.twinnings} == {"alpha-town--beta-city", "alpha-town--gamma", "alpha-town--fableland--gamma"}


def test_malformed_yaml_names_file_and_line(data: Path) -> None:
    (data / "broken.yaml").write_text("places:\n  - id: x\n    label: [unclosed\n")
    (problem,) = problems_of(data)
    assert problem.startswith(f"{data / 'broken.yaml'}:")
    assert "malformed YAML" in problem


def test_unknown_place_reference(data: Path) -> None:
    path = data / "twinnings.yaml"
    edit(path, "partners: [alpha-town, gamma]", "partners: [alpha-town, atlantis]")
    line = line_of(path, "partners: [alpha-town, atlantis]")
    assert f"{path}:{line}: alpha-town--atlantis: partners: unknown place 'atlantis'" in problems_of(data)


def test_duplicate_ids_are_reported_for_each_record(data: Path) -> None:
    edit(data / "places.yaml", "id: gamma", "id: beta-city")
    found = [p for p in problems_of(data) if "duplicate place id" in p]
    assert len(found) == 2 and all(": beta-city: id: " in p for p in found)


def test_duplicate_twinning_needs_a_variant(data: Path) -> None:
    path = data / "twinnings.yaml"
    path.write_text(path.read_text() + "  - partners: [gamma, alpha-town]\n    kind: twin-town\n    sources: [doc-b]\n")
    assert any("duplicate twinning id" in p and "variant" in p for p in problems_of(data))
    path.write_text(path.read_text() + "    variant: second\n")
    assert {t.slug for t in load(data, CODES).twinnings} >= {"alpha-town--gamma", "alpha-town--gamma_second"}


@pytest.mark.parametrize("bad, expected", [
    ("1944-02-30", "is not a real date"),
    ("1944-13", "month 13 is not between 1 and 12"),
    ("spring 1944", "expected a date like 1944"),
    ("{text: late, earliest: 1990, latest: 1980}", "latest (1980-12-31) is before earliest"),
])
def test_bad_dates(data: Path, bad: str, expected: str) -> None:
    path = data / "twinnings.yaml"
    edit(path, "date: 1944\n", f"date: {bad}\n")
    line = line_of(path, f"date: {bad}")
    (problem,) = problems_of(data)
    assert problem.startswith(f"{path}:{line}: alpha-beta-established: date: ")
    assert expected in problem


def test_missing_source_and_unknown_source(data: Path) -> None:
    edit(data / "places.yaml", "    type: town\n    sources: [doc-b]\n", "    type: town\n")
    edit(data / "twinnings.yaml", "sources: [doc-b]\n  - partners: [alpha-town, gamma, fableland]", "sources: [doc-z]\n  - partners: [alpha-town, gamma, fableland]")
    problems = problems_of(data)
    assert any(": gamma: sources: at least one source is required" in p for p in problems)
    assert any(": alpha-gamma-established: sources: unknown source 'doc-z'" in p for p in problems)


def test_unknown_concept_codes(data: Path) -> None:
    edit(data / "twinnings.yaml", "reasons: [armed-conflict]", "reasons: [bad-weather]")
    edit(data / "twinnings.yaml", "kind: symbolic", "kind: romance")
    problems = problems_of(data)
    assert any(": alpha-beta-suspended: reasons: unknown reason code 'bad-weather'" in p for p in problems)
    assert any(": alpha-town--fableland--gamma: kind: unknown kind code 'romance'" in p for p in problems)


def test_suspension_needs_a_reason(data: Path) -> None:
    edit(data / "twinnings.yaml", "        reasons: [armed-conflict]\n", "")
    assert any("alpha-beta-suspended: reasons: a suspension needs at least one reason" in p for p in problems_of(data))


def test_field_typos_and_bad_values(data: Path) -> None:
    edit(data / "places.yaml", "wikidata: Q6225", "wikidata: 6225")
    edit(data / "places.yaml", "country: DE", "country: XX\n    lable: Gamma")
    edit(data / "twinnings.yaml", "initiated_by: [beta-city]", "initiated_by: [gamma]")
    problems = problems_of(data)
    assert any(": alpha-town: wikidata: expected a Wikidata item id" in p for p in problems)
    assert any(": gamma: country: unknown country code 'XX'" in p for p in problems)
    assert any(": gamma: lable: unknown field" in p for p in problems)
    assert any("initiated_by: 'gamma' is not a partner of alpha-town--beta-city" in p for p in problems)


def test_a_language_tag_or_url_rdf_cannot_hold_is_a_problem_of_its_record(data: Path) -> None:
    """A label's language and a source's URL go into the RDF as they are: one pyoxigraph rejects is reported
    with its file, record and field, not raised by the mapping as a ValueError's traceback."""
    edit(data / "places.yaml", "labels: {de: Alphastadt}", 'labels: {"d e": Alphastadt, en-GB: Alpha}')
    edit(data / "places.yaml", "      - name: Old Alpha\n", "      - name: Old Alpha\n        language: en_GB\n")
    edit(data / "sources.yaml", "    date: 2023-05\n", '    date: 2023-05\n    url: "https://example.org/a b"\n')
    problems = problems_of(data)
    assert any(": alpha-town: labels: 'd e' is not a language tag" in p for p in problems), problems
    assert not any("en-GB" in p for p in problems)
    assert any(": alpha-town: language: 'en_GB' is not a language tag" in p for p in problems), problems
    assert any(": doc-a: url: 'https://example.org/a b' is not an IRI" in p for p in problems), problems
    assert len(problems) == 3


def test_all_problems_in_one_run(data: Path) -> None:
    edit(data / "twinnings.yaml", "date: 1944\n", "date: 1944-02-30\n")
    edit(data / "twinnings.yaml", "reasons: [humour]", "reasons: [hilarity]")
    edit(data / "places.yaml", "id: gamma", "id: Gamma!")
    problems = problems_of(data)
    assert len(problems) >= 3
    for p in problems:
        assert re.match(r"^.+:\d+: [^:]+: [^:]+: .+$", p), p


def test_cli_reports_without_traceback_and_writes_nothing(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    out.mkdir()
    (out / "SHA256SUMS").write_text("")  # a previous build's folder, which a build may replace (any other is refused)
    (out / "keep.txt").write_text("previous build")
    edit(data / "twinnings.yaml", "partners: [alpha-town, gamma]", "partners: [alpha-town, atlantis]")
    edit(data / "twinnings.yaml", "date: 1944\n", "date: 1944-99\n")
    proc = subprocess.run([sys.executable, "-m", "twinkg", "build", "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "unknown place 'atlantis'" in proc.stderr and "month 99" in proc.stderr
    assert "2 problem(s) in the curated data; nothing was written" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["SHA256SUMS", "keep.txt"]


@hsettings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=80))
def test_loader_never_crashes_on_arbitrary_text(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    data = tmp_path_factory.mktemp("fuzz")
    (data / "x.yaml").write_text(text, encoding="utf-8")
    try:
        load(data, CODES)
    except LoadError as exc:
        assert all(str(p).startswith(str(data / "x.yaml")) for p in exc.problems)


@hsettings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "label", "country", "sources", "wikidata", "names", "coordinates", "type", "fictional"]),
                       st.one_of(st.none(), st.integers(), st.text(max_size=10), st.lists(st.text(max_size=5), max_size=3),
                                 st.booleans(), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))))
def test_loader_never_crashes_on_odd_records(tmp_path_factory: pytest.TempPathFactory, record: dict[str, object]) -> None:
    from ruamel.yaml import YAML

    data = tmp_path_factory.mktemp("odd")
    with open(data / "x.yaml", "w") as f:
        YAML().dump({"places": [record]}, f)
    try:
        load(data, CODES)
    except LoadError as exc:
        assert exc.problems


def test_order_claims_and_translations_are_checked(data: Path) -> None:
    edit(data / "twinnings.yaml", "after: [alpha-town--beta-city]", "after: [alpha-town--atlantis]")
    edit(data / "twinnings.yaml", "rank: first", "rank: first\n        after: [alpha-town--gamma]")
    edit(data / "sources.yaml", "translation: machine", "translation: magic")
    problems = problems_of(data)
    assert any(": alpha-town--gamma: order: unknown twinning 'alpha-town--atlantis'" in p for p in problems)
    assert any(": alpha-town--beta-city: after: a claim of rank after names the earlier link" in p for p in problems)
    assert any(": doc-b: translation: unknown translation code 'magic'" in p for p in problems)


def test_a_link_out_of_the_data_folder_is_refused_unread(data: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("places:\n  - id: x\n    label: TOP-SECRET-VALUE\n    bogus: 1\n")
    (data / "evil.yaml").symlink_to(secret)
    (data / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    problems = problems_of(data)
    assert problems == sorted([f"{data / 'dangling.yaml'}:0: -: -: a symbolic link to a file outside the data folder: not read",
                               f"{data / 'evil.yaml'}:0: -: -: a symbolic link to a file outside the data folder: not read"])
    assert not any("TOP-SECRET" in p for p in problems)


def test_a_link_inside_the_data_folder_is_read(data: Path) -> None:
    (data / "sub").mkdir()
    (data / "places.yaml").rename(data / "sub" / "places.yaml")
    (data / "places.yaml").symlink_to(data / "sub" / "places.yaml")
    assert {p.id for p in load(data, CODES).places} == {"alpha-town", "beta-city", "gamma", "fableland"}


@pytest.fixture()
def two_processes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every load reads its files by two processes, as large data is; the list names each forked reader."""
    forks: list[str] = []

    class Counted(Forked[object]):
        def __init__(self, fn: Callable[[], object], name: str):
            forks.append(name)
            super().__init__(fn, name)

    monkeypatch.setattr(loader, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(loader, "Forked", Counted)
    return forks


def test_two_processes_read_the_same_records_in_the_same_order(data: Path, two_processes: list[str]) -> None:
    (data / "more-places.yaml").write_text("places:\n  - id: delta\n    label: Delta\n    country: FR\n    sources: [doc-a]\n")
    both = load(data, CODES)
    assert two_processes == ["curated data"]
    loader.PARALLEL_BYTES = 10**12  # monkeypatched: restored after the test
    assert load(data, CODES) == both and two_processes == ["curated data"]
    assert [p.id for p in both.places][0] == "delta"  # more-places.yaml comes first


def test_two_processes_report_the_same_problems(data: Path, two_processes: list[str]) -> None:
    (data / "broken.yaml").write_text("places:\n  - id: x\n    label: [unclosed\n")
    edit(data / "twinnings.yaml", "reasons: [humour]", "reasons: [hilarity]")
    edit(data / "twinnings.yaml", "partners: [beta-city, alpha-town]", "partners: [beta-city, atlantis]")
    both = problems_of(data)
    assert two_processes == ["curated data"]
    loader.PARALLEL_BYTES = 10**12
    assert problems_of(data) == both and len(two_processes) == 1
    assert any("malformed YAML" in p for p in both) and any("hilarity" in p for p in both)
    assert any("1 place(s), 1 twinning(s) not found are not listed" in p for p in both)  # the unread file, known across the processes
