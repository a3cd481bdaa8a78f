"""The order pytest-xdist hands out the work in: the longest units first.

With `--dist loadgroup` a unit is an xdist_group (all its tests run in one worker) or a test of no group. The
scheduler gives each worker the next unit of the queue when it runs short of work; pytest-xdist orders the queue by
the number of tests in a unit, so a unit of few but long tests (the README's examples, the benchmark, the wheel)
could start last and leave the other worker idle until it ends. Here the queue is ordered by how long each unit
took in a recorded run (DURATIONS, longest first: the usual cure for such tails) and pytest-xdist's own reordering is
turned off. A test not in the record counts as short; the record only orders the run, so an old one costs time,
never a test.

Record a run anew with

    .venv/bin/python -m pytest -n 3 --dist loadgroup --durations=0 -q > report.txt
    .venv/bin/python tests/support/schedule.py report.txt
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

DURATIONS = Path(__file__).with_name("durations.json")
"""Seconds (setup, call and teardown) of each test that took at least RECORDED seconds in a recorded run."""
RECORDED = 0.5
SHORT = 0.05
"""What a test not in the record is taken to cost."""
REPORT_LINE = re.compile(r"^(\d+(?:\.\d+)?)s (?:setup|call|teardown)\s+(\S.*?)\s*$")


def group_of(item: pytest.Item) -> str:
    """The unit pytest-xdist's loadgroup schedules the item in: its xdist_group, or the test alone."""
    mark = item.get_closest_marker("xdist_group")
    if mark is None:
        return item.nodeid
    return str(mark.args[0] if mark.args else mark.kwargs.get("name", item.nodeid))


def recorded_id(item: pytest.Item) -> str:
    """The test's id as the record has it: without the `@group` pytest-xdist appends to it in a worker."""
    group = group_of(item)
    return item.nodeid.removesuffix("@" + group) if group != item.nodeid else item.nodeid


def longest_first(items: list[pytest.Item], seconds: dict[str, float]) -> list[pytest.Item]:
    """The items with each unit's tests together (in their order) and the units by their recorded time, longest
    first; units of equal time keep the order they were collected in."""
    units: dict[str, list[pytest.Item]] = {}
    for item in items:
        units.setdefault(group_of(item), []).append(item)

    def cost(unit: list[pytest.Item]) -> float:
        return sum(seconds.get(recorded_id(item), SHORT) for item in unit)

    ordered = sorted(units.values(), key=cost, reverse=True)  # sorted() is stable
    return [item for unit in ordered for item in unit]


def recorded() -> dict[str, float]:
    return json.loads(DURATIONS.read_text(encoding="utf-8")) if DURATIONS.exists() else {}


def from_report(lines: Iterable[str]) -> dict[str, float]:
    """Each test's seconds from pytest's `--durations=0` report (the nodeid without xdist's `@group` suffix)."""
    seconds: dict[str, float] = {}
    for line in lines:
        match = REPORT_LINE.match(line)
        if not match:
            continue
        nodeid = match.group(2)
        head, at, group = nodeid.rpartition("@")
        if at and "]" not in group and "::" in head:
            nodeid = head
        seconds[nodeid] = seconds.get(nodeid, 0.0) + float(match.group(1))
    return {nodeid: round(s, 1) for nodeid, s in sorted(seconds.items()) if s >= RECORDED}


def main(report: str) -> None:
    seconds = from_report(Path(report).read_text(encoding="utf-8").splitlines())
    DURATIONS.write_text(json.dumps(seconds, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(seconds)} tests of at least {RECORDED} s written to {DURATIONS}")


if __name__ == "__main__":
    main(sys.argv[1])
