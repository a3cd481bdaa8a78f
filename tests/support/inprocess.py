"""The app in the test's own process (Starlette's TestClient): no worker process, no socket.

For tests about route handlers; what only a real process shows (timeouts that kill a worker, the access log,
uvicorn, HTTP limits) stays with `support.processes`."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx2
from starlette.testclient import TestClient

from support.builds import MINI
from twinkg.config import Settings
from twinkg.errors import StoreError
from twinkg.server.app import create_app
from twinkg.server.config import ServerConfig
from twinkg.store import Answer, QueryRequest, Store

ALPHA = "https://w3id.org/twinkg/id/place/alpha-town"


class Page(HTMLParser):
    """The parts of an HTML page the tests look at: the title, links, text, and whether tags nest right."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
            "path", "circle", "line", "rect", "text", "polyline"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.title = ""
        self.links: list[str] = []
        self.text: list[str] = []
        self.open: list[str] = []
        self.misnested: list[str] = []
        self._in_title = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links += [v for k, v in attrs if k == "href" and v]
        self._in_title = tag == "title"
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links += [v for k, v in attrs if k == "href" and v]

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False
        if tag in self.VOID:
            return
        if tag in self.open:
            while self.open and self.open.pop() != tag:
                pass
        else:
            self.misnested.append(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if data.strip():
            self.text.append(data.strip())


def app_settings(out_dir: Path | None = None) -> Settings:
    """Settings of an app over the mini fixture's build (rows capped at 3, to see the cap)."""
    return dataclasses.replace(Settings(), data_dir=MINI, out_dir=out_dir or Path("/nonexistent"), max_rows=3)


@dataclasses.dataclass
class FailingStore(Store):
    """A store that fails every query with the given error."""

    error: StoreError
    description: str = "failing"
    follows_dump: bool = False

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    async def graph_names(self) -> frozenset[str]:
        raise self.error

    async def run(self, req: QueryRequest) -> Answer:
        raise self.error


def failing_client(error: StoreError) -> TestClient:
    config = ServerConfig(store=FailingStore(error), settings=app_settings(), out_dir=None)
    return TestClient(create_app(config), follow_redirects=False)


def mini_app_client(out_dir: Path, store: object) -> TestClient:
    """The app over `store` and the mini build's output folder (enter it: `with ... as client`)."""
    config = ServerConfig(store=store, settings=app_settings(out_dir), out_dir=out_dir)  # type: ignore[arg-type]
    return TestClient(create_app(config), follow_redirects=False)


class Session:
    """What a test uses of an httpx.Client (requests, default headers, `with`), over the app's one TestClient:
    the app and its store live on that client's event loop, so every request goes through it."""

    def __init__(self, shared: TestClient, headers: dict[str, str] | None = None) -> None:
        self.shared = shared
        self.headers = headers or {}

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def close(self) -> None:
        pass

    def request(self, method: str, url: str, **kw: Any) -> httpx2.Response:
        kw.pop("timeout", None)  # TestClient has no timeouts: the app runs in this process
        headers = {**self.headers, **(kw.pop("headers", None) or {})}
        return self.shared.request(method, url, headers=headers, **kw)

    def get(self, url: str, **kw: Any) -> httpx2.Response:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx2.Response:
        return self.request("POST", url, **kw)

    def head(self, url: str, **kw: Any) -> httpx2.Response:
        return self.request("HEAD", url, **kw)

    def options(self, url: str, **kw: Any) -> httpx2.Response:
        return self.request("OPTIONS", url, **kw)


@dataclasses.dataclass
class InProcessServer:
    """`twinkg serve`'s app and store in the test's own process, reached through Starlette's TestClient (no
    socket): the same request methods as `support.processes.Server`, for tests about handlers."""

    shared: TestClient
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)
    url = "http://testserver"

    def client(self, headers: dict[str, str] | None = None, **_: Any) -> Session:
        return Session(self.shared, headers)

    def request(self, method: str, path: str, **kw: Any) -> httpx2.Response:
        return self.client().request(method, path, **kw)

    def get(self, path: str, **kw: Any) -> httpx2.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx2.Response:
        return self.request("POST", path, **kw)


@contextlib.contextmanager
def serve_app(settings: Settings) -> Iterator[InProcessServer]:
    """The app `twinkg serve` runs, in this process, over the store it would use: the real embedded store of the
    build in settings.out_dir (its query workers are processes, started once), or the remote store
    settings.sparql_endpoint names."""
    from twinkg.server import make_config

    config = make_config(settings, lambda _: None)
    with TestClient(create_app(config), follow_redirects=False) as shared:
        yield InProcessServer(shared, {"store": "remote" if settings.sparql_endpoint else "embedded",
                                       "out_dir": settings.out_dir})
