"""The suite's grouping under pytest-xdist holds: the tests that share a module's fixture (a server, say) run in one
worker, so that it starts once (tests/support/fixtures.py marks them; `--dist loadgroup` reads the mark)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest
from support import schedule
from support.builds import PROJECT_ROOT


@pytest.fixture(scope="module")
def shared() -> object:
    return object()


def test_a_module_fixture_keeps_its_tests_in_one_worker(shared: object, request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("xdist_group")
    assert marker is not None and marker.args == ("tests/test_xdist_groups.py",)
    if getattr(request.config.option, "loadgroup", False):  # a worker of `make test`: the group is in the id it sends
        assert request.node.nodeid.endswith("@tests/test_xdist_groups.py"), (request.node.nodeid, pytest.__version__)


class FakeItem:
    """What support.schedule reads of a test: its id and its xdist_group mark."""

    def __init__(self, nodeid: str, group: str | None = None) -> None:
        self.nodeid = nodeid
        self.group = group

    def get_closest_marker(self, name: str) -> pytest.Mark | None:
        return pytest.mark.xdist_group(self.group).mark if name == "xdist_group" and self.group else None


def test_units_go_longest_first_with_their_tests_together() -> None:
    items = [FakeItem("a.py::t1", "a"), FakeItem("b.py::t"), FakeItem("a.py::t2", "a"), FakeItem("c.py::t"),
             FakeItem("d.py::t")]
    seconds = {"a.py::t1": 1.0, "a.py::t2": 2.0, "c.py::t": 4.0}
    ordered = schedule.longest_first(cast(list[pytest.Item], items), seconds)
    assert [i.nodeid for i in ordered] == ["c.py::t", "a.py::t1", "a.py::t2", "b.py::t", "d.py::t"]


def test_durations_are_read_from_pytests_report() -> None:
    report = ["============ slowest durations ============",
              "12.50s call     tests/test_x.py::test_a[p@q]@tests/test_x.py",
              "3.00s setup    tests/test_x.py::test_a[p@q]@tests/test_x.py",
              "0.60s call     tests/test_y.py::test_b[SELECT * WHERE { ?s ?p ?o }]",
              "0.40s call     tests/test_y.py::test_c",
              "(5 durations < 0.005s hidden.)"]
    assert schedule.from_report(report) == {"tests/test_x.py::test_a[p@q]": 15.5,
                                            "tests/test_y.py::test_b[SELECT * WHERE { ?s ?p ?o }]": 0.6}


def test_a_worker_collects_the_longest_units_first(request: pytest.FixtureRequest) -> None:
    """Under `pytest -n`, each worker's collection is already longest first and pytest-xdist keeps that order."""
    if hasattr(request.config, "workerinput"):
        assert request.config.option.loadscopereorder is False
        items = request.session.items
        assert schedule.longest_first(items, schedule.recorded()) == items


GROUPS_PLUGIN = """
def pytest_collection_finish(session):
    for item in session.items:
        mark = item.get_closest_marker("xdist_group")
        uses = "curated_server" in item._fixtureinfo.names_closure
        print("GROUP", uses, mark.args[0] if mark else None)
"""


def test_the_curated_servers_tests_share_one_worker(tmp_path: Path) -> None:
    """Every test of `curated_server` (in several modules) is in one xdist group, so that the server starts, and
    makes its indexes, once per run; the other tests of those modules are not held to it."""
    (tmp_path / "groups_plugin.py").write_text(GROUPS_PLUGIN)
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "groups_plugin",
                           "tests/test_pages_phone.py", "tests/test_pages_search.py"], cwd=PROJECT_ROOT,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    groups = [line.split()[1:] for line in done.stdout.splitlines() if line.startswith("GROUP ")]
    assert {group for uses, group in groups if uses == "True"} == {"curated_server"}
    assert sum(uses == "True" for uses, _ in groups) >= 4 and any(uses == "False" for uses, _ in groups)
    assert all(group != "curated_server" for uses, group in groups if uses == "False")
