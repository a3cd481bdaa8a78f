"""Loopback HTTP proxies for the tests: round robin with refusals (replicas), and Wikidata's faults."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from dataclasses import dataclass, field

import httpx

POLL_SECONDS = 0.02
"""How often a proxy's loop looks for `close()`: the default half-second was half a second of each test's teardown."""


def serve_in_thread(server: http.server.ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
    thread.start()
    return thread


class LoopbackProxy:
    """A small HTTP proxy on loopback: each request goes to the next of `upstreams` in turn (round robin),
    unless `refuse(method, path, n)` (n counts requests from 1) says to answer it 500 instead (or the status it
    returns, if an int: 404 to a GET, as a store that says it holds no such graph)."""

    def __init__(self, upstreams: list[str], refuse=None) -> None:  # type: ignore[no-untyped-def]
        self.upstreams = upstreams
        self.refuse = refuse or (lambda method, path, n: False)
        self.count = 0
        self.sent: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                with proxy._lock:
                    proxy.count += 1
                    n = proxy.count
                    upstream = proxy.upstreams[(n - 1) % len(proxy.upstreams)]
                    proxy.sent.append(upstream)
                refused = proxy.refuse(self.command, self.path, n)
                if refused:
                    self.send_response(500 if refused is True else refused)
                    self.send_header("Content-Length", "7")
                    self.end_headers()
                    if self.command != "HEAD":  # a body after a HEAD's answer would be read as the next answer
                        self.wfile.write(b"refused")
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                r = httpx.request(self.command, upstream + self.path, content=body, headers=headers, timeout=120)
                self.send_response(r.status_code)
                for k, v in r.headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(r.content)))
                self.end_headers()
                self.wfile.write(r.content)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = serve_in_thread(self.server)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class FaultProxy:
    """A loopback HTTP proxy in front of the endpoint that answers the first requests with faults.

    `faults` is consumed one per request: "429" (with Retry-After), "503"
    (without), "timeout" (sleeps past the client's timeout), "reset" (drops
    the connection), "malformed" (200 with broken JSON), "500-timeout" (the
    server's own timeout message), "400"; then requests pass through, unless
    `fail_from` is set (every request from that number on is reset).
    """

    upstream: str
    faults: list[str] = field(default_factory=list)
    retry_after: str = "1"
    delay: float = 2.0
    fail_from: int | None = None
    requests: int = 0
    seen: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                proxy.requests += 1
                proxy.user_agents.append(self.headers.get("User-Agent", ""))
                fault = proxy.faults.pop(0) if proxy.faults else "pass"
                if proxy.fail_from is not None and proxy.requests >= proxy.fail_from:
                    fault = "reset"
                proxy.seen.append(fault)
                if fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    self.close_connection = True
                    return
                if fault == "timeout":
                    time.sleep(proxy.delay)
                    self._send(504, b"too late", "text/plain")
                    return
                if fault == "429":
                    self._send(429, b"Too many requests", "text/plain", {"Retry-After": proxy.retry_after})
                    return
                if fault == "503":
                    self._send(503, b"Service unavailable", "text/plain")
                    return
                if fault == "500-timeout":
                    self._send(500, b"java.util.concurrent.TimeoutException", "text/plain")
                    return
                if fault == "400":
                    self._send(400, b"Parse error: bad query", "text/plain")
                    return
                answer = httpx.post(proxy.upstream, content=body, timeout=30, headers={
                    "Content-Type": self.headers.get("Content-Type", ""), "Accept": self.headers.get("Accept", "")})
                content = answer.content
                if fault == "malformed":
                    content = content[: len(content) // 2]
                self._send(answer.status_code, content, answer.headers.get("Content-Type", "application/octet-stream"))

            def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}/query"
        self.thread = serve_in_thread(self.server)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def counting(endpoint: str) -> FaultProxy:
    """A proxy without faults, to count requests."""
    return FaultProxy(endpoint)
