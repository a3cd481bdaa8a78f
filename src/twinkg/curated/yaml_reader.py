"""Reading YAML with the line of every key and item, fast.

The loader needs line numbers for its error report. libyaml's composer (through
PyYAML) gives them on every node and parses about ten times faster than a
pure-Python round-trip parser, which matters at world scale (bench/RESULTS.md).
Plain scalars are resolved by the YAML 1.2 core schema, not PyYAML's YAML 1.1
one, so `country: NO` stays Norway and `1944-10-06` stays text for the date
module to judge.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from twinkg.errors import InputError

MAX_DEPTH = 32
"""Deepest nesting of mappings and sequences: records need a few levels; hundreds only exhaust the stack."""
MAX_TEXT = 65_536
"""Longest scalar in characters: far above any label or note, far below what a serialiser holds in one term."""


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # base chosen at run time
    """libyaml's parser with tag resolution skipped: scalars are resolved by `_plain` below."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        return kind.__name__



_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_TRUE = re.compile(r"^(?:true|True|TRUE)$")
_FALSE = re.compile(r"^(?:false|False|FALSE)$")
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?(?:\.inf|\.Inf|\.INF)$")
_NAN = re.compile(r"^(?:\.nan|\.NaN|\.NAN)$")


class YAMLReadError(InputError):
    """The text is not YAML; `line` is 1-based."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


class Lines:
    """Where a mapping's keys or a sequence's items start (1-based lines), read from the node when asked.

    Only error reports ask for a key's line: kept as the node's marks until then, not as a dict per
    mapping (a quarter of the build of the values at the crawl's scale, bench/RESULTS.md)."""

    __slots__ = ("_node", "_keys")

    def __init__(self, node: yaml.Node):
        self._node = node
        self._keys: dict[Any, int] | None = None

    @property
    def line(self) -> int:
        return int(self._node.start_mark.line) + 1

    def key(self, key: Any) -> int:
        if self._keys is None:
            self._keys = {}
            if isinstance(self._node, yaml.MappingNode):  # built already: every key is a plain scalar, none twice
                for key_node, _ in self._node.value:
                    self._keys[_scalar(key_node)] = key_node.start_mark.line + 1
        return self._keys.get(key, self.line)

    def item(self, index: int) -> int:
        items = self._node.value if isinstance(self._node, yaml.SequenceNode) else ()
        return int(items[index].start_mark.line) + 1 if index < len(items) else self.line


class Mapping(dict[Any, Any]):
    """A dict that knows the line of each of its keys."""

    __slots__ = ("lines",)
    lines: Lines


class Sequence(list[Any]):
    """A list that knows the line of each of its items."""

    __slots__ = ("lines",)
    lines: Lines


def _plain(text: str) -> Any:
    if _NULL.match(text):
        return None
    if _TRUE.match(text):
        return True
    if _FALSE.match(text):
        return False
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


_RESOLVABLE = frozenset("~nNtTfF0123456789+-.")
"""The first characters of every plain scalar `_plain` resolves to something other than text (and "" is null)."""


def _scalar(node: yaml.ScalarNode) -> Any:
    """Quoted and block scalars are text; plain ones resolve by the core schema.

    Most plain scalars of curated data are ids and labels: their first character
    already says they are text, without the nine patterns of `_plain`."""
    text = node.value
    if len(text) > MAX_TEXT:
        raise YAMLReadError(node.start_mark.line + 1, f"a value of {len(text)} characters (at most {MAX_TEXT})")
    if node.style or (text and text[0] not in _RESOLVABLE):  # libyaml says "" for plain, PyYAML None
        return text
    return _plain(text)


def _build(node: yaml.Node, seen: set[int] | None, depth: int = 0, used_at: int | None = None) -> Any:
    """The value of `node`; `used_at` is the line of the key it is the value of (an alias's mark is its anchor's).

    `seen` tracks the nodes built, to refuse aliases; None when the text has no anchor (no `&`), so none
    can be an alias. Without it, a container reads its scalar children inline: a function call per
    scalar was a third of the load at the crawl's scale (bench/RESULTS.md)."""
    line = node.start_mark.line + 1
    if seen is not None:
        if id(node) in seen:  # an alias (to anything): curated records are written out, and a self-alias would never end
            raise YAMLReadError(used_at or line, "anchors and aliases (&name, *name) are not supported")
        seen.add(id(node))
    if depth > MAX_DEPTH:
        raise YAMLReadError(line, f"nested more than {MAX_DEPTH} levels deep")
    if isinstance(node, yaml.ScalarNode):  # the composer makes only mapping, sequence and scalar nodes
        return _scalar(node)
    inline = seen is None and depth < MAX_DEPTH  # a scalar child can be neither an alias nor too deep
    scalar_node = yaml.ScalarNode
    if isinstance(node, yaml.MappingNode):
        mapping = Mapping()
        for key_node, value_node in node.value:
            key = _scalar(key_node) if inline and key_node.__class__ is scalar_node else _build(key_node, seen, depth + 1)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise YAMLReadError(key_node.start_mark.line + 1, "a mapping key must be a plain value")
            if key in mapping:
                first = next(k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode) and _scalar(k) == key)
                raise YAMLReadError(key_node.start_mark.line + 1, f"duplicate key {key!r} (first on line {first})")
            mapping[key] = _scalar(value_node) if inline and value_node.__class__ is scalar_node \
                else _build(value_node, seen, depth + 1, key_node.start_mark.line + 1)
        mapping.lines = Lines(node)
        return mapping
    assert isinstance(node, yaml.SequenceNode)
    sequence = Sequence(_scalar(item) if inline and item.__class__ is scalar_node else _build(item, seen, depth + 1)
                        for item in node.value)
    sequence.lines = Lines(node)
    return sequence


def read(text: str) -> Any:
    """The document as Mapping, Sequence and scalars, or raise YAMLReadError naming the line."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YAMLReadError(mark.line + 1 if mark else 1, f"malformed YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YAMLReadError(1, f"malformed YAML: {exc}") from None
    return None if root is None else _build(root, set() if "&" in text else None)
