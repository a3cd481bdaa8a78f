"""The suite's grouping under pytest-xdist holds: the tests that share a module's fixture (a server, say) run in one
worker, so that it starts once (tests/support/fixtures.py marks them; `--dist loadgroup` reads the mark)."""

from __future__ import annotations

from typing import cast

import pytest
from support import schedule


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
