"""A killed build leaves no process behind: its forked stage dies with it.

A stage child inherited the read end of its own result pipe: with the build SIGKILLed, it blocked for ever
writing its result (about 620 MB at the default data's scale) to a pipe nobody would read.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support.builds import MINI
from support.processes import BIN, alive

pytestmark = pytest.mark.slow

PARENT = """
import sys, time
from twinkg.forked import Forked

def result():
    time.sleep(1.5)  # the parent is killed meanwhile
    return b"x" * (8 << 20)  # far more than a pipe holds

with Forked(result, "big") as stage:
    print(stage.process.pid, flush=True)
    stage.result()
"""


def _session(sid: int) -> set[int]:
    """Live processes of a session (Linux /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            found.add(int(entry))
    return found


def _gone(pids: set[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not any(alive(pid) for pid in pids)


def test_a_stage_child_dies_with_its_killed_parent() -> None:
    with subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True,
                          start_new_session=True) as parent:  # the block closes its pipe and waits for it
        try:
            assert parent.stdout is not None
            child = int(parent.stdout.readline())
            parent.send_signal(signal.SIGKILL)
            parent.wait()
            assert _gone({child}, 10), "the stage child outlived its parent (blocked writing to its own pipe)"
        finally:
            for pid in _session(parent.pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("stage", ["loading", "mapping", "Wikidata sources", "validating", "describing", "writing"])
def test_a_build_killed_at_each_stage_leaves_no_process(tmp_path: Path, stage: str) -> None:
    with subprocess.Popen([str(BIN / "twinkg"), "build", "--data", str(MINI), "--out", str(tmp_path / "dist")],
                          stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, start_new_session=True,
                          env={**os.environ, "COLUMNS": "500"}) as build:  # the block closes its pipe and waits
        try:
            assert build.stderr is not None
            seen = []
            for line in build.stderr:
                seen.append(line)
                if line.startswith(f"· {stage}"):
                    break
            else:
                pytest.fail(f"the build never reached {stage!r}: {''.join(seen)}")
            members = _session(build.pid)
            build.send_signal(signal.SIGKILL)
            build.wait()
            assert _gone(members | _session(build.pid), 10), f"killed at {stage!r}, processes left: {_session(build.pid)}"
        finally:
            for pid in _session(build.pid):
                os.kill(pid, signal.SIGKILL)
