"""The build's SHACL engine refuses what it cannot compile instead of ignoring it."""

from __future__ import annotations

import re

import pytest
import rdflib

from twinkg.shacl_sparql import ShapesError, compile_shapes
from twinkg.validate import validate

PREFIXES = "@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .\n"


def shapes(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=PREFIXES + text, format="turtle")


@pytest.mark.parametrize("text", [
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:D ] ; sh:qualifiedMinCount 2 ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:select 'SELECT $this WHERE { }' ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:property [ sh:path ex:q ; sh:minCount 1 ] ] .",
])
def test_unsupported_constructs_raise(text: str) -> None:
    with pytest.raises(ShapesError):
        compile_shapes(shapes(text))


def test_sparql_constraint_message_slots_are_filled() -> None:
    import pyoxigraph as ox

    g = shapes("""ex:S a sh:NodeShape ; sh:targetNode ex:p ; sh:sparql [ a sh:SPARQLConstraint ;
        sh:message "{?value} points at {?other} via {$this}" ;
        sh:select "SELECT $this ?value ?other WHERE { ?value $this ?other }" ] .""")
    n = ox.NamedNode
    report = validate([ox.Triple(n("http://example.org/a"), n("http://example.org/p"), n("http://example.org/b"))], g)
    (result,) = report.results
    assert not report.conforms
    assert result.message == "http://example.org/a points at http://example.org/b via http://example.org/p"
    assert result.focus == "http://example.org/p" and result.value == "http://example.org/a"


def test_target_class_reaches_instances_of_subclasses() -> None:
    import pyoxigraph as ox

    g = shapes("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message 'needs p' ] .")
    n = ox.NamedNode
    sub = n("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    a = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    data = [ox.Triple(n("http://example.org/E"), sub, n("http://example.org/D")),
            ox.Triple(n("http://example.org/D"), sub, n("http://example.org/C")),
            ox.Triple(n("http://example.org/x"), a, n("http://example.org/E")),
            ox.Triple(n("http://example.org/y"), a, n("http://example.org/F"))]
    report = validate(data, g)
    assert [(r.focus, r.message) for r in report.results] == [("http://example.org/x", "needs p")]


def test_class_membership_is_a_type_lookup_when_the_hierarchy_is_known() -> None:
    """With the data graph's subclass pairs, no check evaluates the rdf:type/rdfs:subClassOf* path per node."""
    from twinkg.shacl_sparql import Hierarchy

    g = shapes("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:class ex:D ] .")
    with_path = compile_shapes(g)
    assert all("subClassOf>*" in c.query for c in with_path)
    known = compile_shapes(g, Hierarchy([("<http://example.org/E>", "<http://example.org/C>")]))
    assert not any("subClassOf" in c.query for c in known)
    assert all("<http://example.org/E>" in c.query for c in known)
    blank = compile_shapes(g, Hierarchy([("_:b", "<http://example.org/C>")]))  # VALUES cannot hold a blank node
    assert all("subClassOf>*" in c.query for c in blank)


def test_a_focus_node_of_two_target_classes_is_tested_once() -> None:
    """A node typed with a target class and its subclass (a tw:Event that is a tw:Establishment) is one focus
    node: the pass's tests run on the distinct focus nodes, not once per class, and report it once, as pyshacl."""
    import pyoxigraph as ox

    from twinkg.shacl_sparql import Hierarchy

    g = shapes("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message 'needs p' ] .")
    (check,) = compile_shapes(g, Hierarchy([("<http://example.org/D>", "<http://example.org/C>")]))
    target = check.query[check.query.index("WHERE {"):check.query.index(" BIND (")]
    assert target.startswith("WHERE { { SELECT DISTINCT ?this WHERE { { VALUES")
    (plain,) = compile_shapes(g, Hierarchy([]))  # one class, no subclasses: one row per node already
    assert "SELECT DISTINCT ?this WHERE" not in plain.query.removeprefix("SELECT DISTINCT ?this ?f0 WHERE")
    n, ex = ox.NamedNode, "http://example.org/"
    a = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    data = [ox.Triple(n(ex + "D"), n("http://www.w3.org/2000/01/rdf-schema#subClassOf"), n(ex + "C")),
            ox.Triple(n(ex + "x"), a, n(ex + "C")), ox.Triple(n(ex + "x"), a, n(ex + "D"))]
    report = validate(data, g)
    assert [(r.focus, r.message) for r in report.results] == [(ex + "x", "needs p")]
    assert report == validate(data, g, "pyshacl")


def test_a_value_of_a_class_with_subclasses_is_typed_by_one_read_of_its_types() -> None:
    """sh:class of a class with subclasses, on a value: its types are read once and compared with the class and
    each subclass (a look-up per class cost more than twice as much at ×4); the verdicts are pyshacl's."""
    import pyoxigraph as ox

    from twinkg.shacl_sparql import Hierarchy

    g = shapes("ex:S a sh:NodeShape ; sh:targetClass ex:K ; sh:property [ sh:path ex:p ; sh:class ex:C ; sh:message 'p is a C' ] .")
    (check,) = compile_shapes(g, Hierarchy([("<http://example.org/E>", "<http://example.org/C>")]))
    assert "VALUES" not in check.query and re.search(r"sameTerm\(\?v\d+, <http://example.org/E>\)", check.query)
    n, ex = ox.NamedNode, "http://example.org/"
    a = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    data = [ox.Triple(n(ex + "E"), n("http://www.w3.org/2000/01/rdf-schema#subClassOf"), n(ex + "C"))]
    for focus, value_type in (("c", "C"), ("e", "E"), ("f", "F")):
        data += [ox.Triple(n(ex + focus), a, n(ex + "K")), ox.Triple(n(ex + focus), n(ex + "p"), n(ex + focus + "v")),
                 ox.Triple(n(ex + focus + "v"), a, n(ex + value_type))]
    report = validate(data, g)
    assert [(r.focus, r.message) for r in report.results] == [(ex + "f", "p is a C")]
    assert report == validate(data, g, "pyshacl")


def test_class_constraints_follow_subclass_chains_cycles_and_blank_subclasses() -> None:
    import pyoxigraph as ox

    g = shapes("""ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:p ; sh:class ex:D ; sh:message 'p is a D' ] .""")
    n, b = ox.NamedNode, ox.BlankNode("sub")
    sub = n("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    a = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    ex = "http://example.org/"
    data = [ox.Triple(n(ex + "D1"), sub, n(ex + "D")), ox.Triple(n(ex + "D2"), sub, n(ex + "D1")),
            ox.Triple(n(ex + "D"), sub, n(ex + "D2")),  # a cycle: D, D1, D2 are one class
            ox.Triple(b, sub, n(ex + "C")),
            ox.Triple(n(ex + "good"), a, b), ox.Triple(n(ex + "good"), n(ex + "p"), n(ex + "v2")),
            ox.Triple(n(ex + "v2"), a, n(ex + "D2")),
            ox.Triple(n(ex + "bad"), a, b), ox.Triple(n(ex + "bad"), n(ex + "p"), n(ex + "w")),
            ox.Triple(n(ex + "w"), a, n(ex + "E"))]
    assert [(r.focus, r.message) for r in validate(data, g).results] == [(ex + "bad", "p is a D")]


def test_in_and_language_in_follow_shacl() -> None:
    import pyoxigraph as ox

    g = shapes("""ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:n ; sh:in ( 1 ) ; sh:message 'n is 1' ] ;
        sh:property [ sh:path ex:l ; sh:languageIn ( "en" ) ; sh:message 'l is English' ] .""")
    n = ox.NamedNode
    a = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    xsd = "http://www.w3.org/2001/XMLSchema#"
    data = [ox.Triple(n("http://example.org/x"), a, n("http://example.org/C")),
            ox.Triple(n("http://example.org/x"), n("http://example.org/n"), ox.Literal("1.0", datatype=n(xsd + "decimal"))),
            ox.Triple(n("http://example.org/x"), n("http://example.org/l"), n("http://example.org/not-a-literal"))]
    assert {r.message for r in validate(data, g).results} == {"n is 1", "l is English"}


def test_wkt_coordinates_are_never_in_exponent_form() -> None:
    from twinkg.mapping import _plain_number

    assert _plain_number(0.00001) == "0.00001" and _plain_number(-1.5) == "-1.5" and _plain_number(52.4) == "52.4"


def test_unsupported_shapes_fall_back_to_pyshacl_with_a_notice() -> None:
    import pyoxigraph as ox

    from twinkg.validate import validate_pyshacl

    g = shapes("""ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ;
        sh:qualifiedValueShape [ sh:class ex:D ] ; sh:qualifiedMinCount 2 ; sh:message 'two Ds' ] .""")
    n = ox.NamedNode
    a = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    data = [ox.Triple(n("http://example.org/x"), a, n("http://example.org/C")),
            ox.Triple(n("http://example.org/x"), n("http://example.org/p"), n("http://example.org/d")),
            ox.Triple(n("http://example.org/d"), a, n("http://example.org/D"))]
    notices: list[str] = []
    report = validate(data, g, notice=notices.append)
    assert [(r.focus, r.message) for r in report.results] == [("http://example.org/x", "two Ds")]
    assert report == validate_pyshacl(data, g)
    assert len(notices) == 1 and "qualifiedMinCount" in notices[0] and "pyshacl" in notices[0]


def test_broken_shapes_do_not_fall_back() -> None:
    g = shapes("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 'many' ] .")
    notices: list[str] = []
    with pytest.raises(ShapesError, match="non-negative integer"):
        validate([], g, notice=notices.append)
    assert not notices


def test_both_engines_agree_on_the_mini_build(mini_build) -> None:  # type: ignore[no-untyped-def]
    from twinkg.validate import load_shapes, validate_pyshacl

    settings, built = mini_build
    triples = built.graphs["curated"] | built.graphs["ontology"]
    shacl = load_shapes(settings.shapes_dir)
    assert validate(triples, shacl) == validate_pyshacl(triples, shacl) == validate(triples, shacl, "pyshacl")


def test_validate_engine_option() -> None:
    from support.builds import MINI
    from typer.testing import CliRunner

    from twinkg.cli import app

    runner = CliRunner()
    ok = runner.invoke(app, ["validate", "--data", str(MINI), "--engine", "pyshacl"])
    assert ok.exit_code == 0 and "conforms" in ok.output
    bad = runner.invoke(app, ["validate", "--data", str(MINI), "--engine", "fast"])
    assert bad.exit_code == 1 and "--engine must be one of compiled, pyshacl" in bad.output


def test_a_shape_is_one_pass_over_its_focus_nodes_each_constraint_reported_on_its_own() -> None:
    """One query per shape (its node-level constraints and each property shape), not one per constraint;
    a node failing two constraints gets two results, each with its message and path."""
    import pyoxigraph as ox

    g = shapes("""ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:nodeKind sh:IRI ; sh:message 'an IRI' ;
        sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message 'needs p' ] ;
        sh:property [ sh:path ex:q ; sh:maxCount 1 ; sh:message 'one q at most' ] .""")
    assert len(compile_shapes(g)) == 1
    n, ex = ox.NamedNode, "http://example.org/"
    a = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    data = [ox.Triple(n(ex + "both"), a, n(ex + "C")), ox.Triple(n(ex + "both"), n(ex + "q"), ox.Literal("1")),
            ox.Triple(n(ex + "both"), n(ex + "q"), ox.Literal("2")),
            ox.Triple(n(ex + "ok"), a, n(ex + "C")), ox.Triple(n(ex + "ok"), n(ex + "p"), ox.Literal("1")),
            ox.Triple(ox.BlankNode("b"), a, n(ex + "C")), ox.Triple(ox.BlankNode("b"), n(ex + "p"), ox.Literal("1"))]
    assert sorted((r.focus, r.path, r.message) for r in validate(data, g).results) == [
        ("_:blank", "", "an IRI"), (ex + "both", ex + "p", "needs p"), (ex + "both", ex + "q", "one q at most")]
    assert validate(data, g) == validate(data, g, "pyshacl")


def test_the_checks_with_the_most_constraints_run_first_in_the_shapes_order_otherwise() -> None:
    """The two validation threads take the largest checks first (`validate.longest_first`), so that the
    largest does not start last and run alone; checks of equal size keep the shapes' order."""
    from twinkg.validate import longest_first

    g = shapes("""ex:A a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
        ex:B a sh:NodeShape ; sh:targetClass ex:D ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ;
            sh:property [ sh:path ex:q ; sh:minCount 1 ] ; sh:property [ sh:path ex:r ; sh:maxCount 1 ] .
        ex:D a sh:NodeShape ; sh:targetClass ex:E ; sh:property [ sh:path ex:s ; sh:minCount 1 ] .""")
    checks = compile_shapes(g)
    assert [len(c.constraints) for c in checks] == [1, 3, 1]
    assert longest_first(checks) == [checks[1], checks[0], checks[2]]


def test_shapes_of_the_same_focus_nodes_are_one_pass_each_result_with_its_own_shape() -> None:
    """Shapes that target the same classes with the same severity are tested in one pass over those focus
    nodes; each constraint still reports with its own message and path, and a shape of another severity
    or other targets is a pass of its own. The verdicts are pyshacl's."""
    import pyoxigraph as ox

    g = shapes("""ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message 'needs p' ] .
        ex:T a sh:NodeShape ; sh:targetClass ex:C ; sh:nodeKind sh:IRI ; sh:message 'an IRI' ;
            sh:property [ sh:path ex:q ; sh:maxCount 1 ; sh:message 'one q at most' ] .
        ex:U a sh:NodeShape ; sh:targetClass ex:C ; sh:severity sh:Warning ; sh:nodeKind sh:BlankNode ;
            sh:message 'a blank node is advised' .
        ex:V a sh:NodeShape ; sh:targetClass ex:K ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message 'K needs p' ] .""")
    checks = compile_shapes(g)
    assert sorted((len(c.constraints), c.severity) for c in checks) == [(1, "Violation"), (1, "Warning"), (3, "Violation")]
    n, ex = ox.NamedNode, "http://example.org/"
    a = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    data = [ox.Triple(n(ex + "both"), a, n(ex + "C")), ox.Triple(n(ex + "both"), n(ex + "q"), ox.Literal("1")),
            ox.Triple(n(ex + "both"), n(ex + "q"), ox.Literal("2")), ox.Triple(n(ex + "both"), a, n(ex + "K")),
            ox.Triple(ox.BlankNode("b"), a, n(ex + "C")), ox.Triple(ox.BlankNode("b"), n(ex + "p"), ox.Literal("1")),
            ox.Triple(ox.BlankNode("b"), n(ex + "q"), ox.Literal("1"))]
    report = validate(data, g)
    assert sorted((r.severity, r.focus, r.path, r.message) for r in report.results) == [
        ("Violation", "_:blank", "", "an IRI"), ("Violation", ex + "both", ex + "p", "K needs p"),
        ("Violation", ex + "both", ex + "p", "needs p"), ("Violation", ex + "both", ex + "q", "one q at most"),
        ("Warning", ex + "both", "", "a blank node is advised")]
    assert report == validate(data, g, "pyshacl")


def test_at_most_one_value_that_conforms_is_one_test_and_says_what_pyshacl_says() -> None:
    """sh:maxCount 1 with a test of each value compiles to one NOT EXISTS over the path (one look-up where
    there is no value); no value, one good, one bad, two good, an IRI where a literal is asked for, and a
    required one missing give pyshacl's verdicts."""
    import pyoxigraph as ox

    g = shapes("""ex:S a sh:NodeShape ; sh:targetClass ex:C ;
        sh:property [ sh:path ex:d ; sh:maxCount 1 ; sh:datatype <http://www.w3.org/2001/XMLSchema#date> ; sh:message 'one date at most' ] ;
        sh:property [ sh:path ex:k ; sh:minCount 1 ; sh:maxCount 1 ; sh:class ex:K ; sh:message 'one K' ] .""")
    assert "NOT EXISTS" in compile_shapes(g)[0].query and compile_shapes(g)[0].query.count("sameTerm") == 2
    n, ex = ox.NamedNode, "http://example.org/"
    a = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    date = n("http://www.w3.org/2001/XMLSchema#date")
    data = [ox.Triple(n(ex + "k1"), a, n(ex + "K")), ox.Triple(n(ex + "k2"), a, n(ex + "K"))]
    day, other, text, iri = ox.Literal("2020-01-01", datatype=date), ox.Literal("2021-01-01", datatype=date), ox.Literal("x"), n(ex + "k1")
    for name, dates, ks in (("none", [], ["k1"]), ("good", [day], ["k1"]), ("bad", [text], ["k1"]),
                            ("two", [day, other], ["k1"]), ("iri", [iri], ["k1"]),
                            ("nok", [], []), ("twok", [], ["k1", "k2"]), ("notk", [], ["c"])):
        node = n(ex + name)
        data.append(ox.Triple(node, a, n(ex + "C")))
        data += [ox.Triple(node, n(ex + "d"), d) for d in dates]
        data += [ox.Triple(node, n(ex + "k"), n(ex + k)) for k in ks]
    report = validate(data, g)
    assert sorted((r.focus.rsplit("/", 1)[1], r.message) for r in report.results) == [
        ("bad", "one date at most"), ("iri", "one date at most"), ("nok", "one K"), ("notk", "one K"),
        ("two", "one date at most"), ("twok", "one K")]
    assert report == validate(data, g, "pyshacl")


def test_a_property_shape_reports_with_its_own_severity_not_its_node_shapes() -> None:
    """A result's severity is that of the shape whose constraint it breaks (SHACL 2.1.5): a property shape
    without sh:severity is a Violation inside a node shape marked sh:Warning, and one marked sh:Info is Info
    inside a node shape that is a Violation. The verdicts are pyshacl's."""
    import pyoxigraph as ox

    g = shapes("""ex:W a sh:NodeShape ; sh:targetClass ex:C ; sh:severity sh:Warning ; sh:nodeKind sh:BlankNode ;
            sh:message 'a blank node is advised' ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message 'needs p' ] .
        ex:V a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:q ; sh:minCount 1 ; sh:severity sh:Info ; sh:message 'q is welcome' ] .""")
    n, ex = ox.NamedNode, "http://example.org/"
    data = [ox.Triple(n(ex + "c"), n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), n(ex + "C"))]
    report = validate(data, g)
    assert sorted((r.severity, r.path, r.message) for r in report.results) == [
        ("Info", ex + "q", "q is welcome"), ("Violation", ex + "p", "needs p"),
        ("Warning", "", "a blank node is advised")]
    assert not report.conforms
    assert report == validate(data, g, "pyshacl")


def test_one_validation_thread_reports_what_two_do() -> None:
    """The build validates on one thread while the exports' child has the other core (`build.validation_threads`):
    the same results as on two, whichever thread runs which check."""
    import pyoxigraph as ox

    from twinkg.validate import validate_store

    g = shapes("""ex:A a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:message 'needs p' ] .
        ex:B a sh:NodeShape ; sh:targetClass ex:D ; sh:property [ sh:path ex:q ; sh:maxCount 1 ; sh:message 'one q' ] ;
            sh:nodeKind sh:IRI ; sh:message 'an IRI' .""")
    n, ex = ox.NamedNode, "http://example.org/"
    a = n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    store = ox.Store()
    store.bulk_extend([ox.Quad(n(ex + "x"), a, n(ex + "C")), ox.Quad(n(ex + "y"), a, n(ex + "D")),
                       ox.Quad(n(ex + "y"), n(ex + "q"), ox.Literal("1")), ox.Quad(n(ex + "y"), n(ex + "q"), ox.Literal("2")),
                       ox.Quad(ox.BlankNode("b"), a, n(ex + "D"))])
    one, two = validate_store(store, g, threads=1), validate_store(store, g, threads=2)
    assert one == two and len(one.results) == 3
