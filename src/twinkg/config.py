"""Settings shared by the commands: where things are and which base IRI to mint.

Defaults make a checkout work with no configuration; each can be overridden on
the command line or through `TWINKG_*` environment variables.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from twinkg.vocab import DEFAULT_BASE

PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout: ontology/, shapes/ and queries/ live beside src/."""


def build_time() -> dt.datetime:
    """The build's timestamp: `SOURCE_DATE_EPOCH` when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
        except ValueError:
            raise SystemExit(f"SOURCE_DATE_EPOCH must be an integer number of seconds, got {epoch!r}") from None
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path(os.environ.get("TWINKG_DATA", PROJECT_ROOT / "data"))
    out_dir: Path = Path(os.environ.get("TWINKG_OUT", PROJECT_ROOT / "dist"))
    base: str = os.environ.get("TWINKG_BASE", DEFAULT_BASE)
    ontology_dir: Path = PROJECT_ROOT / "ontology"
    shapes_dir: Path = PROJECT_ROOT / "shapes"
    queries_dir: Path = PROJECT_ROOT / "queries"
    built_at: dt.datetime = field(default_factory=build_time)

    @property
    def wikidata_dir(self) -> Path:
        return self.data_dir / "wikidata"
