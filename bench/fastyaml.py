"""A prototype of a faster YAML reader for the curated loader (proposal, measured by the bench).

The loader reads YAML with ruamel.yaml's round-trip mode for its line numbers;
at the crawl's scale that parse is ~75% of the load stage. PyYAML's libyaml
`compose` gives the same line numbers (node.start_mark.line) about ten times
faster. This module builds, from the composed nodes, dicts and lists that
answer the few ruamel calls the loader makes (`.lc.line`, `.lc.key(k)`,
`.lc.item(i)`), and `install()` swaps it in for `loader._read_file`, so the
rest of the loader runs unchanged. Scalars resolve as in YAML 1.1 except
timestamps, which stay text as the loader wants.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from twinkg.curated import loader

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_constructor = yaml.SafeLoader(b"")  # only for its scalar constructors
_BOOLS_12 = {"true", "True", "TRUE", "false", "False", "FALSE"}


class _LC:
    __slots__ = ("line", "col", "_keys", "_items")

    def __init__(self, line: int, keys: dict[Any, int] | None = None, items: list[int] | None = None):
        self.line, self.col, self._keys, self._items = line, 0, keys, items

    def key(self, key: Any) -> tuple[int, int]:
        return (self._keys[key], 0)  # type: ignore[index]

    def item(self, index: int) -> tuple[int, int]:
        return (self._items[index], 0)  # type: ignore[index]


class LineDict(dict):
    lc: _LC


class LineList(list):
    lc: _LC


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
        return node.value
    # libyaml resolves as YAML 1.1; ruamel (and so the loader) reads YAML 1.2, where `NO`, `yes`, `on`
    # are strings (Norway's code!) and `12:30` or `1_000` are not numbers.
    if tag == "tag:yaml.org,2002:bool":
        return node.value in ("true", "True", "TRUE") if node.value in _BOOLS_12 else node.value
    if tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") and (":" in node.value or "_" in node.value):
        return node.value
    if tag == "tag:yaml.org,2002:int":
        return _constructor.construct_yaml_int(node)
    if tag == "tag:yaml.org,2002:float":
        return _constructor.construct_yaml_float(node)
    if tag == "tag:yaml.org,2002:null":
        return None
    return node.value


def build(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = LineDict()
        keys: dict[Any, int] = {}
        for k, v in node.value:
            key = build(k)
            out[key] = build(v)
            keys[key] = k.start_mark.line
        out.lc = _LC(node.start_mark.line, keys=keys)
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LineList(build(v) for v in node.value)
        seq.lc = _LC(node.start_mark.line, items=[v.start_mark.line for v in node.value])
        return seq
    return _scalar(node)  # type: ignore[arg-type]


def read_file(path: Path, label: str, problems: list) -> dict[str, list[tuple[Any, int]]]:
    """Drop-in for loader._read_file."""
    Problem = loader.Problem
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problems.append(Problem(label, mark.line + 1 if mark else 1, "-", "-",
                                f"malformed YAML: {exc.problem or exc.context}"))
        return {}
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
        problems.append(Problem(label, 1, "-", "-", f"cannot read: {exc}"))
        return {}
    if root is None:
        return {}
    document = build(root)
    if not hasattr(document, "items"):
        problems.append(Problem(label, 1, "-", "-", f"expected a mapping with keys {', '.join(loader.SECTIONS)}"))
        return {}
    out: dict[str, list[tuple[Any, int]]] = {}
    for key, value in document.items():
        line = document.lc.key(key)[0] + 1
        if key not in loader.SECTIONS:
            problems.append(Problem(label, line, "-", str(key), f"unknown section (allowed: {', '.join(loader.SECTIONS)})"))
            continue
        if not isinstance(value, list):
            problems.append(Problem(label, line, "-", str(key), "expected a list of records"))
            continue
        for index, item in enumerate(value):
            out.setdefault(key, []).append((item, value.lc.item(index)[0] + 1))
    return out


def install() -> None:
    loader._read_file = read_file  # type: ignore[assignment]
