"""The output folder: what a build leaves for readers, and how a new build replaces it.

The contract shared by the build (writer) and the server (reader): the file
names and media types, SHA256SUMS, when the output is stale, and the swap.

Layout: `--out DIR` is a symbolic link to one complete build in the hidden
sibling folder `.DIR.builds/`. A build writes a new folder there and flips the
link with one `rename(2)`, so a reader sees the old build or the new one, never
a mix, and a build killed at any point leaves one of them whole. Builds into
one folder queue on a lock (`.DIR.builds/lock`). A reader that must keep one
build for its lifetime (a server and its `.store-*`) *pins* it with a shared
lock on its folder; builds that are neither current nor pinned are removed,
with their stores, by the next build.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import errno
import fcntl
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from twinkg.config import Progress
from twinkg.errors import OutputError


@dataclass(frozen=True)
class OutputFile:
    name: str
    media_type: str
    """What the content is (DCAT mediaType): a gzip file's is that of what it holds."""
    content_type: str
    """The Content-Type it is served with as a download."""
    title: str = ""


DUMPS = (
    OutputFile("twinkg.ttl", "text/turtle", "text/turtle; charset=utf-8", "All graphs merged, Turtle"),
    OutputFile("twinkg.nt.gz", "application/n-triples", "application/gzip", "All graphs merged, N-Triples, gzip"),
    OutputFile("twinkg.jsonld", "application/ld+json", "application/ld+json",
               "All graphs merged, JSON-LD compacted with the twinkg context (one @graph)"),
    OutputFile("twinkg.nq.gz", "application/n-quads", "application/gzip", "Named graphs, N-Quads, gzip"),
)
EXPORTS = (
    *(OutputFile(f"{table}.csv", "text/csv", "text/csv; charset=utf-8", f"{title}, CSV")
      for table, title in (("twinnings", "Twinnings as an edge list, one row per link and pair of partners"),
                           ("places", "Places, the nodes of the network"), ("events", "Events of the links"))),
    *(OutputFile(f"{table}.csv-metadata.json", "application/csvm+json", "application/csvm+json",
                 f"CSV on the Web metadata of {table}.csv") for table in ("twinnings", "places", "events")),
    OutputFile("twinkg.graphml", "application/graphml+xml", "application/graphml+xml; charset=utf-8",
               "The network of places and links, GraphML"),
    OutputFile("twinkg.gexf", "application/gexf+xml", "application/gexf+xml; charset=utf-8",
               "The network of places and links over time (dynamic GEXF)"),
)
"""Files for network analysis (twinkg.exports renders them); the build writes all, `twinkg export` a choice."""
CONTEXT_FILE = "context.jsonld"
"""The published JSON-LD context (short keys for the tw: terms), also served at /context.jsonld."""
QUERIES_FILE = "queries.json"
"""The example queries the /query page offers (twinkg.examples), so the server reads them from its build."""
REPORT = "shacl-report.ttl"
VOID_FILE = "void.ttl"
SUMS = "SHA256SUMS"
NQ_DUMP = "twinkg.nq.gz"
DUPLICATES = "duplicates.csv"
"""The build's identity report: candidate duplicate places (twinkg.world.identity.duplicates_csv)."""
FILES = {f.name: f for f in (
    *DUMPS,
    *EXPORTS,
    OutputFile(VOID_FILE, "text/turtle", "text/turtle; charset=utf-8",
               "The dataset described in VoID and DCAT: graphs, sizes, licence, distributions"),
    OutputFile(REPORT, "text/turtle", "text/turtle; charset=utf-8", "The SHACL validation report of the build"),
    OutputFile(SUMS, "text/plain", "text/plain; charset=utf-8", "SHA-256 checksums of the other files (sha256sum -c)"),
    OutputFile(CONTEXT_FILE, "application/ld+json", "application/ld+json", "The JSON-LD context of twinkg"),
    OutputFile(QUERIES_FILE, "application/json", "application/json", "The example SPARQL queries, with their titles"),
    OutputFile(DUPLICATES, "text/csv", "text/csv; charset=utf-8",
               "Candidate duplicate places: curated and Wikidata-only places sharing a label and country, "
               "and Wikidata's items sharing a label and a partner"),
)}
"""Every file a build writes, by name."""
STORE_PREFIX = ".store-"


# --------------------------------------------------------------------------- checksums

def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def checksums(files: dict[str, bytes], digests: dict[str, str] | None = None) -> bytes:
    """`sha256sum -c`-compatible lines, sorted by file name; `digests`: those the caller has worked out already."""
    digests = digests or {}
    return "".join(f"{digests.get(name) or sha256(data)}  {name}\n" for name, data in sorted(files.items())).encode()


def read_checksums(out_dir: Path) -> dict[str, str]:
    """File name → SHA-256 as the build recorded them in SHA256SUMS; empty when there is none."""
    try:
        text = (out_dir / SUMS).read_text()
    except (OSError, UnicodeDecodeError):
        return {}
    sums = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if name and "/" not in name:
            sums[name] = digest
    return sums


def store_dir(out_dir: Path, digest: str) -> Path:
    """Where a server keeps the embedded store loaded from the dump with this SHA-256."""
    return out_dir / f"{STORE_PREFIX}{digest[:16]}"


# --------------------------------------------------------------------------- staleness

def newest_input(paths: list[Path]) -> float:
    """The latest modification time of any file under the given folders (0 if none)."""
    latest = 0.0
    for root in paths:
        if root.is_file():
            latest = max(latest, root.stat().st_mtime)
        elif root.is_dir():
            for path in root.rglob("*"):
                if path.is_file():
                    latest = max(latest, path.stat().st_mtime)
    return latest


def is_stale(out_dir: Path, inputs: list[Path]) -> bool:
    """No complete build in `out_dir`, or an input changed after it was written."""
    marker = out_dir / SUMS
    if not (out_dir / NQ_DUMP).is_file() or not marker.is_file():
        return True
    return newest_input(inputs) > marker.stat().st_mtime


# --------------------------------------------------------------------------- where things are

def _absolute(out_dir: Path) -> Path:
    """The output path made absolute without following it (it is a link we replace)."""
    return out_dir.parent.resolve() / out_dir.name


def builds_dir(out_dir: Path) -> Path:
    out_dir = _absolute(out_dir)
    return out_dir.parent / f".{out_dir.name}.builds"


def current(out_dir: Path) -> Path | None:
    """The folder of the build `out_dir` shows now (itself for an output written before links); None if none."""
    out_dir = _absolute(out_dir)
    if out_dir.is_symlink():
        target = out_dir.resolve()
        return target if target.parent == builds_dir(out_dir) and target.is_dir() else None
    return out_dir if out_dir.is_dir() else None


def _check_replaceable(out_dir: Path) -> None:
    """Only a link to one of our builds, an empty folder or an older build's output may be replaced."""
    if out_dir.is_symlink():
        if Path(os.path.normpath(out_dir.parent / os.readlink(out_dir))).parent != builds_dir(out_dir):
            raise OutputError(f"{out_dir} is a symbolic link not made by twinkg; choose another folder for --out")
    elif out_dir.exists() and (not out_dir.is_dir() or (any(out_dir.iterdir()) and not (out_dir / SUMS).is_file())):
        raise OutputError(f"{out_dir} exists and is not the output of a twinkg build (no {SUMS}); "
                          "choose an empty or new folder for --out")


def check_usable(out_dir: Path) -> None:
    """OutputError now, before a build spends its minute, when it could not write `out_dir` at the end: a file
    or a folder not made by a build in its place, a file where a parent folder should be, a parent folder it
    may not write into."""
    out_dir = _absolute(out_dir)
    _check_replaceable(out_dir)
    parent = out_dir.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{out_dir} cannot be made: {parent} is a file, not a folder; choose another --out")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{out_dir} cannot be written: {parent} is not writable by this user; choose another --out")


# --------------------------------------------------------------------------- pinning (readers)

class Pin:
    """A shared lock on one build's folder: no build removes it while the pin is held."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Pin:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def pin(out_dir: Path) -> Pin:
    """Pin the build `out_dir` shows now; raises OutputError when there is none."""
    for _ in range(100):
        target = current(out_dir)
        if target is None:
            break
        try:
            fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            continue  # removed after we looked: look again
        fcntl.flock(fd, fcntl.LOCK_SH)
        if current(out_dir) == target and target.is_dir():
            return Pin(target, fd)
        os.close(fd)  # a newer build was swapped in meanwhile
    raise OutputError(f"{out_dir} holds no build; run `twinkg build` first")


def _in_use(folder: Path) -> bool:
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


# --------------------------------------------------------------------------- writing (the build)

class _Lock:
    """The exclusive lock of one output folder: builds into it take turns."""

    def __init__(self, path: Path, progress: Progress) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            progress(f"waiting for another twinkg build writing {path.parent} to finish")
            fcntl.flock(self._fd, fcntl.LOCK_EX)

    def release(self) -> None:
        os.close(self._fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_files(folder: Path, files: dict[str, bytes]) -> None:
    """Every file, synced; SHA256SUMS last, so a folder with it is complete."""
    for name in sorted(files, key=lambda n: n == SUMS):
        with open(folder / name, "wb") as f:
            f.write(files[name])
            f.flush()
            os.fsync(f.fileno())
    os.chmod(folder, 0o755)
    _fsync_dir(folder)


def _reuse_store(previous: Path | None, new: Path, files: dict[str, bytes]) -> None:
    """Hard-link the previous build's store when the dump is unchanged: loading it again costs minutes.

    The store's files are never written once loaded (servers open it read-only)."""
    if previous is None or NQ_DUMP not in files:
        return
    digest = sha256(files[NQ_DUMP])
    old = store_dir(previous, digest)
    if (old / ".complete").is_file():
        shutil.copytree(old, store_dir(new, digest), copy_function=os.link)


_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths in one step (renameat2 RENAME_EXCHANGE); OSError where the system lacks it."""
    renameat2 = getattr(_libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _flip(out_dir: Path, link: Path, builds: Path) -> None:
    """Make `out_dir` the link `link` in one step."""
    if out_dir.is_symlink() or not out_dir.exists():
        os.replace(link, out_dir)
        return
    # An output written before links (a real folder): exchange it with the link where the
    # system can, then keep the old folder as a build that the cleanup removes when unused.
    retired = Path(tempfile.mkdtemp(prefix="retired-", dir=builds))
    retired.rmdir()
    try:
        _exchange(link, out_dir)
    except OSError:
        os.rename(out_dir, retired)  # two steps: a kill between them leaves no `out_dir` until the next build
        os.replace(link, out_dir)
    else:
        os.rename(link, retired)


def write_output(out_dir: Path, files: dict[str, bytes], progress: Progress = lambda _: None) -> Path:
    """Write a complete build and make `out_dir` show it, in one atomic step; returns its folder."""
    out_dir = _absolute(out_dir)
    _check_replaceable(out_dir)
    builds = builds_dir(out_dir)
    try:
        builds.mkdir(parents=True, exist_ok=True)
        lock = _Lock(builds / "lock", progress)
    except OSError as exc:
        raise OutputError(f"cannot write beside {out_dir}: {exc.strerror or exc}") from None
    try:
        _check_replaceable(out_dir)  # again: another build may have run while we waited
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        folder = Path(tempfile.mkdtemp(prefix=f"{stamp}-", dir=builds))
        link = builds / f".link-{folder.name}"
        try:
            _write_files(folder, files)
            _reuse_store(current(out_dir), folder, files)
            os.symlink(os.path.relpath(folder, out_dir.parent), link)
            _flip(out_dir, link, builds)
            _fsync_dir(out_dir.parent)
        except OSError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            link.unlink(missing_ok=True)
            raise OutputError(f"cannot write {out_dir}: {exc.strerror or exc}") from None
        clean(out_dir)
        return folder
    finally:
        lock.release()


def clean(out_dir: Path) -> list[Path]:
    """Remove what no reader needs: builds neither current nor pinned (with their stores), stores of
    other dumps in the current build, and the staging folders of the swap twinkg used before links.
    Call with the output's lock held. Returns what was removed."""
    out_dir = _absolute(out_dir)
    builds = builds_dir(out_dir)
    now = current(out_dir)
    removed: list[Path] = []
    if builds.is_dir():
        for entry in builds.iterdir():
            if entry.name == "lock" or entry == now:
                continue
            if entry.is_symlink() or entry.is_file():
                entry.unlink(missing_ok=True)
            elif not _in_use(entry):
                shutil.rmtree(entry, ignore_errors=True)
            else:
                continue
            removed.append(entry)
    for pattern in (f".{out_dir.name}.new-*", f".{out_dir.name}.old-*"):
        for entry in out_dir.parent.glob(pattern):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    digest = read_checksums(now).get(NQ_DUMP) if now is not None else None
    if now is not None and digest:
        keep = store_dir(now, digest)
        for entry in now.glob(f"{STORE_PREFIX}*"):
            if entry != keep and not entry.name.startswith(f"{STORE_PREFIX}loading-"):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
    return removed
