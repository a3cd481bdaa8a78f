"""Loading the build's N-Quads dump into an on-disk store the workers open read-only.

`python -m twinkg.store.loading DUMP.nq.gz STORE_DIR` is the child process
that bulk-loads (it needs memory the server should not keep).
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from twinkg.errors import StoreUnavailable
from twinkg.output import NQ_DUMP, read_checksums, store_dir


def load_store(nquads_gz: Path, store_dir: Path) -> None:
    """Bulk-load a gzipped N-Quads dump into a new on-disk store (in a child process: it needs memory)."""
    subprocess.run([sys.executable, "-m", "twinkg.store.loading", str(nquads_gz), str(store_dir)], check=True)


def bulk_load(nquads_gz: str, store_dir: str) -> None:
    store = ox.Store(store_dir)
    with gzip.open(nquads_gz, "rb") as f:
        store.bulk_load(cast(IO[bytes], f), format=ox.RdfFormat.N_QUADS)
    store.optimize()
    store.flush()
    del store


def store_for_dump(out_dir: Path) -> Path:
    """The store directory for the dump in `out_dir`, loading it on first use.

    The directory is named by the dump's SHA-256, so a rebuilt dump gets a new
    store and several servers on one machine share one."""
    dump = out_dir / NQ_DUMP
    if not dump.is_file():
        raise StoreUnavailable(f"{dump} does not exist; run `twinkg build` first")
    # The build recorded the digest; hash the dump only when it came without SHA256SUMS.
    digest = read_checksums(out_dir).get(NQ_DUMP) or hashlib.sha256(dump.read_bytes()).hexdigest()
    target = store_dir(out_dir, digest)
    if (target / ".complete").is_file():
        return target
    staging = Path(tempfile.mkdtemp(prefix=".store-loading-", dir=out_dir))
    try:
        load_store(dump, staging / "db")
        (staging / "db" / ".complete").write_text(digest + "\n")
        try:
            (staging / "db").rename(target)
        except OSError:
            if not (target / ".complete").is_file():  # lost a race to another server: theirs is as good
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m twinkg.store.loading DUMP.nq.gz STORE_DIR")
    bulk_load(sys.argv[1], sys.argv[2])
