"""What a SPARQL query asks for, read from its text before anything evaluates it.

pyoxigraph parses queries only when it runs them, so the web layer reads the
text itself with a small tokenizer that knows where strings, comments and
IRIs begin and end. It answers the questions the endpoint must settle before
evaluation: the query form (for content negotiation), the graphs named by
`FROM`/`FROM NAMED` and any `SERVICE` call (both refused when they point
outside the store), and where a `LIMIT` goes so a result cap stops the
evaluation early instead of truncating its output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
             |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*)?:(?:[\w\u00c0-\uffff:%\\]|[.\-](?=[\w:%]))*)
  | (?P<blank>_:[\w.\-]+)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<word>[A-Za-z_][\w\-]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<punct>\^\^|\|\||&&|!=|<=|>=|[^\s\w])
    """,
    re.VERBOSE | re.DOTALL,
)

FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


class QueryTextError(ValueError):
    """The text cannot be read as a query (an unterminated string, say); the message says where."""


@dataclass
class Token:
    kind: str
    text: str
    start: int
    end: int
    depth: int


@dataclass
class QueryInfo:
    form: str | None
    """SELECT, ASK, CONSTRUCT or DESCRIBE; None when the text names none (the engine reports the error)."""
    from_graphs: list[str] = field(default_factory=list)
    from_named_graphs: list[str] = field(default_factory=list)
    uses_service: bool = False
    limit: int | None = None
    """The top-level LIMIT, if the query has one."""
    limit_span: tuple[int, int] | None = None
    """Where the top-level LIMIT's number is in the text."""
    limit_insert_at: int | None = None
    """Where a top-level LIMIT can be inserted (before a trailing VALUES block, or at the end)."""

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


def tokens(text: str) -> list[Token]:
    out: list[Token] = []
    depth = 0
    pos = 0
    n = len(text)
    match = _TOKEN.match
    while pos < n:
        m = match(text, pos)
        if m is None:
            raise QueryTextError(f"unreadable text at character {pos}: {text[pos:pos + 20]!r}")
        kind = m.lastgroup or ""
        if kind not in ("ws", "comment"):
            if kind == "close":
                depth -= 1
            out.append(Token(kind, m.group(), pos, m.end(), depth))
            if kind == "open":
                depth += 1
        pos = m.end()
    return out


def analyse(text: str, predeclared: dict[str, str] | None = None) -> QueryInfo:
    """Read the prologue, the form, the dataset clauses, SERVICE calls and the top-level LIMIT."""
    toks = tokens(text)
    base: str | None = None
    prefixes: dict[str, str] = dict(predeclared or {})
    info = QueryInfo(form=None)
    i = 0
    n = len(toks)

    def resolve(tok: Token) -> str | None:
        if tok.kind == "iri":
            iri = tok.text[1:-1]
            return urljoin(base, iri) if base else iri
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix in prefixes:
                return prefixes[prefix] + local.replace("\\", "")
        return None

    # Prologue: BASE and PREFIX declarations.
    while i < n:
        word = toks[i].text.upper()
        if word == "BASE" and i + 1 < n and toks[i + 1].kind == "iri":
            base = resolve(toks[i + 1])
            i += 2
        elif word == "PREFIX" and i + 2 < n and toks[i + 1].kind == "pname" and toks[i + 2].kind == "iri":
            prefixes[toks[i + 1].text[:-1]] = resolve(toks[i + 2]) or ""
            i += 3
        else:
            break
    if i < n and toks[i].kind == "word" and toks[i].text.upper() in FORMS:
        info.form = toks[i].text.upper()
    where_open: int | None = None
    for j in range(i, n):
        tok = toks[j]
        if tok.kind != "word":
            if where_open is None and tok.kind == "open" and tok.text == "{" and tok.depth == 0:
                where_open = j
            continue
        word = tok.text.upper()
        if word == "SERVICE":
            info.uses_service = True
        elif word == "FROM":  # a reserved word: only ever a dataset clause
            named = j + 1 < n and toks[j + 1].text.upper() == "NAMED"
            target = toks[j + 2] if named and j + 2 < n else toks[j + 1] if j + 1 < n else None
            iri = resolve(target) if target is not None else None
            if iri is not None:
                (info.from_named_graphs if named else info.from_graphs).append(iri)
    if info.form == "CONSTRUCT" and where_open is not None:
        # CONSTRUCT {template} WHERE {pattern}: the pattern is the second top-level group,
        # unless this is the short form CONSTRUCT WHERE {pattern}.
        before = toks[where_open - 1].text.upper() if where_open > 0 else ""
        if before != "WHERE":
            close = _matching(toks, where_open)
            where_open = next((k for k in range(close + 1, n)
                               if toks[k].kind == "open" and toks[k].text == "{" and toks[k].depth == 0), None)
    if info.form in ("SELECT", "CONSTRUCT", "DESCRIBE") and where_open is not None:
        _modifiers(toks, _matching(toks, where_open) + 1, len(text), info)
    elif info.form == "DESCRIBE":
        _modifiers(toks, n, len(text), info)
    return info


def _matching(toks: list[Token], open_index: int) -> int:
    depth = toks[open_index].depth
    for k in range(open_index + 1, len(toks)):
        if toks[k].kind == "close" and toks[k].depth == depth:
            return k
    return len(toks) - 1


def _modifiers(toks: list[Token], start: int, text_end: int, info: QueryInfo) -> None:
    """Find LIMIT and a trailing VALUES among the solution modifiers after the WHERE clause."""
    for k in range(start, len(toks)):
        tok = toks[k]
        if tok.depth != 0 or tok.kind != "word":
            continue
        word = tok.text.upper()
        if word == "LIMIT" and k + 1 < len(toks) and toks[k + 1].text.isdigit():  # anything else the engine rejects
            info.limit = int(toks[k + 1].text)
            info.limit_span = (toks[k + 1].start, toks[k + 1].end)
            return
        if word == "VALUES":
            info.limit_insert_at = tok.start
            return
    info.limit_insert_at = text_end
