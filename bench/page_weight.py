"""Page weight and time to first byte of the heaviest pages, cold and warm (issue 11: pages at world scale).

    .venv/bin/twinkg build --out bench/work/serving-dist        # once: the default data
    .venv/bin/python -m bench.page_weight --dist bench/work/serving-dist [--runs 5] [PATH …]

For each round a fresh `twinkg serve` (so the response cache is empty): every path once (cold: the page is
rendered from the store), then --runs more times (warm: from the response cache). Bytes are the body as sent
(no compression is asked for; with --gzip it is, and the first answer is the plain one compressed while
the client waits), TTFB is from the request to the status line, total to the last byte. With
--browser, headless Chromium then loads each HTML path on a fresh server and on the same one again: the time to
the `load` event (which waits for the images the page refers to), to DOMContentLoaded (the page is shown, its
images may still load), and the bytes of the bodies the browser received for it (a reload takes what it may from
the browser's cache).

Prints a JSON document; bench/RESULTS.md records the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import time
from pathlib import Path
from typing import Any

from bench.serving import serve, stop

DEFAULT_PATHS = ["/", "/page/id/place/saint-petersburg", "/page/id/place/saint-petersburg?page=2",
                 "/network.svg", "/data/id/place/saint-petersburg.ttl"]
CHROMIUM = "/usr/bin/chromium"


def fetch(host: str, path: str, encoding: str = "identity") -> tuple[int, int, float, float]:
    """(status, body bytes as sent, seconds to the status line, seconds to the last byte)."""
    conn = http.client.HTTPConnection(host, timeout=120)
    try:
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "text/html,*/*;q=0.8", "Accept-Encoding": encoding})
        response = conn.getresponse()
        ttfb = time.perf_counter() - t0
        body = response.read()
        return response.status, len(body), ttfb, time.perf_counter() - t0
    finally:
        conn.close()


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def measure(dist: Path, paths: list[str], runs: int, encoding: str) -> list[dict[str, Any]]:
    host, proc = serve(dist)
    try:
        out = []
        for path in paths:
            status, size, ttfb, total = fetch(host, path, encoding)
            warm = [fetch(host, path, encoding) for _ in range(runs)]
            out.append({"path": path, "status": status, "bytes": size, "cold_ttfb_ms": ms(ttfb),
                        "cold_total_ms": ms(total),
                        "warm_ttfb_ms": ms(statistics.median(w[2] for w in warm)),
                        "warm_total_ms": ms(statistics.median(w[3] for w in warm)),
                        "warm_bytes": warm[-1][1] if warm else None})
        return out
    finally:
        stop(proc)


READY = "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
"""When the page's HTML is parsed and shown (its images may still be loading), ms from the navigation's start."""


def browser(dist: Path, paths: list[str]) -> list[dict[str, Any]]:
    """Per path, on a fresh server: a first visit (server and browser cold), a visit from a new browser context
    (server warm, browser cache empty), and that page reloaded (browser cache warm)."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            for path in paths:
                host, proc = serve(dist)
                try:
                    row: dict[str, Any] = {"path": path}
                    for run in ("cold", "warm", "reload"):
                        if run != "reload":
                            page = chromium.new_context().new_page()
                        fetched: list[int] = []
                        page.on("requestfinished", lambda r, into=fetched: into.append(r.sizes()["responseBodySize"]))
                        t0 = time.perf_counter()
                        if run == "reload":
                            page.reload(wait_until="load", timeout=120_000)
                        else:
                            page.goto(f"http://{host}{path}", wait_until="load", timeout=120_000)
                        row[f"{run}_load_ms"] = ms(time.perf_counter() - t0)
                        row[f"{run}_ready_ms"] = round(page.evaluate(READY), 1)
                        row[f"{run}_bytes"] = sum(max(0, n) for n in fetched)
                        row[f"{run}_requests"] = len(fetched)
                        if run != "warm":
                            page.context.close()
                    out.append(row)
                finally:
                    stop(proc)
        finally:
            chromium.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3, help="fresh servers (cold figures are one per round)")
    parser.add_argument("--browser", action="store_true", help="also time the HTML pages' load in Chromium")
    parser.add_argument("--gzip", action="store_true", help="ask for gzip (Accept-Encoding); default: identity")
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    args = parser.parse_args()
    encoding = "gzip" if args.gzip else "identity"
    rounds = [measure(args.dist, args.paths, args.runs, encoding) for _ in range(args.rounds)]
    result: dict[str, Any] = {"rounds": rounds}
    if args.browser:
        result["browser"] = browser(args.dist, [p for p in args.paths if not p.startswith(("/data/", "/network"))])
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
