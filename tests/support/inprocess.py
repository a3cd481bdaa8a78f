"""The app in the test's own process (Starlette's TestClient): no worker process, no socket.

For tests about route handlers; what only a real process shows (timeouts that kill a worker, the access log,
uvicorn, HTTP limits) stays with `support.processes`."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from pathlib import Path

from starlette.testclient import TestClient

from support.builds import MINI
from twinkg.config import Settings
from twinkg.errors import StoreError
from twinkg.server.app import create_app
from twinkg.server.config import ServerConfig
from twinkg.store import Answer, QueryRequest

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
class FailingStore:
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
