"""SHACL shapes compiled to whole-graph SPARQL queries, run once each on pyoxigraph.

Validators that check node by node (pyshacl; pyshacl-turbo's SPARQL
constraints) cost minutes at world scale (bench/RESULTS.md); a query that
returns every failing node at once costs well under a second on pyoxigraph.
Each set of focus nodes (the shapes that target the same classes and nodes,
with the same severity) becomes one SELECT that visits each focus node once
and tests there the node-level constraints and each property shape of those
shapes, one flag each: `SELECT DISTINCT ?this ?f0 ?f1 … WHERE { <target> BIND (!<conforms 0>
AS ?f0) … FILTER (?f0 || ?f1 …) }`, where a conformance is one SPARQL
expression (EXISTS / NOT EXISTS over its path), recursively for sh:node,
sh:or, sh:xone, sh:not and qualified value shapes. One query per property
shape enumerated the same targets once per constraint: a quarter more time
at world scale (bench/RESULTS.md). `sh:sparql` constraints run as written,
once, with `$this` bound to their target node.

SHACL's class membership is `rdf:type/rdfs:subClassOf*` over the data graph.
As a property path inside EXISTS it is evaluated anew for every focus node,
which made most checks cost 0.2–1.7 s at world scale; when the data graph's
subclass relations are given (`Hierarchy`), membership compiles to a lookup of
`rdf:type` against the class's subclasses, read once from the same graph, so
the answer is the same.

It covers the SHACL Core subset that twinkg's shapes use and raises ShapesError
on anything else, so a new construct cannot be silently ignored (one known
gap: sh:datatype checks the datatype IRI, not that the lexical form is valid
for it; the mapping writes only valid forms); the shapes
tests check, case by case, that it reports what pyshacl (the reference
implementation) reports.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

from twinkg.errors import InputError


class ShapesError(InputError):
    """The shapes themselves are broken or use what the compiler does not handle."""


class UnsupportedShape(ShapesError):
    """The shapes use SHACL this compiler does not cover; pyshacl, the reference engine, can validate them."""


SUBCLASS = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

HANDLED = {SH.path, SH.message, SH.property, SH.maxCount, SH.minCount, SH["class"], SH.node, SH.nodeKind,
           SH.hasValue, SH["or"], SH.datatype, SH.qualifiedValueShape, SH.qualifiedMinCount,
           SH.qualifiedMaxCount, SH["not"], SH.pattern, SH.uniqueLang, SH.equals, SH.xone,
           SH.lessThanOrEquals, SH.languageIn, SH["in"], SH["and"], SH.targetClass, SH.targetNode,
           SH.sparql, SH.name, SH.description, SH.severity, SH.declare, SH.flags}


@dataclass(frozen=True)
class Constraint:
    """What a result of one constraint says: its message and the path it is about (an IRI or none)."""

    message: str
    path: str = ""


@dataclass(frozen=True)
class Check:
    """One query whose rows are violations.

    Core checks return ?this, a failing focus node, and one flag per constraint
    of its shape (?f0 for `constraints[0]` …), true where that one fails. SPARQL
    constraints (one each) return their own bindings, which fill the `{?var}`
    slots of the message; their focus is the target node bound to $this."""

    query: str
    constraints: tuple[Constraint, ...]
    severity: str = "Violation"
    sparql: bool = False
    focus: str | None = None


class Hierarchy:
    """The data graph's subclass relation, closed: which classes are a class or one of its subclasses.

    Built from the data graph's `rdfs:subClassOf` pairs, each term written as SPARQL
    (`<iri>`, `_:b`); no hierarchy at all keeps the path, which is right for any graph."""

    def __init__(self, subclass_of: Iterable[tuple[str, str]]):
        self.below: dict[str, set[str]] = {}
        for sub, sup in subclass_of:
            self.below.setdefault(sup, set()).add(sub)

    def closure(self, cls: str) -> list[str]:
        """The class and every class under it, in a stable order (SPARQL terms)."""
        seen, todo = {cls}, [cls]
        while todo:
            for sub in self.below.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        return sorted(seen)


def _severity(g: rdflib.Graph, shape: rdflib.term.Node) -> str:
    """The local name of the shape's sh:severity; Violation when it states none."""
    return str(g.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]


def _iri(term: rdflib.term.Node) -> str:
    if isinstance(term, rdflib.URIRef):
        return f"<{term}>"
    if isinstance(term, rdflib.Literal):
        return term.n3()
    raise UnsupportedShape(f"unsupported term in shapes: {term!r}")


def _count(term: rdflib.term.Node | None) -> int | None:
    """A cardinality of the shapes (sh:minCount …): a non-negative integer literal, or absent."""
    if term is None:
        return None
    if not isinstance(term, rdflib.Literal) or not isinstance(term.toPython(), int) or term.toPython() < 0:
        raise ShapesError(f"a cardinality must be a non-negative integer, got {term!r}")
    count: int = term.toPython()
    return count


_Passes = dict[tuple[tuple[str, ...], tuple[str, ...], str], tuple[str, list[tuple[str, Constraint]]]]
"""(target classes, target nodes, severity) → (the SPARQL target of those focus nodes, the tests of one pass over them)."""


class _Compiler:
    def __init__(self, shapes: rdflib.Graph, hierarchy: Hierarchy | None):
        self.g = shapes
        self.hierarchy = hierarchy
        self.fresh = itertools.count()

    def instance(self, x: str, cls: rdflib.term.Node, bound: bool = True) -> str:
        """A graph pattern: x is a SHACL instance of cls.

        Of a class with subclasses, a bound x's types are read once and compared with each class (at the
        crawl's ×4, 0.65 to 0.25 CPU s for the twinnings' events); an unbound x (a target) is looked up by
        each class, which reads only their instances."""
        classes = self.hierarchy.closure(_iri(cls)) if self.hierarchy is not None else []
        if not classes or any(not k.startswith("<") for k in classes):  # a blank node cannot go in VALUES
            return f"{x} {TYPE}/{SUBCLASS}* {_iri(cls)}"
        if len(classes) == 1:
            return f"{x} {TYPE} {classes[0]}"
        c = self.var()
        if bound:
            return f"{x} {TYPE} {c} FILTER ({' || '.join(f'sameTerm({c}, {k})' for k in classes)})"
        return f"VALUES {c} {{ {' '.join(classes)} }} {x} {TYPE} {c}"

    def var(self) -> str:
        return f"?v{next(self.fresh)}"

    def items(self, node: rdflib.term.Node) -> list[rdflib.term.Node]:
        return list(Collection(self.g, node))

    def path(self, node: rdflib.term.Node) -> str:
        if isinstance(node, rdflib.URIRef):
            return _iri(node)
        inverse = self.g.value(node, SH.inversePath)
        if inverse is not None:
            return f"^{self.path(inverse)}"
        raise UnsupportedShape(f"unsupported sh:path {node!r}")

    def check_handled(self, shape: rdflib.term.Node) -> None:
        for p in self.g.predicates(shape, None):
            if p not in HANDLED and p != RDF.type and not str(p).startswith(str(rdflib.RDFS)):
                raise UnsupportedShape(f"shape {shape}: unsupported {p}")

    def conforms(self, shape: rdflib.term.Node, x: str) -> str:
        """A SPARQL expression: the node bound to x conforms to the shape."""
        self.check_handled(shape)
        if self.g.value(shape, SH.path) is not None:
            return self.property(shape, x)
        return self.node_level(shape, x, include_properties=True)

    def node_level(self, shape: rdflib.term.Node, x: str, include_properties: bool) -> str:
        g = self.g
        parts = self.value_constraints(shape, x)
        if include_properties:
            parts += [self.property(p, x) for p in g.objects(shape, SH.property)]
        return " && ".join(parts) if parts else "true"

    def value_constraints(self, shape: rdflib.term.Node, x: str) -> list[str]:
        """Constraints on the value node itself (node shapes, or each value of a property shape)."""
        g = self.g
        parts: list[str] = []
        for c in g.objects(shape, SH["class"]):
            parts.append(f"EXISTS {{ {self.instance(x, c)} }}")
        for d in g.objects(shape, SH.datatype):
            parts.append(f"(isLiteral({x}) && datatype({x}) = {_iri(d)})")
        for k in g.objects(shape, SH.nodeKind):
            test = {SH.IRI: f"isIRI({x})", SH.Literal: f"isLiteral({x})", SH.BlankNode: f"isBlank({x})",
                    SH.BlankNodeOrIRI: f"!isLiteral({x})"}.get(k) if isinstance(k, rdflib.URIRef) else None
            if test is None:
                raise UnsupportedShape(f"shape {shape}: unsupported sh:nodeKind {k}")
            parts.append(test)
        for pattern in g.objects(shape, SH.pattern):
            flags = g.value(shape, SH.flags)
            regex = rdflib.Literal(str(pattern)).n3()
            extra = f", {rdflib.Literal(str(flags)).n3()}" if flags else ""
            parts.append(f"(!isBlank({x}) && REGEX(STR({x}), {regex}{extra}))")
        for langs in g.objects(shape, SH.languageIn):
            tests = " || ".join(f"langMatches(lang({x}), {rdflib.Literal(str(t)).n3()})" for t in self.items(langs))
            parts.append(f"(isLiteral({x}) && ({tests or 'false'}))")
        for values in g.objects(shape, SH["in"]):
            same = [f"sameTerm({x}, {_iri(v)})" for v in self.items(values)]
            parts.append("(" + " || ".join(same) + ")" if same else "false")
        for node in g.objects(shape, SH.node):
            parts.append(f"({self.conforms(node, x)})")
        for members in g.objects(shape, SH["or"]):
            parts.append("(" + " || ".join(f"({self.conforms(m, x)})" for m in self.items(members)) + ")")
        for members in g.objects(shape, SH["and"]):
            parts.append("(" + " && ".join(f"({self.conforms(m, x)})" for m in self.items(members)) + ")")
        for members in g.objects(shape, SH.xone):
            parts.append("((" + " + ".join(f"IF({self.conforms(m, x)}, 1, 0)" for m in self.items(members)) + ") = 1)")
        for negated in g.objects(shape, SH["not"]):
            parts.append(f"!({self.conforms(negated, x)})")
        if self.g.value(shape, SH.path) is None:
            for v in g.objects(shape, SH.hasValue):
                parts.append(f"sameTerm({x}, {_iri(v)})")
        return parts

    def property(self, shape: rdflib.term.Node, x: str) -> str:
        g = self.g
        self.check_handled(shape)
        if g.value(shape, SH.property) is not None:
            raise UnsupportedShape(f"property shape {shape}: nested sh:property is not supported; use sh:node")
        path_node = g.value(shape, SH.path)
        if path_node is None:
            raise ShapesError(f"property shape {shape}: no sh:path")
        path = self.path(path_node)
        parts: list[str] = []
        low = _count(g.value(shape, SH.minCount))
        if low is not None and low > 0:
            vs = [self.var() for _ in range(low)]
            distinct = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2))
            parts.append(f"EXISTS {{ {x} {path} {', '.join(vs)} {f'FILTER ({distinct})' if distinct else ''} }}")
        high = _count(g.value(shape, SH.maxCount))
        v = self.var()
        each = self.value_constraints(shape, v)
        if high == 1 and each:
            # At most one value, and each value conforms: one look-up of the path where there is no value
            # (most optional properties of most nodes), instead of one for each of the two tests.
            second = self.var()
            parts.append(f"NOT EXISTS {{ {x} {path} {v} FILTER (!({' && '.join(each)}) "
                         f"|| EXISTS {{ {x} {path} {second} FILTER (!sameTerm({v}, {second})) }}) }}")
        else:
            if high is not None:
                vs = [self.var() for _ in range(high + 1)]
                distinct = " && ".join(f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2))
                parts.append(f"NOT EXISTS {{ {x} {path} {', '.join(vs)} {f'FILTER ({distinct})' if distinct else ''} }}")
            if each:
                parts.append(f"NOT EXISTS {{ {x} {path} {v} FILTER (!({' && '.join(each)})) }}")
        for value in g.objects(shape, SH.hasValue):
            parts.append(f"EXISTS {{ {x} {path} {_iri(value)} }}")
        if g.value(shape, SH.uniqueLang) == rdflib.Literal(True):
            a, b = self.var(), self.var()
            parts.append(f"NOT EXISTS {{ {x} {path} {a}, {b} FILTER (!sameTerm({a}, {b}) && lang({a}) != \"\" "
                         f"&& lang({a}) = lang({b})) }}")
        for other in g.objects(shape, SH.equals):
            a = self.var()
            parts.append(f"NOT EXISTS {{ {x} {path} {a} FILTER NOT EXISTS {{ {x} {_iri(other)} {a} }} }}")
            parts.append(f"NOT EXISTS {{ {x} {_iri(other)} {a} FILTER NOT EXISTS {{ {x} {path} {a} }} }}")
        for other in g.objects(shape, SH.lessThanOrEquals):
            a, b = self.var(), self.var()
            parts.append(f"NOT EXISTS {{ {x} {path} {a} . {x} {_iri(other)} {b} FILTER (!COALESCE({a} <= {b}, false)) }}")
        qualified = g.value(shape, SH.qualifiedValueShape)
        if qualified is not None:
            q = self.var()
            test = self.conforms(qualified, q)
            qmin, qmax = _count(g.value(shape, SH.qualifiedMinCount)), _count(g.value(shape, SH.qualifiedMaxCount))
            if qmin is not None:
                if qmin != 1:
                    raise UnsupportedShape("only sh:qualifiedMinCount 1 is supported")
                parts.append(f"EXISTS {{ {x} {path} {q} FILTER ({test}) }}")
            if qmax is not None:
                if qmax != 0:
                    raise UnsupportedShape("only sh:qualifiedMaxCount 0 is supported")
                parts.append(f"NOT EXISTS {{ {x} {path} {q} FILTER ({test}) }}")
        return " && ".join(parts) if parts else "true"

    def checks(self) -> list[Check]:
        """One check per set of focus nodes and severity: the shapes that target the same classes and nodes
        are tested in one pass over them (the twinning's seven shapes: 2.0 to 1.6 CPU s on the default build,
        bench/RESULTS.md, round 3); then one check per SPARQL constraint and target node. A property shape's
        results take its own severity, not its node shape's (SHACL 2.1.5: the severity of the shape broken)."""
        g = self.g
        passes: _Passes = {}
        out: list[Check] = []
        shapes = set(g.subjects(SH.targetClass, None)) | set(g.subjects(SH.targetNode, None))
        for shape in sorted(shapes, key=str):
            self.check_handled(shape)
            severity = _severity(g, shape)
            classes = sorted(g.objects(shape, SH.targetClass), key=str)
            nodes = sorted(g.objects(shape, SH.targetNode), key=str)
            node_test = self.node_level(shape, "?this", include_properties=False)
            if node_test != "true":
                self._tests(passes, classes, nodes, severity).append(
                    (node_test, Constraint(str(g.value(shape, SH.message) or shape))))
            for prop in sorted(g.objects(shape, SH.property), key=str):
                path = g.value(prop, SH.path)
                self._tests(passes, classes, nodes, _severity(g, prop)).append((self.property(prop, "?this"), Constraint(
                    str(g.value(prop, SH.message) or prop), str(path) if isinstance(path, rdflib.URIRef) else "")))
            constraints = sorted(g.objects(shape, SH.sparql), key=lambda c: str(g.value(c, SH.select)))
            if constraints and classes:
                raise UnsupportedShape(f"shape {shape}: sh:sparql runs once per target node; target the class IRI with sh:targetNode")
            for constraint in constraints:
                out.extend(self.sparql(constraint, nodes, severity))
        for (_, _, severity), (target, tests) in passes.items():
            if tests:
                flags = [f"?f{i}" for i in range(len(tests))]
                binds = " ".join(f"BIND (!({test}) AS {flag})" for (test, _), flag in zip(tests, flags, strict=True))
                out.append(Check(f"SELECT DISTINCT ?this {' '.join(flags)} WHERE {{ {target} {binds} FILTER ({' || '.join(flags)}) }}",
                                 tuple(c for _, c in tests), severity))
        return out

    def _tests(self, passes: _Passes,
               classes: list[rdflib.term.Node], nodes: list[rdflib.term.Node], severity: str) -> list[tuple[str, Constraint]]:
        """The tests of the pass over these focus nodes at this severity, the pass made when first asked for."""
        key = (tuple(map(_iri, classes)), tuple(map(_iri, nodes)), severity)
        if key not in passes:
            targets = [f"{{ {self.instance('?this', c, bound=False)} }}" for c in classes]
            targets += [f"{{ VALUES ?this {{ {_iri(n)} }} }}" for n in nodes]
            passes[key] = (_each_once(targets), [])
        return passes[key][1]

    def sparql(self, constraint: rdflib.term.Node, nodes: list[rdflib.term.Node], severity: str) -> list[Check]:
        g = self.g
        prefixes = ""
        for ontology in g.objects(constraint, SH.prefixes):
            for decl in g.objects(ontology, SH.declare):
                prefixes += f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>\n"
        select = str(g.value(constraint, SH.select))
        message = str(g.value(constraint, SH.message) or "")
        return [Check(prefixes + select, (Constraint(message),), severity, sparql=True, focus=str(n)) for n in nodes]


def _each_once(targets: list[str]) -> str:
    """The focus nodes of a pass's targets, each once: the pass's tests then run once per node.

    A node typed with two classes of the target's subclass closure (a tw:Event that is also a
    tw:Establishment), or targeted twice, is a row per class or target; the tests ran on each row
    before `SELECT DISTINCT` kept one (at the crawl's ×4, twice over every event: 8.9 of SHACL's 21 CPU s,
    5.1 this way; bench/RESULTS.md, round 5). One class without subclasses is one row per node already."""
    if len(targets) == 1 and targets[0].startswith(f"{{ ?this {TYPE} <"):
        return targets[0]
    return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(targets)} }} }}"


def compile_shapes(shapes: rdflib.Graph, hierarchy: Hierarchy | None = None) -> list[Check]:
    """Every check of the shapes graph, in a stable order; with the data graph's `hierarchy`, faster."""
    return _Compiler(shapes, hierarchy).checks()
