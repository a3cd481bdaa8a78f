"""What every handler reads: the store, the settings, and where the build's files are."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from twinkg.config import Settings
from twinkg.output import Pin
from twinkg.store import Store
from twinkg.store.checking import InProcessChecker, QueryChecker
from twinkg.vocab import Iris


@dataclass(frozen=True)
class ServerConfig:
    store: Store
    settings: Settings
    out_dir: Path | None
    """The build's folder, whose files are served under /dumps/; None when there is none."""
    pin: Pin | None = None
    """Held for the server's lifetime, so that no rebuild removes the build it serves."""
    checker: QueryChecker = field(default_factory=InProcessChecker)
    """What reads a query before it runs (twinkg.store.checking): `twinkg serve` parses in worker processes of
    its own, whatever the store; an app over a MemoryStore (tests) in process."""

    @property
    def base(self) -> str:
        return self.settings.base

    @property
    def iris(self) -> Iris:
        return Iris(self.settings.base)

    @property
    def max_rows(self) -> int:
        return self.settings.max_rows

    @property
    def timeout(self) -> float:
        return self.settings.timeout
