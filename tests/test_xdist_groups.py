"""The suite's grouping under pytest-xdist holds: the tests that share a module's fixture (a server, say) run in one
worker, so that it starts once (tests/support/fixtures.py marks them; `--dist loadgroup` reads the mark)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def shared() -> object:
    return object()


def test_a_module_fixture_keeps_its_tests_in_one_worker(shared: object, request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("xdist_group")
    assert marker is not None and marker.args == ("tests/test_xdist_groups.py",)
    if getattr(request.config.option, "loadgroup", False):  # a worker of `make test`: the group is in the id it sends
        assert request.node.nodeid.endswith("@tests/test_xdist_groups.py"), (request.node.nodeid, pytest.__version__)
