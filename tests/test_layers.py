"""The package's layers (issue 21): the import-linter contracts of pyproject.toml hold, and importing the web app
loads nothing of the build half (no YAML loader, pycountry, pyshacl, rdflib)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support.builds import PROJECT_ROOT

BIN = Path(sys.executable).parent


def test_the_layer_contracts_hold() -> None:
    done = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout and "Contracts: 4 kept" in done.stdout, done.stdout


def test_importing_the_web_app_loads_nothing_of_the_build() -> None:
    probe = ("import sys, twinkg.server, twinkg.server.app; "
             "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
             "{'yaml', 'ruamel', 'pycountry', 'pyshacl', 'rdflib'} or m.startswith(('twinkg.graphs', 'twinkg.curated', "
             "'twinkg.world', 'twinkg.mapping', 'twinkg.build', 'twinkg.validate', 'twinkg.exports', 'twinkg.enrich')))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [], done.stdout
