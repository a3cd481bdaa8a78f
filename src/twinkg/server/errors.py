"""Errors to HTTP responses, in one place: which status each error is, and how it is written.

Handlers raise (a `ProtocolError` for what is wrong with the request, a
`StoreError` from the store); `handle` answers them as text, or as an HTML
page when the client asked for HTML.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from twinkg.errors import (
    NotAcceptable,
    QueryRefused,
    QueryTimeout,
    QueryTooLarge,
    StoreBusy,
    StoreError,
    StoreUnavailable,
    TwinkgError,
)
from twinkg.server.render import render

STATUS: dict[type[TwinkgError], int] = {
    QueryRefused: 400,
    NotAcceptable: 406,
    StoreUnavailable: 503,
    QueryTimeout: 503,
    QueryTooLarge: 503,
    StoreBusy: 503,
    StoreError: 500,
}
RETRY_AFTER_SECONDS = "1"


class ProtocolError(TwinkgError):
    """What is wrong with an HTTP request, with the status that says so."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def status_of(exc: TwinkgError) -> int:
    if isinstance(exc, ProtocolError):
        return exc.status
    return next((STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS), 500)


def text_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


async def handle(request: Request, exc: Exception) -> Response:
    """The exception handler for every TwinkgError a route raises."""
    assert isinstance(exc, TwinkgError)
    status = status_of(exc)
    headers = {"Vary": "Accept", **(exc.headers if isinstance(exc, ProtocolError) else {})}
    if status == 503:
        headers["Retry-After"] = RETRY_AFTER_SECONDS
    if status >= 500 and "html" in request.headers.get("accept", ""):
        page = render(request, "error.html", {"status": status, "title": "Store unavailable", "message": str(exc)},
                      status)
        page.headers.update(headers)
        return page
    return text_error(status, str(exc), headers)


def page_error(request: Request, status: int, title: str, message: str) -> Response:
    """A page's error: an HTML page for a browser, plain text for anything else."""
    if "html" in request.headers.get("accept", ""):
        return render(request, "error.html", {"status": status, "title": title, "message": message}, status)
    return text_error(status, message)


async def not_found(request: Request, exc: Exception | None = None) -> Response:
    return page_error(request, 404, "Not found", f"{request.url.path} is not part of this graph.")


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    return text_error(405, f"{request.method} is not allowed on {request.url.path}", {"Allow": "GET, HEAD"})


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client closed the connection while sending its request: nobody reads the answer, nothing to log."""
    return text_error(400, "the request body ended early")
