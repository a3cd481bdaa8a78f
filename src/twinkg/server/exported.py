"""The build's export tables (twinnings.csv, places.csv, events.csv), read for the network map and /statistics.

At the world network's scale the same figures by SPARQL take seconds a query on this machine (the pairs
of partners alone 5 s under load); the build has already written them, row for row what researchers
download, and the server pins that build. Without a build folder (a remote store only) there is nothing
to read and the pages say so.
"""

from __future__ import annotations

import csv
from pathlib import Path

from twinkg.output import EXPORTS

Rows = list[dict[str, str]]
NAMES = {f.name for f in EXPORTS}


def read(out_dir: Path | None, name: str) -> Rows | None:
    """The rows of one export table; None when the build has none."""
    assert name in NAMES, name
    if out_dir is None:
        return None
    try:
        with (out_dir / name).open(newline="", encoding="utf-8") as f:
            return list(csv.DictReader(f))
    except OSError:
        return None


def available(out_dir: Path | None, *names: str) -> bool:
    """The build has these tables (without reading them: the home page only refers to the map drawn from them)."""
    return out_dir is not None and all((out_dir / name).is_file() for name in names)
