"""The HTTP layer's own limits, which uvicorn does not set: read deadlines, head size, URL length, connections.

uvicorn closes a connection only when it idles between requests
(`timeout_keep_alive`); a client that opens a connection and sends nothing,
or sends its headers or its body a byte at a time, holds the connection (and
a file descriptor) for ever, and httptools buffers a header of any size. This
protocol, a subclass of uvicorn's httptools one, adds:

- a deadline for the request head (from the connection or the request's first
  byte to the end of its headers) and for the body (each gap between chunks,
  and the whole body): 408 and close when one passes;
- a bound on the head: a URL over `max_url_bytes` is 414, a head over
  `max_head_bytes` 431, both before the app sees anything; the head is
  measured on the bytes received, up to its blank line, so a head that
  arrives in one packet is held to the same byte as one that trickles in;
- a bound on a chunked body's declared chunk sizes: one over
  `max_body_bytes` is 413 at once (the app would otherwise wait for data that
  never comes, and answer nothing until the body deadline);
- a bound on open connections, in all and per client address: the one over
  the per-client bound gets 503 and is closed at once; at the bound in all,
  the connection that has waited longest for a request head is closed (408)
  to let the newcomer in, and only when every connection is busy with a
  request does the newcomer get 503.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from twinkg.config import Settings

UVICORN_TESTED = ">=0.55,<0.56"
"""The uvicorn releases this module's subclass of their private HttpToolsProtocol was tested with (its `_`
attributes and call order are no public API); pyproject.toml pins the same range, tests/test_uvicorn_pin.py
fails when the installed uvicorn is outside it. Widen both after running tests/test_server_http_limits.py."""


@dataclass(frozen=True)
class HttpLimits:
    read_timeout: float
    """Seconds for a request head, and for each gap between body chunks."""
    max_connections: int
    max_connections_per_client: int
    body_timeout_factor: int = 6
    """A whole request body must arrive within this many read timeouts."""
    idle_timeout: float = 5.0
    """Seconds an idle keep-alive connection is kept."""
    max_url_bytes: int = 64 << 10
    max_head_bytes: int = 96 << 10
    """The request line and every header together, with the blank line that ends them."""
    max_body_bytes: int = 1 << 20
    """A larger chunk declared in a chunked body is refused at once (413)."""

    @classmethod
    def of(cls, settings: Settings) -> HttpLimits:
        return cls(settings.read_timeout, settings.max_connections, settings.max_connections_per_client,
                   max_body_bytes=settings.max_request_bytes)


REASONS = {408: b"Request Timeout", 413: b"Content Too Large", 414: b"URI Too Long",
           431: b"Request Header Fields Too Large", 503: b"Service Unavailable"}
_HEAD_END = b"\r\n\r\n"
_SIZE_LINE_BYTES = 4096
"""A chunk-size line (with its extensions) longer than this is left to httptools, which refuses it."""


class ChunkSizes:
    """The sizes a chunked body declares, read from its bytes as they arrive (httptools does not tell them)."""

    def __init__(self) -> None:
        self.skip = 0
        """Bytes of the current chunk (and its CRLF) still to come."""
        self.line = bytearray()
        self.done = False

    def feed(self, data: bytes) -> int:
        """The largest chunk size declared in `data` (0 when it declares none)."""
        largest, at = 0, 0
        while at < len(data) and not self.done:
            if self.skip:
                step = min(self.skip, len(data) - at)
                self.skip -= step
                at += step
                continue
            end = data.find(b"\n", at)
            self.line += data[at:] if end < 0 else data[at:end]
            if end < 0 or len(self.line) > _SIZE_LINE_BYTES:
                self.done = len(self.line) > _SIZE_LINE_BYTES
                break
            text = bytes(self.line).split(b";")[0].strip()
            self.line.clear()
            at = end + 1
            try:
                size = int(text, 16)
            except ValueError:  # not a chunk size: httptools refuses the request
                self.done = True
                break
            if size == 0:  # the last chunk; trailers follow
                self.done = True
                break
            largest = max(largest, size)
            self.skip = size + 2
        return largest


def protocol_for(limits: HttpLimits) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with these limits (pass it as `http=` to uvicorn)."""
    per_client: dict[str, int] = {}

    class GuardedHttp(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._timer: asyncio.TimerHandle | None = None
            self._body_deadline: asyncio.TimerHandle | None = None
            self._in_head = True
            self._head_bytes = 0
            self._tail = b""
            self._line_ended = False
            self._chunks: ChunkSizes | None = None
            self._refused = False
            self._head_began = 0.0
            self._address = ""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._address = self.client[0] if self.client else ""
            count = per_client.get(self._address, 0) + 1
            per_client[self._address] = count
            self._head_began = self.loop.time()
            if count > limits.max_connections_per_client:
                self._refuse(503, "too many open connections; try again")
                return
            if len(self.connections) > limits.max_connections:
                oldest = self._oldest_unsent_head()
                if oldest is None:
                    self._refuse(503, "too many open connections; try again")
                    return
                oldest._refuse(408, "the request was not sent in time, and its connection is needed")
            self._arm(limits.read_timeout)

        def _oldest_unsent_head(self) -> GuardedHttp | None:
            """At the cap, the connection that has waited longest for a request head (one still being sent, or
            none begun): closing it for a newcomer lets clients that send whole requests in, however many
            addresses hold half-sent heads (each is still held to its read deadline)."""
            waiting = [c for c in self.connections if isinstance(c, GuardedHttp) and c is not self and c._in_head
                       and not c._refused and (c.cycle is None or c.cycle.response_complete)]
            return min(waiting, key=lambda c: c._head_began, default=None)

        def connection_lost(self, exc: Exception | None) -> None:
            left = per_client.get(self._address, 1) - 1
            if left > 0:
                per_client[self._address] = left
            else:
                per_client.pop(self._address, None)
            self._disarm()
            if self._body_deadline is not None:
                self._body_deadline.cancel()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            """Fed to httptools in pieces: the head up to its blank line (counted, and refused past the limit
            before httptools reads it), then the body (whose declared chunk sizes are checked)."""
            while data and not self._refused:
                piece = data
                if self._in_head:
                    seen = self._tail + data
                    end = seen.find(_HEAD_END)
                    if end >= 0:
                        piece = data[:end + len(_HEAD_END) - len(self._tail)]
                    self._line_ended = self._line_ended or b"\n" in seen[:limits.max_head_bytes + len(self._tail)]
                    self._head_bytes += len(piece)
                    if self._head_bytes > limits.max_head_bytes:
                        in_url = not self._line_ended
                        self._refuse(414 if in_url else 431, f"the request {'URL' if in_url else 'head'} is over the "
                                     f"{limits.max_url_bytes if in_url else limits.max_head_bytes}-byte limit")
                        return
                    self._tail = seen[-(len(_HEAD_END) - 1):] if end < 0 else b""
                elif self._chunks is not None and self._chunks.feed(piece) > limits.max_body_bytes:
                    self._refuse(413, f"a chunk of the request body is declared over the {limits.max_body_bytes}-byte "
                                      "limit")
                    return
                super().data_received(piece)
                if self.transport.is_closing():
                    return
                data = data[len(piece):]

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._in_head = True
            if self._timer is None:
                self._arm(limits.read_timeout)

        def on_headers_complete(self) -> None:
            self._in_head = False
            chunked = any(name == b"transfer-encoding" and b"chunked" in value.lower() for name, value in self.headers)
            self._chunks = ChunkSizes() if chunked else None
            self._disarm()
            if len(self.url) > limits.max_url_bytes:
                self._refuse(414, f"the URL is over the {limits.max_url_bytes}-byte limit; POST the query instead")
                return
            super().on_headers_complete()
            if self.parser is not None and not self.transport.is_closing():
                self._arm(limits.read_timeout)
                self._body_deadline = self.loop.call_later(limits.read_timeout * limits.body_timeout_factor,
                                                          self._expire)

        def on_body(self, body: bytes) -> None:
            if self._refused:
                return
            self._arm(limits.read_timeout)
            super().on_body(body)

        def on_message_complete(self) -> None:
            if self._refused:
                return
            self._in_head, self._head_bytes, self._tail, self._line_ended, self._chunks = True, 0, b"", False, None
            self._head_began = self.loop.time()
            self._disarm()
            if self._body_deadline is not None:
                self._body_deadline.cancel()
                self._body_deadline = None
            super().on_message_complete()

        def on_response_complete(self) -> None:
            self._disarm()
            if self._body_deadline is not None:
                self._body_deadline.cancel()
                self._body_deadline = None
            super().on_response_complete()

        def _arm(self, seconds: float) -> None:
            self._disarm()
            self._timer = self.loop.call_later(seconds, self._expire)

        def _disarm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def _expire(self) -> None:
            """A deadline passed while the request was still being read."""
            if self.transport.is_closing():
                return
            self._refuse(408, "the request was not sent in time")

        def _refuse(self, status: int, message: str) -> None:
            self._refused = True
            self._disarm()
            if self.cycle is not None and not self.cycle.response_complete and not self._in_head:
                self.cycle.disconnected = True  # the app sees the client as gone and stops reading
                self.cycle.message_event.set()
            body = message.encode() + b"\n"
            if self.cycle is None or not self.cycle.response_started:
                self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                                     b"content-length: %d\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n%s"
                                     % (status, REASONS[status], len(body), body))
            self.transport.close()

    return GuardedHttp
