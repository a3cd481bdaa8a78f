"""Many addresses holding half-sent heads do not lock out a client that sends whole requests.

One host with 17 addresses, each holding connections with half-sent heads (reopened after each 408), made a
fresh client get 503 on 68 of 76 probes: the global connection cap was full of heads that never finish.
"""

from __future__ import annotations

import select
import socket
import time

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


def evicted(held: list[socket.socket], enough: int, seconds: float = 5.0) -> int:
    """How many of the held connections the server closed with a 408 (or closed): the ones with something to
    read, waited for together until `enough` are found or `seconds` pass (waited for one by one, each connection
    still held cost half a second: 7.5 s in all)."""
    answered: dict[socket.socket, bytes] = {}
    closed = 0
    deadline = time.monotonic() + seconds
    while closed < enough and (waiting := [s for s in held if s not in answered]) \
            and (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select(waiting, [], [], left)
        for s in readable:
            try:
                answered[s] = s.recv(200)
            except ConnectionError:  # closed by the server
                answered[s] = b""
            closed += answered[s].startswith(b"HTTP/1.1 408") or answered[s] == b""
    return closed


def test_a_fresh_client_gets_in_when_the_cap_is_full_of_half_sent_heads(server: Server) -> None:
    held = [half_sent(server, f"127.0.0.{10 + i % 17}") for i in range(CAP + 5)]
    try:
        answers = []
        with httpx.Client(base_url=server.url, timeout=10,
                          transport=httpx.HTTPTransport(local_address="127.0.0.2")) as fresh:
            for _ in range(10):
                answers.append(fresh.get("/healthz", headers={"Connection": "close"}).status_code)
        assert answers == [200] * 10, answers
        assert evicted(held, 5) >= 5  # at least the 5 over the cap made room for themselves
    finally:
        for s in held:
            s.close()
