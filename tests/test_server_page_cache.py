"""Pages and data documents: cached by the dump's digest, with ETag and 304 on If-None-Match."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from support.inprocess import InProcessServer

from twinkg.server.cache import ResponseCache


@pytest.mark.parametrize("path,accept", [("/page/id/place/alpha-town", "text/html"),
                                         ("/data/id/place/alpha-town.ttl", "text/turtle"),
                                         ("/", "text/html"), ("/ontology", "text/html")])
def test_etag_and_304(app_server: InProcessServer, path: str, accept: str) -> None:
    with app_server.client(headers={"Accept-Encoding": "identity"}) as c:  # the plain answers (gzip: below)
        first = c.get(path, headers={"Accept": accept})
        assert first.status_code == 200 and first.headers["etag"].startswith('"')
        again = c.get(path, headers={"Accept": accept})
        assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
        assert again.headers["content-type"] == first.headers["content-type"]
        assert int(again.headers["content-length"]) == len(again.content)
        r = c.get(path, headers={"Accept": accept, "If-None-Match": first.headers["etag"]})
        assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == first.headers["etag"]
        r = c.get(path, headers={"Accept": accept, "If-None-Match": '"other"'})
        assert r.status_code == 200 and r.content == first.content


@pytest.mark.parametrize("path", ["/page/id/place/alpha-town", "/data/id/place/alpha-town.ttl", "/"])
def test_gzip_for_a_client_that_accepts_it(app_server: InProcessServer, path: str) -> None:
    with app_server.client() as c:
        plain = c.get(path, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200 and "content-encoding" not in plain.headers
        assert "Accept-Encoding" in plain.headers["vary"]
        for _ in range(2):  # compressed once, then from the cache
            packed = c.get(path, headers={"Accept-Encoding": "gzip"})  # httpx decodes it
            assert packed.headers["content-encoding"] == "gzip" and packed.content == plain.content
            assert int(packed.headers["content-length"]) < len(plain.content) / 2
            assert "Accept-Encoding" in packed.headers["vary"]
            assert packed.headers["etag"] != plain.headers["etag"]  # another entity: its own tag
        r = c.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["etag"]})
        assert r.status_code == 304 and r.headers["etag"] == packed.headers["etag"]
        for refused in ("gzip;q=0", "br", "gzip;q=0, *", "gzip;q=x", ""):
            r = c.get(path, headers={"Accept-Encoding": refused})
            assert "content-encoding" not in r.headers and r.content == plain.content, refused
        assert c.get(path, headers={"Accept-Encoding": "br, *;q=0.1"}).headers["content-encoding"] == "gzip"


def test_unknown_pages_stay_404(app_server: InProcessServer) -> None:
    with app_server.client() as c:
        for _ in range(2):
            assert c.get("/page/id/place/no-such-place").status_code == 404
            assert c.get("/data/id/place/no-such-place.ttl").status_code == 404
            assert c.get("/id/place/no-such-place", headers={"Accept": "text/turtle"}).status_code == 404


@dataclass
class _Store:
    follows_dump: bool = True


@dataclass
class _Config:
    out_dir: Path
    store: _Store


def test_a_new_dump_empties_the_cache(tmp_path: Path) -> None:
    sums = tmp_path / "SHA256SUMS"
    sums.write_text("a" * 64 + "  twinkg.nq.gz\n")
    cache = ResponseCache(1 << 20)
    config = _Config(tmp_path, _Store())
    digest = cache.digest(config)  # type: ignore[arg-type]
    assert digest == "a" * 64
    cache.put((digest, "/page/x", "", ""), (200, b"old", []))
    assert cache.get((digest, "/page/x", "", "")) is not None
    sums.write_text("b" * 64 + "  twinkg.nq.gz\n")
    new = cache.digest(config)  # type: ignore[arg-type]
    assert new == "b" * 64 and not cache.entries
    assert cache.get((new, "/page/x", "", "")) is None
    assert ResponseCache(1 << 20).digest(_Config(tmp_path, _Store(False))) is None  # type: ignore[arg-type]


def test_the_cache_is_bounded() -> None:
    cache = ResponseCache(10_000)
    for i in range(100):
        cache.put(("d", f"/page/{i}", "", ""), (200, b"x" * 500, []))
    assert cache.size <= 10_000 and len(cache.entries) < 100
    assert cache.get(("d", "/page/99", "", "")) is not None and cache.get(("d", "/page/0", "", "")) is None
