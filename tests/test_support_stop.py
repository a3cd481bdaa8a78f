"""The servers a test starts stop when asked, however the run was started (tests/support).

A background job of a non-interactive shell starts with SIGINT ignored (`make test &`, a CI runner), and its
children inherit that; `oxigraph serve` has no handler of its own, so `Server.stop`'s SIGINT did nothing and the
process was killed 10 s later, seven times a run. The plugin gives SIGINT its default action back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from support.builds import PROJECT_ROOT

pytestmark = pytest.mark.slow  # a second pytest and a real `oxigraph serve`

INNER = """
import signal

from support.processes import start_oxigraph


def test_a_server_stops_on_its_sigint(tmp_path):
    server = start_oxigraph(tmp_path / "db", tmp_path)
    server.stop()
    assert server.proc.returncode == -signal.SIGINT  # not -SIGKILL: SIGINT stopped it, without the 10 s wait
"""


def test_a_run_started_in_the_background_still_stops_its_servers_with_sigint(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(INNER)
    # `&` in `bash -c`: the inner pytest is a background job of a non-interactive shell, with SIGINT ignored
    run = f"{sys.executable} -m pytest -q -p no:cacheprovider -p support.fixtures test_inner.py & wait $!"
    done = subprocess.run(["bash", "-c", run], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT / "tests")})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout
