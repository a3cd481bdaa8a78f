"""The access log: one JSON line per request on stderr (pure ASGI middleware, cheap)."""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, TextIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("twinkg.access")


class AccessLog:
    """Time, method, path, status, duration in ms, response bytes and client address of each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        seen = {"status": 500, "bytes": 0}

        async def logging_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
            elif message["type"] == "http.response.body":
                seen["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, logging_send)
        finally:
            if access_log.isEnabledFor(logging.INFO):
                access_log.info(json.dumps(entry(scope, seen, start), separators=(",", ":")))


def entry(scope: Scope, seen: dict[str, int], start: float) -> dict[str, Any]:
    return {"ts": round(time.time(), 3), "method": scope["method"], "path": scope["path"],
            "status": seen["status"], "ms": round((time.perf_counter() - start) * 1000, 2),
            "bytes": seen["bytes"], "client": (scope.get("client") or ("", 0))[0]}


def configure_access_log(stream: TextIO | None = None) -> None:
    if access_log.handlers:
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
