"""The output folder: one atomic swap, builds that take turns, pinned builds kept, leftovers removed."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from support.builds import MINI

from twinkg import output
from twinkg.errors import OutputError
from twinkg.output import NQ_DUMP, SUMS, builds_dir, checksums, current, pin, write_output


def build_files(tag: str) -> dict[str, bytes]:
    files = {NQ_DUMP: f"dump {tag}\n".encode(), "twinkg.ttl": f"turtle {tag}\n".encode() * 1000}
    files[SUMS] = checksums(files)
    return files


def shown(out: Path) -> dict[str, bytes]:
    """What a reader of `out` sees (the visible files), or {} when there is nothing."""
    if not out.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}


def legacy_output(out: Path, files: dict[str, bytes]) -> None:
    """An output as builds wrote it before links: a real folder."""
    out.mkdir()
    for name, data in files.items():
        (out / name).write_bytes(data)


KILLER = textwrap.dedent("""
    import os, pickle, shutil, sys
    from pathlib import Path
    from twinkg import output

    out, kill_at = Path(sys.argv[1]), int(sys.argv[2])
    files = pickle.loads(sys.stdin.buffer.read())
    calls = [0]

    def dies(real):
        def call(*args, **kwargs):
            if calls[0] == kill_at:
                os._exit(9)
            calls[0] += 1
            return real(*args, **kwargs)
        return call

    os.rename, os.replace, os.symlink = dies(os.rename), dies(os.replace), dies(os.symlink)
    output._exchange = dies(output._exchange)
    shutil.rmtree = dies(shutil.rmtree)
    output.write_output(out, files)
""")


@pytest.mark.parametrize("before", ["none", "link", "legacy folder"])
def test_a_build_killed_at_each_rename_leaves_the_old_or_the_new_output_whole(tmp_path: Path, before: str) -> None:
    import pickle

    old, new = build_files("old"), build_files("new")
    kill_at = 0
    while True:
        out = tmp_path / f"k{kill_at}" / "dist"
        out.parent.mkdir()
        if before == "link":
            write_output(out, old)
        elif before == "legacy folder":
            legacy_output(out, old)
        expected_old = old if before != "none" else {}
        proc = subprocess.run([sys.executable, "-c", KILLER, str(out), str(kill_at)], input=pickle.dumps(new),
                              capture_output=True)
        assert proc.returncode in (0, 9), proc.stderr.decode()
        assert shown(out) in (expected_old, new), f"killed at step {kill_at}: a mix or nothing"
        # the next build finds its way and leaves nothing behind
        write_output(out, new)
        assert shown(out) == new
        assert sorted(p.name for p in out.parent.iterdir()) == [".dist.builds", "dist"]
        assert sorted(p.name for p in builds_dir(out).iterdir()) == sorted(["lock", current(out).name])  # type: ignore[union-attr]
        if proc.returncode == 0:
            break
        kill_at += 1
    assert kill_at >= 2  # the kill did land on the steps of the swap


def test_a_failing_rename_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "dist"
    write_output(out, build_files("old"))

    def refuse(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OutputError, match="No space left on device"):
        write_output(out, build_files("new"))
    assert shown(out) == build_files("old")
    assert sorted(p.name for p in builds_dir(out).iterdir()) == sorted(["lock", current(out).name])  # type: ignore[union-attr]


def test_the_output_is_a_link_flipped_to_a_complete_build(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    first = write_output(out, build_files("a"))
    assert out.is_symlink() and not os.readlink(out).startswith("/")  # relative: the tree can be moved
    second = write_output(out, build_files("b"))
    assert current(out) == second != first
    assert not first.exists()  # no reader pinned it
    assert shown(out) == build_files("b")


def test_a_pinned_build_stays_until_released_and_stale_stores_go(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write_output(out, build_files("a"))
    server = pin(out)  # what a server does for the build it serves
    store = output.store_dir(server.path, output.sha256(build_files("a")[NQ_DUMP]))
    store.mkdir()
    (store / ".complete").write_text("x")
    write_output(out, build_files("b"))
    assert (store / ".complete").is_file() and shown(server.path) == build_files("a")
    server.release()
    write_output(out, build_files("c"))
    assert not server.path.exists()


def test_an_unchanged_dump_keeps_its_store(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    files = build_files("a")
    first = write_output(out, files)
    store = output.store_dir(first, output.sha256(files[NQ_DUMP]))
    store.mkdir()
    (store / ".complete").write_text("x")
    (store / "000001.sst").write_bytes(b"sst")
    second = write_output(out, {**files, "twinkg.ttl": b"other"})
    kept = output.store_dir(second, output.sha256(files[NQ_DUMP]))
    assert (kept / "000001.sst").read_bytes() == b"sst"
    assert (out / kept.name / ".complete").is_file()


def test_leftovers_are_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    legacy_output(out, build_files("old"))
    (out / ".store-0123456789abcdef").mkdir()  # a server's store of an older dump
    for leftover in (".dist.new-x1", ".dist.old-x2"):  # the swap before links
        (tmp_path / leftover).mkdir()
        (tmp_path / leftover / "twinkg.nq.gz").write_bytes(b"x")
    write_output(out, build_files("a"))
    (builds_dir(out) / "20260101T000000-dead").mkdir()  # a build killed before its swap
    (builds_dir(out) / ".link-dead").symlink_to("nowhere")
    (current(out) / ".store-fedcba9876543210").mkdir()  # type: ignore[operator]
    write_output(out, build_files("b"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".dist.builds", "dist"]
    assert sorted(p.name for p in builds_dir(out).iterdir()) == sorted(["lock", current(out).name])  # type: ignore[union-attr]
    assert not [p for p in out.iterdir() if p.name.startswith(".store-")]


def test_refuses_a_link_it_did_not_make(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / SUMS).write_text("")
    out = tmp_path / "dist"
    out.symlink_to(mine)
    with pytest.raises(OutputError, match="symbolic link not made by twinkg"):
        write_output(out, build_files("a"))
    assert out.resolve() == mine and list(mine.iterdir()) == [mine / SUMS]


def build_command(out: Path) -> list[str]:
    return [sys.executable, "-m", "twinkg", "build", "--data", str(MINI), "--out", str(out)]


def test_a_build_waits_for_the_one_writing(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write_output(out, build_files("old"))
    with open(builds_dir(out) / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another build is writing
        proc = subprocess.Popen(build_command(out), stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        lines = []
        for line in proc.stderr:
            lines.append(line)
            if "waiting for another twinkg build" in line:
                break
        else:
            raise AssertionError("".join(lines))
        time.sleep(0.2)
        assert shown(out) == build_files("old")
    _, rest = proc.communicate(timeout=120)
    assert proc.returncode == 0, rest
    assert (out / "twinkg.nq.gz").is_file()
    assert subprocess.run(["sha256sum", "-c", SUMS], cwd=out, capture_output=True).returncode == 0


def test_concurrent_builds_into_one_folder(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    write_output(out, build_files("old"))
    server = pin(out)
    procs = [subprocess.Popen(build_command(out), stderr=subprocess.PIPE, text=True) for _ in range(3)]
    for proc in procs:
        _, stderr = proc.communicate(timeout=180)
        assert proc.returncode == 0 and "Traceback" not in stderr, stderr
    assert subprocess.run(["sha256sum", "-c", SUMS], cwd=out, capture_output=True).returncode == 0
    assert shown(server.path) == build_files("old")  # the server's build was not touched
    server.release()
    builds = sorted(p.name for p in builds_dir(out).iterdir())
    assert len(builds) == 3 and "lock" in builds  # current + the pinned one, until the next build
