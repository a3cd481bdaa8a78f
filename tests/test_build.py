"""The build's output: dumps that parse back to the same graph, checksums, VoID, reproducibility, atomicity."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.builds import BUILT_AT, MINI, settings_for, solutions

from twinkg.build import Built, ValidationFailed, run
from twinkg.config import Settings
from twinkg.graphs import canonical, quads
from twinkg.output import DUMPS, EXPORTS, STORE_PREFIX
from twinkg.publish import in_graph, render_dumps
from twinkg.vocab import RDFS, Iris

FORMATS = {
    "twinkg.ttl": ox.RdfFormat.TURTLE,
    "twinkg.nt.gz": ox.RdfFormat.N_TRIPLES,
    "twinkg.jsonld": ox.RdfFormat.JSON_LD,
    "twinkg.nq.gz": ox.RdfFormat.N_QUADS,
}


def read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def test_output_files(mini_build: tuple[Settings, Built]) -> None:
    settings, _ = mini_build
    # A server over this shared build keeps its store beside the dump (.store-*): the server's file, not the build's.
    names = sorted(p.name for p in settings.out_dir.iterdir() if not p.name.startswith(STORE_PREFIX))
    assert names == sorted([d.name for d in (*DUMPS, *EXPORTS)] + ["void.ttl", "shacl-report.ttl", "SHA256SUMS", "context.jsonld",
                                                                   "queries.json", "duplicates.csv"])


@pytest.mark.parametrize("filename", list(FORMATS))
def test_dumps_parse_back_to_the_same_graph(mini_build: tuple[Settings, Built], filename: str) -> None:
    settings, built = mini_build
    parsed = list(ox.parse(read(settings.out_dir / filename), format=FORMATS[filename]))
    expected = quads(built.graphs, Iris(settings.base))
    if filename.endswith(".nq.gz"):
        by_graph = {g: canonical(q.triple for q in parsed if q.graph_name.value == g) for g in {q.graph_name.value for q in expected}}
        assert by_graph == {g: canonical(q.triple for q in expected if q.graph_name.value == g) for g in by_graph}
    else:
        assert canonical(parsed) == canonical(q.triple for q in expected)


def test_named_graphs(mini_build: tuple[Settings, Built]) -> None:
    settings, _ = mini_build
    graphs = {q.graph_name.value for q in ox.parse(read(settings.out_dir / "twinkg.nq.gz"), format=ox.RdfFormat.N_QUADS)}
    assert graphs == {f"https://w3id.org/twinkg/graph/{n}" for n in ("ontology", "curated", "meta")}


def test_the_built_graphs_are_triples_the_text_ones_parsed_too(mini_build: tuple[Settings, Built]) -> None:
    """The curated and Wikidata graphs, held as N-Triples text, read back as triples (pyoxigraph parses quads)."""
    _, built = mini_build
    assert built.graphs["curated"]  # the mini data has no Wikidata sources: a test of the merge covers that graph
    assert all(type(t) is ox.Triple for graph in built.graphs.values() for t in graph)


def test_checksums_verify_with_sha256sum(mini_build: tuple[Settings, Built]) -> None:
    settings, _ = mini_build
    proc = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=settings.out_dir, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # + void.ttl, shacl-report.ttl, context.jsonld, queries.json, duplicates.csv
    assert proc.stdout.count(": OK") == len(DUMPS) + len(EXPORTS) + 5


def test_void_describes_every_distribution(mini_build: tuple[Settings, Built]) -> None:
    settings, built = mini_build
    store = ox.Store()
    store.load(path=str(settings.out_dir / "void.ttl"), format=ox.RdfFormat.TURTLE)
    rows = {r["file"].value.rsplit("/", 1)[-1]: (int(r["size"].value), r["sum"].value, r["type"].value) for r in store.query("""
        PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?file ?size ?sum ?type WHERE { ?ds dcat:distribution ?file . ?file dcat:byteSize ?size ;
          dcat:mediaType ?type ; spdx:checksum/spdx:checksumValue ?sum }""")}
    import hashlib
    for dump in DUMPS:
        data = (settings.out_dir / dump.name).read_bytes()
        assert rows[dump.name] == (len(data), hashlib.sha256(data).hexdigest(),
                                       f"https://www.iana.org/assignments/media-types/{dump.media_type}")
    counts = {r["g"].value.rsplit("/", 1)[-1]: int(r["n"].value) for r in store.query(
        "SELECT ?g ?n WHERE { ?ds <http://rdfs.org/ns/void#subset> ?g . ?g <http://rdfs.org/ns/void#triples> ?n }")}
    assert counts["curated"] == len(built.graphs["curated"])
    assert counts["meta"] == len(built.graphs["meta"])
    (licence,) = store.query("ASK { ?ds <http://purl.org/dc/terms/license> <https://creativecommons.org/licenses/by/4.0/> }"),
    assert licence


def test_build_time_only_in_meta_graph(mini_build: tuple[Settings, Built]) -> None:
    _, built = mini_build
    stamp = BUILT_AT.strftime("%Y-%m-%dT%H:%M")
    for name in ("ontology", "curated", "wikidata"):
        assert not any(stamp in str(t) for t in built.graphs[name])
    assert any(stamp in str(t) for t in built.graphs["meta"])


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    outs = [tmp_path / "one", tmp_path / "two"]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1760000000"}
    for out in outs:
        proc = subprocess.run([sys.executable, "-m", "twinkg", "build", "--data", str(MINI), "--out", str(out)],
                              env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
    for path in outs[0].iterdir():
        assert path.read_bytes() == (outs[1] / path.name).read_bytes(), path.name


def test_different_build_times_change_only_meta(tmp_path: Path) -> None:
    import datetime as dt
    from dataclasses import replace

    first = settings_for(MINI, tmp_path / "a")
    second = replace(first, out_dir=tmp_path / "b", built_at=first.built_at + dt.timedelta(days=1))
    a, b = run(first), run(second)
    assert a.graphs["curated"] == b.graphs["curated"]
    assert a.graphs["meta"] != b.graphs["meta"]


def test_failed_build_leaves_previous_output(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    out = tmp_path / "dist"
    run(settings_for(data, out))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (data / "places.yaml").write_text((data / "places.yaml").read_text().replace("id: gamma", "id: gamma\n    bogus: 1"))
    proc = subprocess.run([sys.executable, "-m", "twinkg", "build", "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.builds", "data", "dist"], "staging folders left behind"
    assert len(list((tmp_path / ".dist.builds").iterdir())) == 2  # the lock and the current build


def test_shacl_violation_fails_the_build_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    out = tmp_path / "dist"
    run(settings_for(data, out))
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # The loader accepts any place-type code from the ontology, but a twinning needs two distinct partner places:
    # a place typed only by a concept outside its scheme is what SHACL, not the loader, catches.
    settings = settings_for(data, out)
    from twinkg.build import check, load_data, map_graphs
    from twinkg.graphs import store_of
    from twinkg.vocab import Iris

    graphs = map_graphs(load_data(settings), settings)
    kind = ox.NamedNode("https://w3id.org/twinkg/ontology#kind")
    twinning = next(t.subject for t in graphs["curated"] if t.predicate == kind)
    graphs["curated"] = {t for t in graphs["curated"] if t.predicate != kind or t.subject != twinning}
    report = check(store_of(graphs, Iris(settings.base)), settings)
    assert not report.conforms
    assert any(r.focus == twinning.value for r in report.results)
    # And the same failure through the CLI: a shapes file demanding what the data lacks.
    shapes = tmp_path / "shapes"
    shutil.copytree(settings.shapes_dir, shapes)
    (shapes / "extra.ttl").write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix tw: <https://w3id.org/twinkg/ontology#> .
        <urn:test:needs-comment> a sh:NodeShape ; sh:targetClass tw:Twinning ;
          sh:property [ sh:path <http://www.w3.org/2000/01/rdf-schema#comment> ; sh:minCount 1 ;
                        sh:message "test: every twinning needs a comment" ] .""")
    from dataclasses import replace
    with pytest.raises(ValidationFailed) as info:
        run(replace(settings, shapes_dir=shapes))
    assert "test: every twinning needs a comment" in info.value.report.summary()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_refuses_to_replace_a_folder_that_is_not_a_build(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("my own notes")
    proc = subprocess.run([sys.executable, "-m", "twinkg", "build", "--data", str(MINI), "--out", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "is not the output of a twinkg build" in proc.stderr
    assert (out / "notes.txt").read_text() == "my own notes"


def test_rebuild_keeps_the_store_of_an_unchanged_dump_only(tmp_path: Path) -> None:
    from twinkg.output import NQ_DUMP, read_checksums, store_dir

    out = tmp_path / "dist"
    run(settings_for(MINI, out))
    store = store_dir(out, read_checksums(out)[NQ_DUMP])
    store.mkdir()
    (store / ".complete").write_text("store")
    (out / ".store-abc").mkdir()  # of a dump no longer current
    run(settings_for(MINI, out))
    assert (store / ".complete").read_text() == "store"
    assert not (out / ".store-abc").exists()
    assert (out / "SHA256SUMS").is_file()


def test_a_full_disk_is_a_clear_message_and_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from typer.testing import CliRunner

    from twinkg.cli import app

    out = tmp_path / "dist"
    run(settings_for(MINI, out))
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(_: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = CliRunner().invoke(app, ["build", "--data", str(MINI), "--out", str(out)])
    assert result.exit_code == 1 and result.exception is None or isinstance(result.exception, SystemExit)
    assert "No space left on device; nothing was written" in " ".join(result.output.split())
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in (tmp_path / ".dist.builds").iterdir()) == sorted(["lock", out.resolve().name])


@pytest.mark.parametrize("literal, message", [
    ('"' + "x" * 17_000_000 + '"', "cannot parse Turtle: Reached the buffer maximal size"),
    ('"""' + "\n" * 10_000_000 + '"""', "the graph cannot be serialised: a value is too large"),  # doubles as \n
], ids=["17-MB-string", "10-M-newlines"])  # the literal as an id went into PYTEST_CURRENT_TEST: the child's environment was too large
def test_a_term_too_large_is_a_clear_message(tmp_path: Path, literal: str, message: str) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "wikidata").mkdir()
    (data / "wikidata" / "batch-huge.ttl").write_text(
        "<http://www.wikidata.org/entity/Q1> <http://www.w3.org/2000/01/rdf-schema#label> " + literal + "@en .\n")
    proc = subprocess.run([sys.executable, "-m", "twinkg", "build", "--data", str(data), "--out", str(tmp_path / "dist")],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert message in " ".join(proc.stderr.split()) and "nothing was written" in proc.stderr
    assert not (tmp_path / "dist").exists()


def test_a_link_out_of_the_wikidata_cache_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "wikidata").mkdir()
    secret = tmp_path / "secret.ttl"
    secret.write_text("this is TOP-SECRET and not Turtle\n")
    (data / "wikidata" / "batch-1.ttl").symlink_to(secret)
    proc = subprocess.run([sys.executable, "-m", "twinkg", "build", "--data", str(data), "--out", str(tmp_path / "dist")],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "a symbolic link to a file outside the data folder: not read" in proc.stderr
    assert "TOP-SECRET" not in proc.stderr and not (tmp_path / "dist").exists()


def test_void_counts_dumps_publisher_and_partitions(mini_build: tuple[Settings, Built]) -> None:
    settings, _ = mini_build
    void = ox.Store()
    void.load(path=str(settings.out_dir / "void.ttl"), format=ox.RdfFormat.TURTLE)
    prefix = "PREFIX void: <http://rdfs.org/ns/void#> PREFIX dct: <http://purl.org/dc/terms/> PREFIX tw: <https://w3id.org/twinkg/ontology#> "
    ds = "<https://w3id.org/twinkg/dataset>"

    def one(query: str) -> str:
        return str(next(iter(solutions(void.query(prefix + query))))[0].value)

    lines = read(settings.out_dir / "twinkg.nt.gz").count(b"\n")
    assert int(one(f"SELECT ?n WHERE {{ {ds} void:triples ?n }}")) == lines
    dumps = {r[0].value.rsplit("/", 1)[-1] for r in void.query(prefix + f"SELECT ?d WHERE {{ {ds} void:dataDump ?d }}")}
    assert dumps == {d.name for d in DUMPS}
    assert void.query(prefix + f"ASK {{ {ds} dct:publisher ?p . ?p <http://xmlns.com/foaf/0.1/name> ?name }}")
    store = ox.Store()
    store.load(path=str(settings.out_dir / "twinkg.ttl"), format=ox.RdfFormat.TURTLE)
    twinnings = len(list(store.query(prefix + "SELECT ?t WHERE { ?t a tw:Twinning }")))  # type: ignore[arg-type]
    assert int(one(f"SELECT ?n WHERE {{ {ds} void:classPartition [ void:class tw:Twinning ; void:entities ?n ] }}")) == twinnings
    partners = len(list(store.query(prefix + "SELECT * WHERE { ?t tw:partner ?p }")))  # type: ignore[arg-type]
    assert int(one(f"SELECT ?n WHERE {{ {ds} void:propertyPartition [ void:property tw:partner ; void:triples ?n ] }}")) == partners


def test_line_dumps_are_sorted_lines_a_triple_in_two_graphs_once_in_the_merged_one() -> None:
    """The merged N-Triples come from the sorted N-Quads (twinkg.publish._distinct_triples): still every graph's lines,
    sorted, each once, where a literal is the start of a longer one and a blank node label of another's, and
    where a literal reads like a graph name."""
    n, lit = ox.NamedNode, ox.Literal
    s, p = n("http://example.org/s"), n("http://example.org/p")
    shared = ox.Triple(s, p, lit("abc"))
    graphs = {
        "ontology": {shared, ox.Triple(s, p, ox.BlankNode("b1")), ox.Triple(s, p, lit("abc", language="en"))},
        "curated": {shared, ox.Triple(s, p, lit("abc", datatype=n("http://example.org/t"))), ox.Triple(s, p, ox.BlankNode("b12"))},
        "wikidata": {ox.Triple(s, p, lit("ab")), shared},
        "meta": {ox.Triple(s, p, lit("abc d")), ox.Triple(s, p, lit("a <http://example.org/g> ."))},
    }
    built_at = BUILT_AT
    files = render_dumps(graphs, Iris("https://w3id.org/twinkg/"), built_at)
    lines = {line for g in graphs.values() for line in ox.serialize(g, format=ox.RdfFormat.N_TRIPLES).splitlines(keepends=True)}
    assert gzip.decompress(files["twinkg.nt.gz"]) == b"".join(sorted(lines))
    nquads = gzip.decompress(files["twinkg.nq.gz"]).splitlines(keepends=True)
    assert nquads == sorted(nquads) and len(nquads) == sum(map(len, graphs.values()))
    for name in ("twinkg.nt.gz", "twinkg.nq.gz"):  # standard gzip, stamped with the build time
        with gzip.GzipFile(fileobj=io.BytesIO(files[name])) as f:
            f.read()
            assert f.mtime == int(built_at.timestamp())


def test_a_statement_on_two_lines_of_a_graph_is_one_quad_and_one_triple() -> None:
    """The curated graph's N-Triples may state a symmetric link twice (`mapping.curated_ntriples`): the
    dumps' quads and triples hold it once, and the counts of the description are of distinct triples."""
    from twinkg.build import store_of_quads
    from twinkg.graphs import store_counts
    from twinkg.publish import ordered, triple_count

    twice = b"<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n"
    once = b'<http://example.org/a> <http://example.org/p> "x" .\n'
    g1, g2 = "https://w3id.org/twinkg/graph/curated", "https://w3id.org/twinkg/graph/wikidata"
    nquads = in_graph(twice + once + twice, g1) + in_graph(twice, g2)
    statements = ordered(nquads)
    assert statements.quads == sorted(set(nquads.splitlines(keepends=True))) and len(statements.quads) == 3
    assert len(statements.texts) == len(statements.triples) == 2 == triple_count(nquads)
    sizes, _ = store_counts(store_of_quads(nquads), Iris(), triple_count(nquads))
    assert sizes == ({"ontology": 0, "curated": 2, "wikidata": 1}, 2)


def test_the_dumps_from_lines_ordered_while_the_store_loads_are_the_same_bytes(mini_build: tuple[Settings, Built]) -> None:
    """The build sorts and parses the checked graphs' N-Quads lines while pyoxigraph loads its store from them
    (`build.load_and_order`), and the dumps add the meta graph's statements to that order: the same files,
    and the same store, as ordering everything at once."""
    from twinkg.build import checked_quads, load_and_order, store_of_lines
    from twinkg.graphs import CHECKED
    from twinkg.publish import line_dumps, ordered

    settings, built = mini_build
    iris = Iris(settings.base)
    lines = line_dumps(built.graphs)
    store, statements = load_and_order(checked_quads(lines, iris))
    assert statements.quads == sorted(checked_quads(lines, iris).splitlines(keepends=True))
    assert statements.triples == list(ox.parse(b"".join(t + b" .\n" for t in statements.texts), format=ox.RdfFormat.N_TRIPLES))
    assert len(store) == len(store_of_lines(lines, iris)) == sum(len(built.graphs[name]) for name in CHECKED)
    at_once = render_dumps(built.graphs, iris, BUILT_AT, lines)
    assert render_dumps(built.graphs, iris, BUILT_AT, {"meta": lines["meta"]}, statements) == at_once
    ontology = ordered(in_graph(lines["ontology"], iris.graph("ontology")))
    assert render_dumps(built.graphs, iris, BUILT_AT, {name: lines[name] for name in CHECKED[1:] + ("meta",)}, ontology) == at_once


@pytest.mark.parametrize("asked", [0, 1, 3, None], ids=["none", "one-node", "three-nodes", "all"])
def test_json_ld_worked_out_while_the_store_loads_is_the_same_document(mini_build: tuple[Settings, Built],
                                                                      monkeypatch: pytest.MonkeyPatch, asked: int | None) -> None:
    """The build compacts the checked graphs to JSON-LD while its store loads, as far as it gets
    (`Ordered.compact`), and the dumps add the meta graph's nodes where they sort: the same files however far
    it got, and when the meta graph states something of a subject of the others (one node of both)."""
    import itertools

    from twinkg import jsonld
    from twinkg.build import checked_quads
    from twinkg.graphs import CHECKED
    from twinkg.publish import line_dumps, ordered

    settings, built = mini_build
    iris = Iris(settings.base)
    monkeypatch.setattr(jsonld, "ASK_EVERY", 1)
    ctx = jsonld.context(built.graphs["ontology"])
    place = next(t.subject for t in built.graphs["curated"] if "/id/place/" in str(t.subject))
    about_a_place = {**built.graphs, "meta": built.graphs["meta"] | {ox.Triple(place, ox.NamedNode(RDFS + "comment"), ox.Literal("m"))}}
    for graphs in (built.graphs, about_a_place):
        lines = line_dumps(graphs)
        at_once = render_dumps(graphs, iris, BUILT_AT, lines)
        calls = itertools.count()

        def enough(calls: itertools.count[int] = calls) -> bool:
            return asked is not None and next(calls) >= asked

        part = ordered(checked_quads({name: lines[name] for name in CHECKED}, iris)).compact(ctx, enough)
        assert part.compacted == (len(part.triples) if asked is None else sum(
            1 for t in part.triples if str(t.subject) in {k.strip() for k, _ in part.nodes}))
        assert len(part.nodes) == (asked if asked is not None else len({str(t.subject) for t in part.triples}))
        assert render_dumps(graphs, iris, BUILT_AT, {"meta": lines["meta"]}, part) == at_once


def test_two_orders_added_keep_the_line_order_and_a_shared_triple_once() -> None:
    """`Ordered.add` puts each statement of the smaller part where it sorts, before, between and after the
    other's, and a triple both parts state once among the merged graph's triples (twice among the quads)."""
    from twinkg.publish import ordered

    n, lit = ox.NamedNode, ox.Literal
    s, p = n("http://example.org/s"), n("http://example.org/p")
    big = {ox.Triple(s, p, lit(x)) for x in ("b", "d", "f", "abc")}
    small = {ox.Triple(s, p, lit(x)) for x in ("a", "d", "g", "abc", "ab")} | {ox.Triple(s, p, lit("abc", language="en"))}
    def part(triples: set[ox.Triple], graph: str) -> bytes:
        return in_graph(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", graph)

    one, other = part(big, "http://example.org/g1"), part(small, "http://example.org/g2")
    added = ordered(one).add(ordered(other))
    whole = ordered(one + other)
    assert added == whole
    assert len(added.quads) == len(big) + len(small) and len(added.triples) == len(big | small)
    assert [t.object.value for t in added.triples] == ["a", "ab", "abc", "abc", "b", "d", "f", "g"]


def test_the_dataset_description_counts_the_store_as_the_graphs(mini_build: tuple[Settings, Built]) -> None:
    """The build counts the VoID partitions with pyoxigraph on its store: the same counts as the loop over
    the graphs' triples, with a triple stated in two graphs and a typed blank node among them."""
    from twinkg.build import store_of_lines
    from twinkg.graphs import CHECKED, partition_counts, store_counts
    from twinkg.publish import line_dumps

    settings, built = mini_build
    graphs = {name: set(built.graphs[name]) for name in CHECKED}
    blank, typed = ox.BlankNode("b"), ox.NamedNode("http://example.org/K")
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    shared = next(iter(graphs["curated"]))
    graphs["wikidata"] |= {shared, ox.Triple(blank, a, typed)}
    graphs["curated"] |= {ox.Triple(blank, a, typed)}
    store = store_of_lines(line_dumps(graphs), Iris(settings.base))
    _, counted = store_counts(store, Iris(settings.base), 0)
    assert counted == partition_counts(graphs.values())
    assert counted[0]["http://example.org/K"] == 1 and counted[1][shared.predicate.value] >= 2


def test_the_store_loaded_from_the_dumps_lines_is_the_store_of_the_graphs(mini_build: tuple[Settings, Built]) -> None:
    """The build loads its store (SHACL, exports) from the N-Triples its dumps are made of: the same quads,
    blank nodes included, as one Quad object per triple gave."""
    from twinkg.build import store_of_lines
    from twinkg.graphs import store_of
    from twinkg.publish import line_dumps

    settings, built = mini_build
    graphs = dict(built.graphs)
    blank = ox.BlankNode("shared")
    p = ox.NamedNode("http://example.org/p")
    graphs["curated"] = graphs["curated"] | {ox.Triple(blank, p, ox.Literal("x")), ox.Triple(ox.NamedNode("http://example.org/s"), p, blank)}
    iris = Iris(settings.base)
    ours, theirs = store_of_lines(line_dumps(graphs), iris), store_of(graphs, iris)
    names = {q.graph_name for q in theirs}
    assert {q.graph_name for q in ours} == names and len(ours) == len(theirs)
    for name in names:  # the parser gives blank nodes labels of its own: the same graph up to them
        assert canonical(q.triple for q in ours.quads_for_pattern(None, None, None, name)) == \
            canonical(q.triple for q in theirs.quads_for_pattern(None, None, None, name))


@pytest.mark.parametrize("fork", [True, False], ids=["forked-exports", "exports-in-process"])
def test_shacl_has_one_thread_while_the_exports_child_has_the_other_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                         fork: bool) -> None:
    """Beside a forked exports child SHACL runs on one thread (`build.validation_threads`); where the exports run
    in this process (no fork), on two."""
    import twinkg.build
    import twinkg.forked
    from twinkg.validate import validate_store as real

    monkeypatch.setattr(twinkg.forked, "_CAN_FORK", fork)
    seen: list[int] = []

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(args[4] if len(args) > 4 else kwargs["threads"])  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(twinkg.build, "validate_store", spy)
    run(settings_for(MINI, tmp_path / "dist"))
    assert seen == [1 if fork else 2]
    assert run(settings_for(MINI, tmp_path / "dist"), write=False) and seen == [1 if fork else 2, 2]
