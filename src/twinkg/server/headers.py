"""Answers every response shares: nosniff, the Content-Security-Policy of HTML, and plain OPTIONS.

A pure ASGI middleware, so it costs one dictionary look-up per response and
covers every route, error pages included.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
"""No script but this server's own files (no inline script, no eval); inline style attributes only (the
timeline's bar positions), never a <style> element; nothing loaded from elsewhere; never framed."""
ALLOW = {"/sparql": "GET, HEAD, POST, OPTIONS", "/sparql/": "GET, HEAD, POST, OPTIONS"}
ALLOW_DEFAULT = "GET, HEAD, OPTIONS"
NOSNIFF = (b"x-content-type-options", b"nosniff")


class SecurityHeaders:
    """Adds nosniff to every answer (a browser must not read a SPARQL answer or a dump as HTML or script) and
    CSP to HTML ones; answers an OPTIONS that is not a CORS preflight with 204 and Allow."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and not _is_preflight(scope):
            allow = ALLOW.get(scope["path"], ALLOW_DEFAULT).encode()
            await send({"type": "http.response.start", "status": 204,
                        "headers": [(b"allow", allow), (b"content-length", b"0"), NOSNIFF]})
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), NOSNIFF]
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if ctype.startswith(b"text/html"):
                    headers.append((b"content-security-policy", CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _is_preflight(scope: Scope) -> bool:
    names = {k.lower() for k, _ in scope.get("headers", [])}
    return b"origin" in names and b"access-control-request-method" in names
