"""The HTTP layer's limits on a real `twinkg serve`: read deadlines for idle, partial-head and partial-body
connections, a bounded head, 414 for long URLs, and connection limits (in all and per client address)."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from support.processes import Server, mini_server, open_window

from twinkg.store.results import SPOOL_PREFIX

pytestmark = pytest.mark.slow

READ_TIMEOUT = 1.0
PER_CLIENT = 6
server = mini_server("http-limits", "--read-timeout", str(READ_TIMEOUT), "--timeout", "60", "--max-connections-per-client",
                     str(PER_CLIENT), "--quiet")


def connect(srv: Server, source: str = "127.0.0.1") -> socket.socket:
    host, port = srv.url.removeprefix("http://").split(":")
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(20)
    s.connect((host, int(port)))
    return s


def read_all(s: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and how long that took."""
    start, data = time.monotonic(), b""
    while chunk := s.recv(65536):
        data += chunk
    return data, time.monotonic() - start


def healthy(srv: Server) -> bool:
    return srv.get("/healthz", timeout=5).status_code == 200


@pytest.mark.parametrize("sent", [b"", b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
                                  (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                                  b"Content-Length: 100\r\n\r\nASK")])
def test_idle_partial_head_and_partial_body_are_closed(server: Server, sent: bytes) -> None:
    with connect(server) as s:
        s.sendall(sent)
        data, took = read_all(s)
    assert took < READ_TIMEOUT + 5
    assert data.startswith(b"HTTP/1.1 408"), data[:200]
    assert healthy(server)


def test_a_head_sent_a_byte_at_a_time_is_closed_by_its_deadline(server: Server) -> None:
    with connect(server) as s:
        start = time.monotonic()
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Drip: " + b"a" * 1000
        try:
            for byte in head:
                s.sendall(bytes([byte]))
                time.sleep(0.05)
                if time.monotonic() - start > READ_TIMEOUT + 5:
                    break
        except OSError:
            pass
        data, _ = read_all(s)
    assert data.startswith(b"HTTP/1.1 408") and time.monotonic() - start < READ_TIMEOUT + 6


def get_raw(srv: Server, target: str) -> bytes:
    with connect(srv) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return read_all(s)[0]


def test_url_over_64_kib_is_414(server: Server) -> None:
    answer = get_raw(server, "/sparql?query=" + quote("ASK {} #" + "x" * (65 << 10)))
    assert answer.startswith(b"HTTP/1.1 414") and b"URL" in answer, answer[:300]
    just_under = get_raw(server, "/sparql?query=" + quote("ASK {} #" + "x" * (60 << 10)))
    assert just_under.startswith(b"HTTP/1.1 200"), just_under[:300]
    assert healthy(server)


def test_huge_header_is_431_and_not_buffered(server: Server) -> None:
    with connect(server) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        sent = 0
        try:
            while sent < (8 << 20):
                s.sendall(b"a" * 65536)
                sent += 65536
        except OSError:
            pass
        data, _ = read_all(s)
    assert data.startswith(b"HTTP/1.1 431"), data[:100]
    assert sent < (8 << 20)  # the server stopped reading long before 8 MB
    assert healthy(server)


def test_connections_per_client_are_bounded(server: Server) -> None:
    held = [connect(server, "127.0.0.7") for _ in range(PER_CLIENT)]
    try:
        with connect(server, "127.0.0.7") as extra:
            data, _ = read_all(extra)
        assert data.startswith(b"HTTP/1.1 503")
        assert healthy(server)  # another address is served meanwhile
    finally:
        for s in held:
            s.close()
    time.sleep(0.2)
    with connect(server, "127.0.0.7") as again:
        again.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data, _ = read_all(again)
    assert data.startswith(b"HTTP/1.1 200")


def spools_open(srv: Server) -> int:
    """How many answer files (spooled by the store, removed once opened) the web process holds open."""
    held = 0
    for fd in Path(f"/proc/{srv.proc.pid}/fd").iterdir():
        try:
            held += SPOOL_PREFIX in os.readlink(fd)
        except FileNotFoundError:  # closed meanwhile
            pass
    return held


def test_a_client_that_stops_reading_a_streamed_answer_is_let_go(server: Server) -> None:
    wide = ", ".join(["STR(?s), STR(?p), STR(?o)"] * 64)  # about 10 KB a row: more than the sockets buffer
    query = quote(f"SELECT ?x WHERE {{ ?s ?p ?o BIND(CONCAT({wide}) AS ?x) }}")
    with connect(server) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(f"GET /sparql?query={query}&format=tsv HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data:  # the answer has started
            data += s.recv(1024)
        assert spools_open(server) == 1
        # then reads nothing, until the server has let go of the answer's file (its send timeout is 3 s)
        deadline = time.monotonic() + 3 * READ_TIMEOUT + 30
        while spools_open(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert spools_open(server) == 0
        open_window(s)
        rest, _ = read_all(s)  # then reads: what was sent, then the end of the connection
        data += rest
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    assert length > 8 << 20 and len(body) < length
    assert healthy(server)
