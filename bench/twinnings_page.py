"""/twinnings on a running server: each view asked once (never cached before: its first answer is computed by
the store), alternating with a peer page of the same server, /places?country=CC (one query of a listing,
also uncached), then the same twinnings views again (from the page cache), and the CSV of a few views.
Prints medians and p95 in ms.

    .venv/bin/python bench/twinnings_page.py http://127.0.0.1:8080
"""

from __future__ import annotations

import statistics
import sys
import time

import httpx

COUNTRIES = ["DE", "US", "PL", "FR", "RU", "UA", "IT", "GB", "CN", "JP", "ES", "CZ", "NL", "SE", "HU", "RO"]
VIEWS = ([{}] + [{"status": s} for s in ("active", "suspended", "terminated", "no-longer-listed", "proposed")]
         + [{"kind": k} for k in ("not-stated", "twin-town", "sister-city")]
         + [{"country": c} for c in COUNTRIES]
         + [{"decade": d} for d in ("1940s", "1980s", "unknown")]
         + [{"source": s} for s in ("curated", "wikidata")]
         + [{"status": "active", "country": c} for c in COUNTRIES[:6]]
         + [{"status": "suspended", "decade": "1940s"}, {"country": "DE", "page": "20"}, {"page": "200"}])
CSV_VIEWS = [{"status": "suspended"}, {"country": "DE"}, {}]


def timed(client: httpx.Client, path: str, params: dict[str, str]) -> float:
    start = time.perf_counter()
    r = client.get(path, params=params)
    r.raise_for_status()
    return (time.perf_counter() - start) * 1000


def report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
    print(f"{name:34} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms   (n={len(ms)})")


def main() -> None:
    base = sys.argv[1]
    first: list[float] = []
    peer: list[float] = []
    again: list[float] = []
    with httpx.Client(base_url=base, timeout=120) as client:
        client.get("/twinnings", params={"kind": "partnership"})  # the vocabulary and the workers are warm
        for n, view in enumerate(VIEWS):
            first.append(timed(client, "/twinnings", view))
            peer.append(timed(client, "/places", {"country": COUNTRIES[n % len(COUNTRIES)], "initial": "ABCDEFGHIJKLMNOPRSTUVWZ"[n % 23]}))
        for view in VIEWS:
            again.append(timed(client, "/twinnings", view))
        report("/twinnings, first request", first)
        report("/places?country&initial (peer)", peer)
        report("/twinnings, again (page cache)", again)
        for view in CSV_VIEWS:
            report(f"/twinnings.csv {'&'.join(f'{k}={v}' for k, v in view.items()) or '(every link)'}",
                   [timed(client, "/twinnings.csv", view)])


if __name__ == "__main__":
    main()
