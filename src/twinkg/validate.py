"""SHACL validation of the built graph, reported as people read it.

The shapes are compiled to whole-graph SPARQL queries (twinkg.shacl_sparql), one
per shape, and run on pyoxigraph, each once: at the crawl's scale this takes seconds where
pyshacl did not finish in four minutes and pyshacl-turbo in ten
(bench/RESULTS.md). The shapes tests check, case by case, that the report
agrees with pyshacl, the reference implementation. No inference: the mapping
materialises the types it needs.

pyshacl is also an engine of its own (`twinkg validate --engine pyshacl`), and
the build falls back to it, with a notice, when the shapes use SHACL that the
compiler does not cover (`UnsupportedShape`): slower, never wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from twinkg.config import Progress
from twinkg.formats import rdf_bytes
from twinkg.shacl_sparql import Check, Hierarchy, ShapesError, UnsupportedShape, compile_shapes
from twinkg.vocab import RDF, RDFS, XSD
from twinkg.vocab import SH as SH_NS

__all__ = ["ENGINES", "Report", "Result", "ShapesError", "load_shapes", "validate", "validate_pyshacl", "validate_store"]

ENGINES = ("compiled", "pyshacl")
"""compiled: the shapes as SPARQL on pyoxigraph (fast, the default); pyshacl: the reference engine."""


@dataclass(frozen=True, order=True)
class Result:
    severity: str
    focus: str
    path: str
    message: str
    value: str

    def __str__(self) -> str:
        value = f" (value {self.value})" if self.value else ""
        return f"{self.severity}: {self.focus}: {self.path or '-'}: {self.message}{value}"


@dataclass(frozen=True)
class Report:
    results: tuple[Result, ...]

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    def triples(self) -> list[ox.Triple]:
        """The report as SHACL RDF, with stable blank node ids so equal reports serialise equally."""
        n = ox.NamedNode
        root = ox.BlankNode("report")
        out = [
            ox.Triple(root, n(RDF + "type"), n(SH_NS + "ValidationReport")),
            ox.Triple(root, n(SH_NS + "conforms"), ox.Literal("true" if self.conforms else "false", datatype=n(XSD + "boolean"))),
        ]
        for index, r in enumerate(self.results, start=1):
            node = ox.BlankNode(f"result{index}")
            out += [
                ox.Triple(root, n(SH_NS + "result"), node),
                ox.Triple(node, n(RDF + "type"), n(SH_NS + "ValidationResult")),
                ox.Triple(node, n(SH_NS + "resultSeverity"), n(SH_NS + r.severity)),
                ox.Triple(node, n(SH_NS + "focusNode"), n(r.focus) if r.focus.startswith("http") else ox.Literal(r.focus)),
                ox.Triple(node, n(SH_NS + "resultMessage"), ox.Literal(r.message)),
            ]
            if r.path:
                out.append(ox.Triple(node, n(SH_NS + "resultPath"), n(r.path) if r.path.startswith("http") else ox.Literal(r.path)))
            if r.value:
                out.append(ox.Triple(node, n(SH_NS + "value"), ox.Literal(r.value)))
        return out

    def summary(self) -> str:
        if not self.results:
            return "SHACL: the graph conforms (no results)."
        lines = [str(r) for r in self.results]
        verdict = "conforms" if self.conforms else "does NOT conform"
        return "\n".join(lines + [f"SHACL: the graph {verdict}: {len(self.results)} result(s)."])


def load_shapes(shapes_dir: Path) -> rdflib.Graph:
    shapes = rdflib.Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        try:
            shapes.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many parser-specific types
            raise ShapesError(f"{path}: cannot parse the shapes: {exc}") from None
    return shapes


def _text(term: object) -> str:
    if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return term.value if not isinstance(term, ox.BlankNode) else "_:blank"
    return ""


_SLOT = re.compile(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}")


def _solutions(result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> ox.QuerySolutions:
    """Every compiled check is a SELECT."""
    assert isinstance(result, ox.QuerySolutions)
    return result


_TRUE = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))


def _run(store: ox.Store, check: Check) -> list[Result]:
    if not check.sparql:
        return [Result(check.severity, _text(row["this"]), c.path, c.message, "")
                for row in _solutions(store.query(check.query, use_default_graph_as_union=True))
                for i, c in enumerate(check.constraints) if row[f"f{i}"] == _TRUE]
    (constraint,) = check.constraints
    results = []
    bound: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None = (
        {ox.Variable("this"): ox.NamedNode(check.focus)} if check.focus else None)
    for row in _solutions(store.query(check.query, substitutions=bound, use_default_graph_as_union=True)):
        def slot(match: re.Match[str], row: ox.QuerySolution = row) -> str:
            name = match[1]
            return check.focus or "" if name == "this" else _text(row[name])

        results.append(Result(check.severity, check.focus or "", "", _SLOT.sub(slot, constraint.message), _text(row["value"])))
    return results


def validate(triples: Iterable[ox.Triple], shapes: rdflib.Graph, engine: str = "compiled",
             notice: Progress = lambda _: None) -> Report:
    """Validate the triples (curated data with the ontology and concept schemes it refers to)."""
    if engine == "pyshacl":
        return validate_pyshacl(triples, shapes)
    store = ox.Store()
    store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return validate_store(store, shapes, engine, notice)


def validate_store(store: ox.Store, shapes: rdflib.Graph, engine: str = "compiled",
                   notice: Progress = lambda _: None, threads: int = 2) -> Report:
    """Validate the union of the store's graphs (the build's store holds them as named graphs).

    The compiled checks run on `threads` threads (pyoxigraph lets go of the interpreter lock while it
    evaluates): two for a machine's two cores, one when something else has the other (`build.check`)."""
    if engine == "pyshacl":
        return validate_pyshacl(_triples(store), shapes)
    try:
        checks = compile_shapes(shapes, _hierarchy(store))
    except UnsupportedShape as exc:
        notice(f"the SHACL compiler does not support the shapes ({exc}); validating with pyshacl instead, more slowly")
        return validate_pyshacl(_triples(store), shapes)
    except ShapesError:
        raise
    except Exception as exc:  # noqa: BLE001  # a malformed shapes graph (missing list tail, bad literal …)
        raise ShapesError(f"the SHACL shapes could not be compiled: {exc}") from None
    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            found = [r for results in pool.map(lambda c: _run(store, c), longest_first(checks)) for r in results]
    except SyntaxError as exc:
        raise ShapesError(f"a SPARQL constraint of the shapes does not parse: {exc}") from None
    return Report(tuple(sorted(set(found))))


def longest_first(checks: list[Check]) -> list[Check]:
    """The checks in the order the two threads should take them: the most constraints first.

    A shape's check visits each focus node once and tests each constraint there, so its constraints are
    the measure of its cost that the compiler has. In the shapes' own order the largest (the twinning
    shape's 24 constraints, 1.3 of SHACL's 3.6 CPU s on the default build) came second to last and ran
    alone at the end, while the other thread had nothing left (bench/RESULTS.md, round 3)."""
    return sorted(checks, key=lambda c: -len(c.constraints))


def _triples(store: ox.Store) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store}


def _hierarchy(store: ox.Store) -> Hierarchy:
    """The data graph's subclass pairs, as the compiler writes terms."""
    return Hierarchy({(str(q.subject), str(q.object))
                      for q in store.quads_for_pattern(None, ox.NamedNode(RDFS + "subClassOf"), None)})


def validate_pyshacl(triples: Iterable[ox.Triple], shapes: rdflib.Graph) -> Report:
    """The same validation by pyshacl (no inference, as the build), its report in the same form.

    Like the compiled engine, a result names its value only for sh:sparql constraints."""
    import pyshacl  # imported here: a quarter of a second (networkx, its SPARQL) every build would pay for nothing

    data = rdflib.Graph().parse(data=rdf_bytes(triples, ox.RdfFormat.N_TRIPLES), format="nt")
    try:
        _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    except Exception as exc:  # pyshacl raises its own types and rdflib's for malformed shapes
        raise ShapesError(f"pyshacl cannot use the shapes: {exc}") from None
    assert isinstance(report, rdflib.Graph)
    results = []
    for node in report.objects(None, SH.result):
        severity, path = report.value(node, SH.resultSeverity), report.value(node, SH.resultPath)
        sparql = report.value(node, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent
        value = report.value(node, SH.value) if sparql else None
        results.append(Result(str(severity).removeprefix(SH_NS), _rdflib_text(report.value(node, SH.focusNode)),
                              str(path) if isinstance(path, rdflib.URIRef) else "",
                              str(report.value(node, SH.resultMessage) or ""), _rdflib_text(value)))
    return Report(tuple(sorted(set(results))))


def _rdflib_text(term: rdflib.term.Node | None) -> str:
    if isinstance(term, rdflib.BNode):
        return "_:blank"
    return str(term) if term is not None else ""
