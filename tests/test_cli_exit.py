"""How `twinkg build` ends: the program leaves at once once its output is written (`cli.exit_now`), without
freeing the build's objects one by one; a failure, and a caller of `app` (a test's CliRunner), end as before."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.builds import MINI
from support.processes import BIN
from typer.testing import CliRunner

from twinkg.cli import app

TEARDOWN = "the interpreter tore itself down"


def program(tmp_path: Path, how: str, data: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """`twinkg build` as a user runs it, with a `sitecustomize` that says when the interpreter's normal exit
    ran its atexit handlers (which `os._exit` skips)."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(f"import atexit, sys\natexit.register(lambda: print({TEARDOWN!r}, file=sys.stderr))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "twinkg"] if how == "module" else [str(BIN / "twinkg")]
    return subprocess.run([*command, "build", "--data", str(data), "--out", str(out)], env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("how", ["module", "console-script"])
def test_a_build_ends_the_program_at_once_with_its_output_whole_and_every_message_out(tmp_path: Path, how: str) -> None:
    out = tmp_path / "dist"
    proc = program(tmp_path, how, MINI, out)
    assert proc.returncode == 0, proc.stderr
    assert TEARDOWN not in proc.stderr  # os._exit: no teardown
    assert proc.stdout.startswith("SHACL: the graph conforms")  # stdout is a pipe here: flushed before leaving
    assert "".join(proc.stderr.split()).endswith(f"built{out}")  # the last message (rich wraps a long path)
    sums = {name: digest for digest, name in (line.split("  ", 1) for line in (out / "SHA256SUMS").read_text().splitlines())}
    assert len(sums) == 17 and sorted(p.name for p in out.iterdir() if p.name != "SHA256SUMS") == sorted(sums)
    assert all(hashlib.sha256((out / name).read_bytes()).hexdigest() == digest for name, digest in sums.items())


def test_a_failed_build_says_why_and_exits_1_as_before(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "places.yaml").write_text((data / "places.yaml").read_text().replace("id: gamma", "id: gamma\n    bogus: 1"))
    proc = program(tmp_path, "module", data, tmp_path / "dist")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "nothing was written" in proc.stderr and "bogus" in proc.stderr
    assert TEARDOWN in proc.stderr  # the normal exit: only a finished build leaves at once
    assert not (tmp_path / "dist").exists()


def test_a_build_through_app_returns_to_its_caller(tmp_path: Path) -> None:
    """A test's CliRunner calls `app`, not the program's `main`: the build returns (or this test's process would be gone)."""
    result = CliRunner().invoke(app, ["build", "--data", str(MINI), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    assert "built" in result.output and (tmp_path / "dist" / "SHA256SUMS").is_file()


@pytest.mark.parametrize("base", ["http://x y/", "http://x/{a}/", "twinkg/"], ids=["space", "brace", "relative"])
def test_a_base_that_is_not_an_iri_is_one_line_and_nothing_written(tmp_path: Path, base: str) -> None:
    """Every minted IRI starts with the base, written as it is: one that is not an absolute IRI is refused before
    the build starts, not raised by pyoxigraph deep in the mapping as a traceback."""
    result = CliRunner().invoke(app, ["build", "--data", str(MINI), "--out", str(tmp_path / "dist"), "--base", base])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert f"error: --base must be an absolute IRI, got {base!r}" in result.output
    assert not (tmp_path / "dist").exists()


def test_a_standard_output_that_cannot_be_written_is_one_line_after_the_build(tmp_path: Path) -> None:
    """`twinkg build > /dev/full`: the output folder is whole; the summary that cannot be printed is a one-line
    error and exit status 1, not an OSError's traceback."""
    out = tmp_path / "dist"
    with open("/dev/full", "w") as full:
        proc = subprocess.run([str(BIN / "twinkg"), "build", "--data", str(MINI), "--out", str(out)], stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    assert "error: cannot write to standard output: No space left on device" in " ".join(proc.stderr.split())
    assert (out / "SHA256SUMS").is_file()


@pytest.mark.parametrize("base", ["http://x y/", "http://example.org/kg"], ids=["space", "no-slash"])
def test_a_base_from_the_environment_is_checked_as_the_option_is(tmp_path: Path, base: str) -> None:
    env = {**os.environ, "TWINKG_BASE": base}
    proc = subprocess.run([str(BIN / "twinkg"), "build", "--data", str(MINI), "--out", str(tmp_path / "dist")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "error: --base must" in proc.stderr and f"got {base!r} (from $TWINKG_BASE)" in " ".join(proc.stderr.split())
    assert not (tmp_path / "dist").exists()


def test_a_standard_output_without_a_descriptor_that_fails_is_the_same_one_line(monkeypatch: pytest.MonkeyPatch,
                                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`cli.say` on a standard output that is no file (an embedding program's): the same error, no second one."""
    import io

    import typer

    from twinkg import cli

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(sys, "stdout", Full())
    with pytest.raises(typer.Exit) as exited:
        cli.say("SHACL: the graph conforms", "the build's output was written")
    assert exited.value.exit_code == 1
    assert "error: cannot write to standard output: No space left on device; the build's output was written" in " ".join(capsys.readouterr().err.split())
