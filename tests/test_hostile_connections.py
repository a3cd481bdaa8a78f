"""Many addresses holding half-sent heads do not lock out a client that sends whole requests.

One host with 17 addresses, each holding connections with half-sent heads (reopened after each 408), made a
fresh client get 503 on 68 of 76 probes: the global connection cap was full of heads that never finish.
"""

from __future__ import annotations

import socket

import httpx
import pytest
from support.processes import Server, mini_server

pytestmark = pytest.mark.slow  # a real `twinkg serve`

CAP = 20
server = mini_server("hostile-connections", "--max-connections", str(CAP), "--read-timeout", "30", "--quiet")


def half_sent(srv: Server, source: str) -> socket.socket:
    host, port = srv.url.removeprefix("http://").split(":")
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(10)
    s.connect((host, int(port)))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    return s


def test_a_fresh_client_gets_in_when_the_cap_is_full_of_half_sent_heads(server: Server) -> None:
    held = [half_sent(server, f"127.0.0.{10 + i % 17}") for i in range(CAP + 5)]
    try:
        answers = []
        with httpx.Client(base_url=server.url, timeout=10,
                          transport=httpx.HTTPTransport(local_address="127.0.0.2")) as fresh:
            for _ in range(10):
                answers.append(fresh.get("/healthz", headers={"Connection": "close"}).status_code)
        assert answers == [200] * 10, answers
        evicted = 0
        for s in held:  # the oldest half-sent heads were closed with 408 to make room
            s.settimeout(0.5)
            try:
                data = s.recv(200)
            except TimeoutError:  # still held: not evicted
                continue
            except ConnectionError:  # closed by the server
                data = b""
            evicted += data.startswith(b"HTTP/1.1 408") or data == b""
        assert evicted >= 5, evicted  # at least the 5 over the cap made room for themselves
    finally:
        for s in held:
            s.close()
