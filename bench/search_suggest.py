"""Search as you type against the search page, on a running server: the same three-letter queries (never asked
before, so no cached page answers them) through /search.json (the in-memory name index) and /search (SPARQL
CONTAINS over every name), one request at a time, alternating. Prints the medians and p95 in ms.

    .venv/bin/python bench/search_suggest.py http://127.0.0.1:8080 [N]
"""

from __future__ import annotations

import random
import statistics
import string
import sys
import time

import httpx


def timed(client: httpx.Client, path: str, q: str) -> float:
    start = time.perf_counter()
    r = client.get(path, params={"q": q})
    r.raise_for_status()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    base, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 60
    rng = random.Random(int(time.time()))
    queries = ["".join(rng.choice(string.ascii_lowercase) for _ in range(3)) for _ in range(n)]
    times: dict[str, list[float]] = {"/search.json": [], "/search": []}
    with httpx.Client(base_url=base, timeout=60) as client:
        client.get("/search.json", params={"q": "warm"})  # the index is built on the first lookup
        for q in queries:
            for path in times:
                times[path].append(timed(client, path, q))
    for path, ms in times.items():
        ms.sort()
        print(f"{path:14} median {statistics.median(ms):7.1f} ms   p95 {ms[int(len(ms) * 0.95) - 1]:7.1f} ms   (n={n})")


if __name__ == "__main__":
    main()
