"""The smaller defects of the hostile run: the exact head limit, a huge declared chunk, /places?page=, a
malformed YAML file's cascade of errors, nosniff on every answer."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest
from conftest import MINI, PROJECT_ROOT
from support.processes import Server, mini_server

from twinkg.concepts import load_codes
from twinkg.curated.loader import LoadError, load

pytestmark = pytest.mark.slow

server = mini_server("hostile-small", "--read-timeout", "20", "--quiet")
HEAD_LIMIT = 96 << 10


def exchange(srv: Server, raw: bytes, seconds: float = 10) -> tuple[bytes, float]:
    """Send raw bytes, read until the server closes (or `seconds` pass): the answer and how long it took."""
    host, port = srv.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=seconds) as s:
        start = time.monotonic()
        s.sendall(raw)
        data = b""
        try:
            while chunk := s.recv(65536):
                data += chunk
                if b"\r\n\r\n" in data and b"connection: close" not in data.lower():
                    break
        except TimeoutError:
            pass
        return data, time.monotonic() - start


def head_of(size: int) -> bytes:
    """A GET /healthz whose head (request line, headers, blank line) is exactly `size` bytes, in one packet."""
    start, end = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: ", b"\r\n\r\n"
    return start + b"a" * (size - len(start) - len(end)) + end


def test_a_head_of_exactly_the_limit_is_served_and_one_byte_more_is_431(server: Server) -> None:
    at, _ = exchange(server, head_of(HEAD_LIMIT))
    assert at.startswith(b"HTTP/1.1 200"), at[:100]
    over, _ = exchange(server, head_of(HEAD_LIMIT + 1))
    assert over.startswith(b"HTTP/1.1 431"), over[:100]
    huge, _ = exchange(server, head_of(120_000))
    assert huge.startswith(b"HTTP/1.1 431"), huge[:100]


@pytest.mark.parametrize("size", ["100001", "FFFFFFFFFFFF", "FFFFFFFFFFFFFFFFFFFFFFFFF"])
def test_a_chunk_declared_over_the_body_limit_is_413_at_once(server: Server, size: str) -> None:
    raw = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n" + size.encode() + b"\r\nASK {}")
    answer, took = exchange(server, raw)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert took < 5


def test_chunks_within_the_limit_are_read(server: Server) -> None:
    body = b"ASK {}"
    raw = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/sparql-query\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n3\r\n" + body[:3] + b"\r\n3;x=y\r\n" + body[3:] + b"\r\n0\r\n\r\n")
    answer, _ = exchange(server, raw)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "12345678901234567890123", "%D9%A3", "", "2&page=3"])
def test_places_page_parameter_is_validated_like_place_pages(server: Server, page: str) -> None:
    r = server.get(f"/places?page={page}")
    assert r.status_code == 400, (page, r.status_code)
    assert "page" in r.text


def test_places_first_page_and_past_the_last(server: Server) -> None:
    assert server.get("/places?page=1").status_code == 200
    assert server.get("/places").status_code == 200
    assert server.get("/places?page=9").status_code == 400  # the mini data has one page


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/healthz", "/places", "/no/such/page", "/dumps/",
                                  "/sparql?query=nonsense"])
def test_every_answer_carries_nosniff(server: Server, path: str) -> None:
    r = server.get(path)
    assert r.headers.get("x-content-type-options") == "nosniff", (path, r.status_code, dict(r.headers))


def test_the_http_layers_own_refusals_carry_nosniff(server: Server) -> None:
    answer, _ = exchange(server, head_of(HEAD_LIMIT + 1))
    assert b"x-content-type-options: nosniff" in answer.lower(), answer[:300]


def test_a_malformed_yaml_file_is_reported_first_without_its_cascade(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    places = data / "places.yaml"
    places.write_text(places.read_text().replace("\n", "\n  bad: [unclosed\n", 3), encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load(data, load_codes(PROJECT_ROOT / "ontology"))
    problems = [str(p) for p in info.value.problems]
    assert "malformed YAML" in problems[0] and problems[0].startswith(str(places)), problems
    assert not [p for p in problems if "unknown place" in p], problems  # the cascade
    assert "could not be read" in problems[1] and "place(s)" in problems[1], problems
    assert len(problems) == 2, problems
