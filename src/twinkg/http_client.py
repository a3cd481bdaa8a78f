"""The one way twinkg opens HTTP connections: httpx clients with our User-Agent and timeouts.

Every outbound request (Wikidata, a store being published to, a remote store
behind the server) goes through a client made here, so the User-Agent that
Wikidata's policy asks for and the split between connect and read timeouts
are set in one place.
"""

from __future__ import annotations

import httpx

from twinkg import PROJECT_URL, __version__

USER_AGENT = f"twinkg/{__version__} ({PROJECT_URL}; twinkg contributors)"
CONNECT_SECONDS = 5.0
"""A reachable server accepts a connection in well under this; waiting longer only delays the error."""


def timeouts(seconds: float) -> httpx.Timeout:
    return httpx.Timeout(seconds, connect=min(seconds, CONNECT_SECONDS))


def client(timeout: float, headers: dict[str, str] | None = None) -> httpx.Client:
    """A blocking client for the command-line jobs (enrich, reconcile, publish)."""
    return httpx.Client(timeout=timeouts(timeout), headers={"User-Agent": USER_AGENT, **(headers or {})})


def async_client(timeout: float, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """An asyncio client for the server (a remote store)."""
    return httpx.AsyncClient(timeout=timeouts(timeout), headers={"User-Agent": USER_AGENT, **(headers or {})})
