"""Exports for researchers: CSV tables with CSVW metadata, GraphML and GEXF, and per-year snapshots.

Each file is read back with the tool a researcher would use (pandas, csvw, networkx) and
checked against SPARQL over the same graph.
"""

from __future__ import annotations

import json
from pathlib import Path

import csvw
import networkx as nx
import pandas as pd
import pyoxigraph as ox
import pytest
from pyld import jsonld
from support.builds import solutions, store_of
from typer.testing import CliRunner

from twinkg.build import Built
from twinkg.cli import app
from twinkg.config import Settings
from twinkg.exports.csvw import TABLES
from twinkg.exports.tables import great_circle_km
from twinkg.output import EXPORTS

TW = "PREFIX tw: <https://w3id.org/twinkg/ontology#> "
CSVS = ("twinnings.csv", "places.csv", "events.csv")


def count(store: ox.Store, where: str) -> int:
    rows = list(solutions(store.query(TW + f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}", use_default_graph_as_union=True)))
    return int(rows[0]["n"].value)


def table(settings: Settings, name: str) -> pd.DataFrame:
    return pd.read_csv(settings.out_dir / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module", params=["mini", pytest.param("curated", marks=pytest.mark.slow)])
def build(request: pytest.FixtureRequest) -> tuple[Settings, Built | None, ox.Store]:
    """The mini build, or the curated one's output folder and dump (made once per run)."""
    if request.param == "curated":
        return request.getfixturevalue("curated_dist"), None, request.getfixturevalue("built_store")
    settings, built = request.getfixturevalue("mini_build")
    return settings, built, store_of(built, settings)


def test_csv_tables_match_sparql_counts(build: tuple[Settings, Built, ox.Store]) -> None:
    settings, _, store = build
    pairs = count(store, "SELECT DISTINCT ?t ?a ?b WHERE { ?t a tw:Twinning ; tw:partner ?a, ?b FILTER (STR(?a) < STR(?b)) }")
    assert len(table(settings, "twinnings.csv")) == pairs > 0
    assert len(table(settings, "places.csv")) == count(store, "SELECT DISTINCT ?p WHERE { ?t a tw:Twinning ; tw:partner ?p }")
    assert len(table(settings, "events.csv")) == count(store, "?e a tw:Event")


def test_status_and_bounds_are_the_graphs(build: tuple[Settings, Built, ox.Store]) -> None:
    settings, _, store = build
    rows = store.query(TW + """SELECT ?t ?s ?se ?ee ?ev ?rc WHERE { ?t a tw:Twinning ; tw:status ?s .
        OPTIONAL { ?t tw:startEarliest ?se } OPTIONAL { ?t tw:endEarliest ?ee } OPTIONAL { ?t tw:latestEvidence ?ev }
        BIND (EXISTS { ?t tw:statusRestsOnConflict true } AS ?rc) }""", use_default_graph_as_union=True)
    keys = ("s", "se", "ee", "ev", "rc")
    expected = {r["t"].value: tuple(r[k].value.rsplit("/", 1)[-1] if r[k] else "" for k in keys) for r in rows}
    links = table(settings, "twinnings.csv").drop_duplicates("twinning_iri")
    got = {r.twinning_iri: (r.status, r.start_earliest, r.end_earliest, r.status_as_of, r.status_rests_on_conflict)
           for r in links.itertuples()}
    assert got == expected


def test_degree_counts_distinct_partners(build: tuple[Settings, Built, ox.Store]) -> None:
    settings, _, _ = build
    links = table(settings, "twinnings.csv")
    edges = pd.concat([links[["place_a_id", "place_b_id"]].set_axis(["x", "y"], axis=1),
                       links[["place_b_id", "place_a_id"]].set_axis(["x", "y"], axis=1)]).drop_duplicates()
    degree = edges.groupby("x").size()
    places = table(settings, "places.csv").set_index("place_id")
    assert (places["degree"].astype(int) == degree.reindex(places.index)).all()


def test_a_three_way_link_gives_three_marked_rows(mini_build: tuple[Settings, Built]) -> None:
    settings, _ = mini_build
    rows = table(settings, "twinnings.csv")
    three = rows[rows.twinning_id == "alpha-town--fableland--gamma"]
    assert len(three) == 3 and set(three.multilateral) == {"true"} and set(three.partner_count) == {"3"}
    assert set(rows[rows.twinning_id == "alpha-town--beta-city"].multilateral) == {"false"}


def test_columns_of_a_pair(mini_build: tuple[Settings, Built]) -> None:
    settings, _ = mini_build
    row = table(settings, "twinnings.csv").set_index("twinning_id").loc["alpha-town--beta-city"]
    assert (row.place_a_id, row.place_b_id, row.kind, row.status) == ("alpha-town", "beta-city", "twin-town", "suspended")
    assert (row.start_earliest, row.start_latest, row.end_earliest, row.end_latest) == ("1944-01-01", "1944-12-31", "2022-03-22", "2022-03-22")
    assert row.status_as_of == "2023-05-31" and row.graph == "curated" and row.source_ids == "doc-a"


def test_great_circle_distance() -> None:
    london, paris = (51.5074, -0.1278), (48.8566, 2.3522)
    assert great_circle_km(london, paris) == pytest.approx(343.6, abs=0.5)
    assert great_circle_km((0.0, 179.5), (0.0, -179.5)) == pytest.approx(111.2, abs=0.1)


@pytest.mark.parametrize("name", CSVS)
def test_csvw_metadata_names_every_column_and_reads_the_table(build: tuple[Settings, Built, ox.Store], name: str) -> None:
    settings, _, _ = build
    path = settings.out_dir / f"{name}-metadata.json"
    metadata = json.loads(path.read_text())
    header = list(table(settings, name).columns)
    columns = metadata["tableSchema"]["columns"]
    assert [c["name"] for c in columns] == header
    assert all(c.get("datatype") and (c.get("propertyUrl") or c.get("suppressOutput")) for c in columns)
    # the csvw library reads every row with the declared datatypes
    rows = list(csvw.Table.from_file(path).iterdicts(strict=True))
    assert len(rows) == len(table(settings, name))


def _offline_loader(url: str, options: dict) -> dict:  # type: ignore[type-arg]
    """The CSVW context's terms this metadata uses (tests never fetch): enough to expand and check it."""
    assert url == "http://www.w3.org/ns/csvw"
    csvw_ns = "http://www.w3.org/ns/csvw#"
    terms = {t: {"@id": csvw_ns + t} for t in ("name", "titles", "datatype", "separator", "suppressOutput", "columns",
                                                "primaryKey")}
    terms |= {t: {"@id": csvw_ns + t, "@type": "@id"} for t in ("url", "propertyUrl", "aboutUrl", "valueUrl", "tableSchema")}
    terms["tableSchema"] = {"@id": csvw_ns + "tableSchema"}
    return {"contextUrl": None, "documentUrl": url, "document": {"@context": {"dc": "http://purl.org/dc/terms/", **terms}}}


@pytest.mark.parametrize("name", CSVS)
def test_csvw_metadata_is_json_ld(mini_build: tuple[Settings, Built], name: str) -> None:
    settings, _ = mini_build
    expanded = jsonld.expand(json.loads((settings.out_dir / f"{name}-metadata.json").read_text()),
                             {"documentLoader": _offline_loader, "base": "https://w3id.org/twinkg/dumps/"})
    schema = expanded[0]["http://www.w3.org/ns/csvw#tableSchema"][0]
    names = [c["http://www.w3.org/ns/csvw#name"][0]["@value"] for c in schema["http://www.w3.org/ns/csvw#columns"]]
    assert names == [c.name for c in next(t for t in TABLES if t.filename == name).columns]


def test_networkx_reads_graphml_and_gexf_with_the_csv_counts(build: tuple[Settings, Built, ox.Store]) -> None:
    settings, _, _ = build
    nodes, edges = len(table(settings, "places.csv")), len(table(settings, "twinnings.csv"))
    for graph in (nx.read_graphml(settings.out_dir / "twinkg.graphml"), nx.read_gexf(settings.out_dir / "twinkg.gexf")):
        assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges)


def test_gexf_edges_carry_the_links_time_interval(mini_build: tuple[Settings, Built]) -> None:
    settings, _ = mini_build
    graph = nx.read_gexf(settings.out_dir / "twinkg.gexf")
    data = [d for _, _, d in graph.edges(data=True) if d["twinning_id"] == "alpha-town--beta-city"]
    assert [(d["start"], d["end"]) for d in data] == [("1944-01-01", "2022-03-22")]


def test_build_records_exports_with_checksums_and_distributions(mini_build: tuple[Settings, Built]) -> None:
    settings, _ = mini_build
    sums = (settings.out_dir / "SHA256SUMS").read_text()
    void = ox.Store()
    void.load(path=str(settings.out_dir / "void.ttl"), format=ox.RdfFormat.TURTLE)
    for export in EXPORTS:
        assert f"  {export.name}\n" in sums
        assert void.query(f"""ASK {{ ?ds <http://www.w3.org/ns/dcat#distribution> <https://w3id.org/twinkg/dumps/{export.name}> .
            <https://w3id.org/twinkg/dumps/{export.name}> <http://www.w3.org/ns/dcat#mediaType>
            <https://www.iana.org/assignments/media-types/{export.media_type}> }}""")


@pytest.fixture(scope="module")
def snapshots(curated_dist: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    settings = curated_dist
    folders = {}
    for year in ("2021", "2023"):
        folders[year] = tmp_path_factory.mktemp("snap") / year
        result = CliRunner().invoke(app, ["export", "--as-of", year, "--out", str(settings.out_dir), "--to", str(folders[year])])
        assert result.exit_code == 0, result.output
    return folders


def test_snapshot_of_2021_and_2023(snapshots: dict[str, Path]) -> None:
    def coventry_volgograd(year: str) -> pd.Series:
        rows = pd.read_csv(snapshots[year] / "twinnings.csv", dtype=str, keep_default_na=False)
        return rows.set_index("twinning_id").loc["coventry--volgograd"]

    before, after = coventry_volgograd("2021"), coventry_volgograd("2023")
    assert (before.status, before.end_earliest) == ("active", "")
    assert (after.status, after.end_earliest, after.end_latest) == ("suspended", "2022-03-22", "2022-03-22")
    assert before.status_as_of <= "2021-12-31" < after.status_as_of


def test_snapshot_leaves_out_links_not_yet_made_and_events_not_yet_happened(snapshots: dict[str, Path]) -> None:
    for year, folder in snapshots.items():
        links = pd.read_csv(folder / "twinnings.csv", dtype=str, keep_default_na=False)
        events = pd.read_csv(folder / "events.csv", dtype=str, keep_default_na=False)
        assert (links.start_earliest.replace("", "0000") <= f"{year}-12-31").all()
        assert (events.earliest.replace("", "0000") <= f"{year}-12-31").all()
        assert nx.read_gexf(folder / "twinkg.gexf").number_of_edges() == len(links)


@pytest.mark.parametrize("args, message", [
    (["--as-of", "20x1"], "--as-of"),
    (["--as-of", "2021-03"], "a year or a full day"),
    (["--as-of", "2021", "--format", "xlsx"], "--format must be one of"),
])
def test_export_refuses_bad_options(curated_dist: Settings, tmp_path: Path, args: list[str], message: str) -> None:
    settings = curated_dist
    result = CliRunner().invoke(app, ["export", *args, "--out", str(settings.out_dir), "--to", str(tmp_path / "x")])
    assert result.exit_code == 1 and message in result.output and not (tmp_path / "x").exists()


def test_export_without_a_build_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", "--as-of", "2021", "--out", str(tmp_path / "none"), "--to", str(tmp_path / "x")])
    assert result.exit_code == 1 and "run `twinkg build` first" in result.output


def test_a_status_resting_on_conflicting_claims_says_so(mini_build: tuple[Settings, Built]) -> None:
    settings, _ = mini_build
    rows = table(settings, "twinnings.csv").set_index("twinning_id")
    assert (rows.loc["alpha-town--gamma", "status_rests_on_conflict"], rows.loc["alpha-town--gamma", "alternative_status"]) == (
        "true", "terminated")
    assert rows.loc["alpha-town--beta-city", "status_rests_on_conflict"] == "false"


def test_xml_special_characters_survive(tmp_path: Path) -> None:
    from twinkg.exports import networks
    from twinkg.exports.tables import Row, Tables

    place: Row = {"place_id": "a", "label": 'Rock & "Roll" <Town>', "wikidata": "", "country": "", "latitude": None,
             "longitude": None, "population": None, "place_type": "city", "fictional": False, "degree": 1, "place_iri": "x:a"}
    other: Row = {**place, "place_id": "b", "label": "B'town"}
    edge: Row = {name: "" for name, _ in networks.EDGE_ATTRS} | {"twinning_id": "a--b", "place_a_id": "a", "place_b_id": "b",
                                                            "kind": "<&>", "multilateral": False, "graph": ["curated"]}
    data = Tables([edge], [place, other], [])
    for name, write, read in (("g.graphml", networks.graphml, nx.read_graphml), ("g.gexf", networks.gexf, nx.read_gexf)):
        (tmp_path / name).write_bytes(write(networks.prepare(data)))
        graph = read(tmp_path / name)
        assert graph.nodes["a"]["label"] == 'Rock & "Roll" <Town>' and graph.nodes["b"]["label"] == "B'town"
        assert [d["kind"] for _, _, d in graph.edges(data=True)] == ["<&>"]


def test_first_values_are_those_order_by_gives_first() -> None:
    """The places' one-valued facts are read without the store's ORDER BY and put in its order here: the first value
    of each place, among those that convert to something, is the one `ORDER BY ?p ?v` gives first (a mix of kinds
    that does not sort as text is left to the store's sort)."""
    from twinkg.exports.tables import _first_values, _is_true, _select, _tail
    from twinkg.vocab import TW, XSD

    kind, mixed, flag = ox.NamedNode(TW + "placeType"), ox.NamedNode(TW + "mixed"), ox.NamedNode(TW + "fictional")
    store = ox.Store()
    for place, predicate, value in (
            ("a", kind, ox.NamedNode("https://example.org/type/town")), ("a", kind, ox.NamedNode("https://example.org/type/city")),
            ("a", kind, ox.NamedNode("https://example.org/type/")),  # converts to "": never the first
            ("b", kind, ox.Literal("village")), ("b", kind, ox.Literal("hamlet")),
            ("c", mixed, ox.Literal("10", datatype=ox.NamedNode(XSD + "integer"))), ("c", mixed, ox.Literal("9")),
            ("c", mixed, ox.NamedNode("https://example.org/type/zz")),  # an IRI and literals: the store sorts
            ("d", flag, ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))),
            ("d", flag, ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean"))),
            ("e", flag, ox.Literal("false", datatype=ox.NamedNode(XSD + "boolean")))):
        store.add(ox.Quad(ox.NamedNode(f"https://example.org/place/{place}"), predicate, value))
    wanted = {f"https://example.org/place/{p}" for p in "abcd"}

    def ordered(pattern: str, convert: object) -> dict[str, object]:
        first: dict[str, object] = {}
        for p, v in _select(store, f"SELECT ?p ?v WHERE {{ {pattern} }} ORDER BY ?p ?v"):
            if p.value in wanted and p.value not in first and (value := convert(v.value)):  # type: ignore[operator]
                first[p.value] = value
        return first

    for pattern, convert in (("?p tw:placeType ?v", _tail), ("?p tw:mixed ?v", _tail), ("?p tw:fictional ?v", _is_true)):
        assert _first_values(store, pattern, wanted, convert) == ordered(pattern, convert)
    assert _first_values(store, "?p tw:placeType ?v", wanted, _tail) == {
        "https://example.org/place/a": "city", "https://example.org/place/b": "hamlet"}
    assert _first_values(store, "?p tw:mixed ?v", wanted, _tail) == {"https://example.org/place/c": "zz"}
    assert _first_values(store, "?p tw:fictional ?v", wanted, _is_true) == {"https://example.org/place/d": True}
