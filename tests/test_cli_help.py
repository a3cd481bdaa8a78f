"""The command line as a first-time user meets it (issue 23): `--help` at 80 columns with every option name whole,
no cut sentence and no `<bool>`-style placeholder; descriptions that say what an option does (`--out` of export
and publish is the build they read); `build --help` names every file a build writes and `serve --help` every
route; `build --out` refuses a folder it could not write before building; `validate --engine pyshacl` says it is
slow and shows its progress; `export`'s default folder is ignored by git; `make serve` shows its install."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import click
import pytest
import typer
from support.builds import MINI, PROJECT_ROOT
from typer.testing import CliRunner

from twinkg.cli import app
from twinkg.output import FILES
from twinkg.server.app import routes

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def help_of(*command: str) -> str:
    result = CliRunner(env={"COLUMNS": "80"}).invoke(app, [*command, "--help"], terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_fits_80_columns_with_every_option_name_whole(command: str) -> None:
    text = help_of(*([command] if command else []))
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    group = typer.main.get_command(app)
    cmd = group.commands[command] if command else group  # type: ignore[attr-defined]
    for param in cmd.params:
        for name in param.opts:
            assert re.search(rf"(^|[\s,]){re.escape(name)}([\s,]|$)", text, re.M), f"{command}: {name} is cut or missing"
    assert not [line for line in lines if re.search(r"[A-Za-z]-$", line)], "a word is cut at a hyphen"
    assert not [line for line in lines if line.rstrip().endswith(("...", "…")) and not line.startswith("Usage:")], \
        "a sentence is cut"
    assert not re.search(r"<(bool|str|int|float|path|list)", text), "a type placeholder instead of a metavar"
    assert "[default: " in text or not any(isinstance(p, click.Option) and p.help and "[default:" in p.help
                                          for p in cmd.params), "a default in brackets is lost"


def test_out_of_export_and_publish_is_the_build_they_read() -> None:
    for command in ("export", "publish"):
        assert re.search(r"--out DIR\s+The build to read", help_of(command)), command
    assert re.search(r"--out DIR\s+Output folder for the dumps", help_of("build"))


def test_build_help_names_every_file_a_build_writes() -> None:
    text = " ".join(help_of("build").split())
    assert not [name for name in FILES if name not in text]


def test_serve_help_names_every_route() -> None:
    text = " ".join(help_of("serve").split())
    paths = {getattr(route, "path", "").split("{", 1)[0] for route in routes()}
    assert not [path for path in sorted(paths) if path and path not in text]


def test_build_refuses_an_out_it_could_not_write_before_building(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("")
    runner = CliRunner()
    for out, says in ((tmp_path / "a-file" / "dist", "is a file, not a folder"),
                      (tmp_path / "notes", "is not the output of a twinkg build")):
        result = runner.invoke(app, ["build", "--data", str(MINI), "--out", str(out)])
        assert result.exit_code == 1 and says in " ".join(result.output.split())
        assert "loading curated data" not in result.output  # refused before any work
    assert (tmp_path / "notes" / "mine.txt").exists() and not (tmp_path / ".notes.builds").exists()


def test_validate_with_pyshacl_warns_that_it_is_slow_and_shows_progress() -> None:
    result = CliRunner().invoke(app, ["validate", "--data", str(MINI), "--engine", "pyshacl"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "warning: pyshacl is the reference engine, not a fast one" in text
    assert "validating with pyshacl" in text and "conforms" in text


def test_export_writes_by_default_into_a_folder_git_ignores() -> None:
    default = typer.main.get_command(app).commands["export"]  # type: ignore[attr-defined]
    to = next(p for p in default.params if p.name == "to")
    assert "twinkg-AS_OF/" in (to.help or "")
    git = shutil.which("git")
    assert git is not None
    for path in ("twinkg-2020/SHA256SUMS", "twinkg-2020-05-01/twinkg.gexf"):
        assert subprocess.run([git, "check-ignore", "-q", path], cwd=PROJECT_ROOT, check=False).returncode == 0, path


def test_make_serve_shows_the_install() -> None:
    make = shutil.which("make")
    assert make is not None
    planned = subprocess.run([make, "-n", "-B", "install"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                             check=True).stdout
    install = next(line for line in planned.splitlines() if "pip install" in line and "-e ." in line)
    assert "--quiet" not in install and "echo" in planned and ".venv/bin/twinkg" in planned
