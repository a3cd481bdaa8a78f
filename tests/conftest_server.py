"""Kept for tests written before tests/support existed: the same names, from `support.processes`,
`support.proxies` and `support.browser`. New tests import from those modules."""

from __future__ import annotations

from support.browser import ARTIFACTS, CHROMIUM, chromium
from support.processes import (
                               BIN,
                               CONFORMANCE,
                               REMOTE_STORES,
                               START_SECONDS,
                               STORE_SECONDS,
                               STORES,
                               RemoteStoreServer,
                               Server,
                               alive,
                               children,
                               cpu_ticks,
                               free_port,
                               mini_server,
                               read_log,
                               rss_kib,
                               serve_over,
                               start_oxigraph,
                               start_remote_store,
                               start_twinkg,
                               start_virtuoso,
                               stop_group,
                               up_or_killed,
                               wait_until_up,
                               write_dump,
)
from support.proxies import LoopbackProxy

__all__ = ["ARTIFACTS", "BIN", "CHROMIUM", "CONFORMANCE", "REMOTE_STORES", "START_SECONDS", "STORES", "STORE_SECONDS",
           "LoopbackProxy", "RemoteStoreServer", "Server", "alive", "children", "chromium", "cpu_ticks", "free_port",
           "mini_server", "read_log", "rss_kib", "serve_over", "start_oxigraph", "start_remote_store", "start_twinkg",
           "start_virtuoso", "stop_group", "up_or_killed", "wait_until_up", "write_dump"]
