"""What a SPARQL query does, read from a full parse of it before anything evaluates it.

pyoxigraph parses a query only when it runs it, and would then make any
`SERVICE` call itself. So the endpoint parses the text first, with the SPARQL
1.1 grammar (`sparql.lark`) under Lark's LALR parser, whose lexical rules agree
with the engine's on IRIs, strings, escapes and comments: a `SERVICE` hidden
behind an escape or a comment trick is still a `service_graph_pattern` in the
tree, and text the grammar does not accept is refused, never passed on.

From the tree it answers what the endpoint must settle before evaluation: the
query form (for content negotiation), the graphs named by `FROM`/`FROM NAMED`,
whether a `SERVICE` appears anywhere (subqueries, `EXISTS`, `MINUS`, ...), and
where the top-level `LIMIT` is or goes, so a result cap stops evaluation early.

LALR parsing takes time linear in the text (bench/RESULTS.md) and no
recursion; still, a 1 MiB query takes seconds, so the server runs it in a
query worker (`Store.analyse`), off the event loop and under the timeout.

The engine's own parser and evaluator are recursive: a few thousand nested
groups, parentheses or subselects, or a chain of ten thousand UNIONs, overflow
a query worker's stack and kill it. The lexer here measures how deep a query
nests while it reads it (`MAX_DEPTH`) and refuses a deeper one before the
parser builds anything, so no worker ever parses such a text.
"""

from __future__ import annotations

import functools
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from lark import Lark, Token, Tree
from lark.common import LexerConf
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer, LexerState, PatternStr

from twinkg.errors import QueryRefused
from twinkg.formats import QueryForm

FORMS = {"select_query": QueryForm.SELECT, "ask_query": QueryForm.ASK, "construct_query": QueryForm.CONSTRUCT,
         "describe_query": QueryForm.DESCRIBE}


class QueryTextError(QueryRefused):
    """The text is not a SPARQL 1.1 query; the message says where."""


MAX_DEPTH = 256
"""How deep a query may nest. Each group `{}`, parenthesis and bracket opened inside another counts one
level, and so does each BIND, FILTER, operator (`|| && + - * / | ! ^`) or group `{}` (a UNION alternative,
an OPTIONAL, a MINUS, a subselect...) in one chain, because the engine turns a chain of n into n nested
operations. The engine's parser dies at about 2,200 nested groups, 2,500 nested subselects, 4,600 nested
parentheses or 876 nested function calls (bench/RESULTS.md): what the limit lets through is at most a third
of that, and no query a person writes comes near it. A VALUES block's rows and a function's arguments are
not chains: they count only as deep as they nest."""
_CHAIN_WORDS = frozenset({"BIND", "FILTER"})  # UNION, OPTIONAL, MINUS, GRAPH: their group `{}` counts
_STEPS = {"{": "group", "(": "open", "[": "open", "}": "close", ")": "close", "]": "close",
          **{op: "chain" for op in ("||", "&&", "+", "-", "*", "/", "|", "!", "^")}}


class QueryTooDeep(QueryTextError):
    """The query nests deeper than MAX_DEPTH; the message names the limit."""


class _Depth:
    """The depth of the nested operations a query becomes, measured token by token (linear, no recursion).

    A level's cost is one, plus one per chain element in it, plus the highest cost of the levels it
    contains: an upper bound of how deep the engine's operations nest along any path. Only the innermost
    open level changes, so what the levels around it cost (`outer`) is fixed while it is open."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.levels: list[list[int]] = [[0, 0, 0]]  # per open level: cost of the levels around it, chain, inner

    def step(self, what: str, line: int, column: int) -> None:
        """One token that changes the depth: "open" a level, "close" it, or one more "chain" element in it; a
        "group" opens a level that is also one more element of its level's chain (the engine joins them)."""
        level = self.levels[-1]
        if what == "group":
            level[1] += 1
        outer, chain, inner = level
        if what in ("open", "group"):
            self.levels.append([outer + 1 + chain, 0, 0])
            cost = outer + 1 + chain
        elif what == "close":
            if len(self.levels) == 1:
                return  # an unbalanced close: the parser reports it
            self.levels.pop()
            parent = self.levels[-1]
            parent[2] = max(parent[2], 1 + chain + inner)
            cost = outer + 1 + chain + inner
        else:
            level[1] += 1
            cost = outer + 2 + chain + inner
        if cost > self.limit:
            raise QueryTooDeep(f"the query nests deeper than the limit of {self.limit} levels (at {line}:{column}): "
                               "each group, parenthesis or bracket inside another counts one, and so does each "
                               "UNION alternative, OPTIONAL, MINUS, BIND, FILTER or operator in one chain; "
                               "use VALUES for a long list of alternatives")


@dataclass
class QueryInfo:
    form: QueryForm | None
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    uses_service: bool = False
    limit: int | None = None
    """The top-level LIMIT, if the query has one."""
    limit_span: tuple[int, int] | None = None
    """Where the top-level LIMIT's number is in the text."""
    limit_insert_at: int | None = None
    """Where a top-level LIMIT can be inserted (before a trailing VALUES block, or at the end)."""
    star_at: int | None = None
    """Where the `*` of a top-level `SELECT *` is in the text."""
    variable_order: tuple[str, ...] = ()
    """For `SELECT *`: the variables (without ?/$) in the order the query first names them. SPARQL leaves
    the columns of `SELECT *` in no order and pyoxigraph sorts them by name (o, p, s); the store puts them
    in this order instead (`store.results.in_pattern_order`)."""

    def with_limit(self, text: str, limit: int) -> str:
        """The text with its top-level LIMIT set to `limit` (or left as is when already lower)."""
        if self.limit_span is not None:
            if self.limit is not None and self.limit <= limit:
                return text
            a, b = self.limit_span
            return f"{text[:a]}{limit}{text[b:]}"
        if self.limit_insert_at is None:
            return text
        at = self.limit_insert_at
        return f"{text[:at]}\nLIMIT {limit}\n{text[at:]}"


# The terminals of sparql.lark as one regular expression, for SparqlLexer: the same definitions as the
# grammar's (W3C SPARQL 1.1, 19.8), so that one compiled pattern serves every parser state.
_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F"
         "\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_U = f"[_{_BASE}]"
_CHARS = f"[-0-9_\u00B7\u0300-\u036F\u203F-\u2040{_BASE}]"
_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_UCHAR = r"(?:\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})"
_ECHAR = r"(?:\\[tbnrf" + '"' + r"'\\])"
_PREFIX = f"(?:[{_BASE}](?:(?:{_CHARS}|\\.)*{_CHARS})?)"
_VARNAME = f"[0-9_{_BASE}][0-9_\u00B7\u0300-\u036F\u203F-\u2040{_BASE}]*"
_EXP = r"[eE][+-]?[0-9]+"
_Q1, _Q2 = "'", '"'
_PUNCTUATION = r"\^\^|\|\||&&|!=|<=|>=|[{}()\[\];,.*/+\-=<>!^|?]"
_TERMINALS = [
    ("WS", r"[ \t\r\n]+"),
    ("COMMENT", r"#[^\r\n]*"),
    ("IRIREF", "<(?:[^<>\"{}|^`\\\\\x00-\x20]|" + _UCHAR + ")*>"),
    ("STRING_LITERAL_LONG1", f"{_Q1 * 3}(?:(?:{_Q1}|{_Q1 * 2})?(?:[^{_Q1}\\\\]|{_ECHAR}|{_UCHAR}))*{_Q1 * 3}"),
    ("STRING_LITERAL_LONG2", f"{_Q2 * 3}(?:(?:{_Q2}|{_Q2 * 2})?(?:[^{_Q2}\\\\]|{_ECHAR}|{_UCHAR}))*{_Q2 * 3}"),
    ("STRING_LITERAL1", f"{_Q1}(?:[^{_Q1}\\\\\n\r]|{_ECHAR}|{_UCHAR})*{_Q1}"),
    ("STRING_LITERAL2", f"{_Q2}(?:[^{_Q2}\\\\\n\r]|{_ECHAR}|{_UCHAR})*{_Q2}"),
    ("PNAME_LN", f"{_PREFIX}?:(?:{_U}|[:0-9]|{_PLX})(?:(?:{_CHARS}|[.:]|{_PLX})*(?:{_CHARS}|:|{_PLX}))?"),
    ("PNAME_NS", f"{_PREFIX}?:"),
    ("BLANK_NODE_LABEL", f"_:(?:{_U}|[0-9])(?:(?:{_CHARS}|\\.)*{_CHARS})?"),
    ("VAR1", f"\\?{_VARNAME}"),
    ("VAR2", f"\\${_VARNAME}"),
    ("LANGTAG", r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"),
    ("DOUBLE", f"(?:[0-9]+\\.[0-9]*{_EXP}|\\.[0-9]+{_EXP}|[0-9]+{_EXP})"),
    ("DECIMAL", r"[0-9]*\.[0-9]+"),
    ("INTEGER", r"[0-9]+"),
    ("NIL", r"\([ \t\r\n]*\)"),
    ("ANON", r"\[[ \t\r\n]*\]"),
    ("WORD", r"[A-Za-z_][A-Za-z0-9_]*"),
    ("PUNCT", _PUNCTUATION),
]
_SIGNED = {"INTEGER": "INTEGER_{}", "DECIMAL": "DECIMAL_{}", "DOUBLE": "DOUBLE_{}"}


class SparqlLexer(Lexer):
    """The grammar's terminals from one compiled pattern, the parser's state settling the two places where
    a SPARQL token depends on context: `<` (an IRI, or less-than) and `+`/`-` before a number (a signed
    number, or an operator). Lark's contextual lexer does the same with one pattern per parser state, but
    takes seconds to compile them and runs ten times slower."""

    __future_interface__ = 2  # lex(lexer_state, parser_state): the parser's state is what settles context

    def __init__(self, conf: LexerConf) -> None:
        # Compiled here, not at import: a query worker imports this module but only checking workers parse.
        self.token = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _TERMINALS))
        self.punct = re.compile(_PUNCTUATION)
        self.literals: dict[str, str] = {}
        self.keywords: dict[str, str] = {}
        for terminal in conf.terminals:
            if isinstance(terminal.pattern, PatternStr):
                if "i" in terminal.pattern.flags:
                    self.keywords[terminal.pattern.value.upper()] = terminal.name
                else:
                    self.literals[terminal.pattern.value] = terminal.name

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        text: str = lexer_state.text.text  # a TextSlice of the whole query
        states = parser_state.parse_conf.parse_table.states
        pos, end, line, line_start = 0, len(text), 1, 0
        depth = _Depth(MAX_DEPTH)
        while pos < end:
            m = self.token.match(text, pos)
            if m is None:
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1)  # type: ignore[no-untyped-call]
            kind, value = m.lastgroup or "", m.group()
            if kind == "IRIREF" and "IRIREF" not in states[parser_state.position]:
                value = self.punct.match(text, pos).group()  # type: ignore[union-attr]  # `?a<?b&&?c>?d`: compare
                kind = "PUNCT"
            if kind == "WORD":
                name = self.literals.get(value) if value in ("a", "true", "false") else self.keywords.get(value.upper())
                if name is None:
                    raise UnexpectedCharacters(text, pos, line, pos - line_start + 1)  # type: ignore[no-untyped-call]
                kind = name
                if value.upper() in _CHAIN_WORDS:
                    depth.step("chain", line, pos - line_start + 1)
            elif kind == "PUNCT":
                number = self.token.match(text, pos + 1) if value in ("+", "-") else None
                signed = _SIGNED.get(number.lastgroup or "", "") if number is not None else ""
                signed = signed.format("POSITIVE" if value == "+" else "NEGATIVE")
                if number is not None and signed and signed in states[parser_state.position]:
                    if self.literals[value] in states[parser_state.position]:  # `1 +1`: an addition all the same
                        depth.step("chain", line, pos - line_start + 1)
                    kind, value = signed, value + number.group()
                else:
                    if value in _STEPS:
                        depth.step(_STEPS[value], line, pos - line_start + 1)
                    kind = self.literals[value]
            new_lines = value.count("\n")
            if kind not in ("WS", "COMMENT"):
                yield Token(kind, value, pos, line, pos - line_start + 1, line + new_lines, None, pos + len(value))
            if new_lines:
                line += new_lines
                line_start = pos + value.rindex("\n") + 1
            pos += len(value)


@functools.cache
def parser() -> Lark:
    """The LALR parser, built once per process (its tables are cached on disk by Lark)."""
    grammar = (Path(__file__).parent / "sparql.lark").read_text(encoding="utf-8")
    return Lark(grammar, start="query_unit", parser="lalr", lexer=SparqlLexer, cache=True)


def parse(text: str) -> Tree[Any]:
    """The parse tree of a query, or QueryTextError naming the line and column where it stops."""
    gc_was_on = gc.isenabled()
    gc.disable()  # a tree of small objects without cycles: the cycle collector's passes only slow it (2.5x)
    try:
        return parser().parse(text)
    except UnexpectedInput as exc:
        raise QueryTextError(f"SPARQL syntax error{_where(exc)}") from None
    except LarkError as exc:  # pragma: no cover - Lark raises UnexpectedInput for every bad text
        raise QueryTextError(f"SPARQL syntax error: {str(exc)[:200]}") from None
    finally:
        if gc_was_on:
            gc.enable()


def _where(exc: UnexpectedInput) -> str:
    """` at LINE:COLUMN: what` (the engine's form, which the query page places in the editor), or `: what`."""
    if isinstance(exc, UnexpectedEOF):
        return ": the query ends too early"
    if isinstance(exc, UnexpectedToken):
        if exc.token.type == "$END":
            return ": the query ends too early"
        return f" at {exc.line}:{exc.column}: unexpected {_short(str(exc.token))}"
    if isinstance(exc, UnexpectedCharacters):
        return f" at {exc.line}:{exc.column}: unexpected character {_short(exc.char)}"
    return f" at {exc.line}:{exc.column}: not SPARQL 1.1"


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "…")


_UCHAR_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESC = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


def _iri_text(token: str) -> str:
    """An IRIREF's IRI: without <>, \\u and \\U escapes read."""
    return _UCHAR_ESCAPE.sub(lambda m: chr(int(m[1] or m[2], 16)), token[1:-1])


class _Names:
    """BASE and PREFIX of the prologue, applied in order as the grammar says."""

    def __init__(self, predeclared: dict[str, str] | None) -> None:
        self.base: str | None = None
        self.prefixes = dict(predeclared or {})

    def iri(self, node: Tree[Any] | Token) -> str | None:
        token = next(node.scan_values(lambda t: isinstance(t, Token))) if isinstance(node, Tree) else node
        if token.type == "IRIREF":
            iri = _iri_text(token)
            return urljoin(self.base, iri) if self.base else iri
        prefix, _, local = token.partition(":")
        if prefix not in self.prefixes:
            return None  # the engine reports the undeclared prefix
        return self.prefixes[prefix] + _LOCAL_ESC.sub(r"\1", local)


def analyse(text: str, predeclared: dict[str, str] | None = None) -> QueryInfo:
    """Parse the query and read its form, dataset clauses, SERVICE calls and top-level LIMIT."""
    tree = parse(text)
    query = tree.children[0]
    prologue, form_node, values = query.children
    names = _Names(predeclared)
    for decl in prologue.children:
        if decl.data == "base_decl":
            names.base = names.iri(decl.children[1])
        else:
            prefix = str(decl.children[1].children[0])[:-1]
            names.prefixes[prefix] = names.iri(decl.children[2]) or ""
    info = QueryInfo(form=FORMS[form_node.data])
    info.uses_service = any(True for _ in tree.find_data("service_graph_pattern"))
    for clause in _dataset_clauses(form_node):
        target = clause.children[-1]
        iri = names.iri(target.children[-1])  # the source_selector
        if iri is not None:
            (info.from_named_graphs if target.data == "named_graph_clause" else info.from_graphs).append(iri)
    first = form_node.children[0] if form_node.data == "select_query" and form_node.children else None
    if isinstance(first, Token) and first.type == "ASTERIX":
        info.star_at = first.start_pos
        mentioned = (str(t)[1:] for t in form_node.scan_values(lambda v: isinstance(v, Token) and v.type in ("VAR1", "VAR2")))
        info.variable_order = tuple(dict.fromkeys(mentioned))
    modifier = next((c for c in _top(form_node) if isinstance(c, Tree) and c.data == "solution_modifier"), None)
    limit = next(modifier.find_data("limit_clause"), None) if modifier is not None else None
    if limit is not None:
        number = limit.children[-1]
        assert isinstance(number, Token)
        info.limit = int(number)
        info.limit_span = (number.start_pos or 0, number.end_pos or 0)
    elif info.form != QueryForm.ASK:
        keyword = values.children[0] if values.children else None  # the VALUES token (a named terminal)
        info.limit_insert_at = keyword.start_pos if isinstance(keyword, Token) else len(text)
    return info


def _top(form_node: Tree[Any]) -> list[Tree[Any] | Token]:
    """The children of the query form, with CONSTRUCT's two variants flattened."""
    if form_node.data == "construct_query":
        return [c for child in form_node.children for c in (child.children if isinstance(child, Tree) else [child])]
    return list(form_node.children)


def _dataset_clauses(form_node: Tree[Any]) -> list[Tree[Any]]:
    return [c for c in _top(form_node) if isinstance(c, Tree) and c.data == "dataset_clause"]
