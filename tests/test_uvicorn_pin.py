"""twinkg.server.http subclasses uvicorn's private httptools protocol: the package pins the uvicorn releases it
was tested with, and a run on any other release fails here (issue 21) instead of misbehaving under load."""

from __future__ import annotations

import tomllib
from importlib.metadata import version

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from support.builds import PROJECT_ROOT

from twinkg.server.http import UVICORN_TESTED


def test_pyproject_pins_the_tested_range() -> None:
    dependencies = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    uvicorn = [Requirement(d) for d in dependencies if Requirement(d).name == "uvicorn"]
    assert len(uvicorn) == 1 and uvicorn[0].specifier == SpecifierSet(UVICORN_TESTED), uvicorn


def test_the_installed_uvicorn_is_a_tested_one() -> None:
    installed = version("uvicorn")
    assert SpecifierSet(UVICORN_TESTED).contains(installed), \
        f"uvicorn {installed} is not in the tested range {UVICORN_TESTED}: run tests/test_server_http_limits.py, then widen it"
