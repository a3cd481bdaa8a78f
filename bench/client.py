"""A closed-loop HTTP load client: N worker processes, each with one keep-alive connection.

Each worker sends the request list in its own shuffled order, again and
again, until `duration` has passed and every request was sent at least
`min_rounds` times (or `max_seconds` is up). Processes, not threads, so the
client's own GIL is never the bottleneck; http.client, not requests, so a
request costs the client ~50 µs.
"""

from __future__ import annotations

import http.client
import multiprocessing as mp
import random
import statistics
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    name: str
    path: str
    accept: str = "application/sparql-results+json"


def _worker(base: str, requests: list[Request], duration: float, min_rounds: int, max_seconds: float,
            seed: int, out: mp.Queue[list[tuple[str, float, int]]], timeout: float) -> None:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    rng = random.Random(seed)
    samples: list[tuple[str, float, int]] = []
    start = time.perf_counter()
    rounds = 0
    while True:
        order = requests[:]
        rng.shuffle(order)
        for req in order:
            t0 = time.perf_counter()
            try:
                conn.request("GET", req.path, headers={"Accept": req.accept, "Connection": "keep-alive"})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
                status = 0
            samples.append((req.name, time.perf_counter() - t0, status))
            if time.perf_counter() - start > max_seconds:
                break
        rounds += 1
        elapsed = time.perf_counter() - start
        if elapsed > max_seconds or (elapsed >= duration and rounds >= min_rounds):
            break
    out.put(samples)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarise(samples: list[tuple[str, float, int]], wall: float) -> dict:
    by_name: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    for name, seconds, status in samples:
        by_name.setdefault(name, []).append(seconds)
        if not 200 <= status < 400:
            errors[name] = errors.get(name, 0) + 1
    per = {name: {"n": len(v), "p50_ms": round(percentile(v, 50) * 1000, 3), "p99_ms": round(percentile(v, 99) * 1000, 3),
                  "mean_ms": round(statistics.fmean(v) * 1000, 3), "errors": errors.get(name, 0)}
           for name, v in sorted(by_name.items())}
    all_lat = [s for _, s, _ in samples]
    return {"requests": len(samples), "wall_s": round(wall, 3), "throughput_rps": round(len(samples) / wall, 2) if wall else 0,
            "p50_ms": round(percentile(all_lat, 50) * 1000, 3), "p99_ms": round(percentile(all_lat, 99) * 1000, 3),
            "errors": sum(errors.values()), "per_request": per}


def load(base: str, requests: list[Request], clients: int, duration: float, min_rounds: int = 1,
         max_seconds: float = 120.0, timeout: float = 120.0) -> dict:
    ctx = mp.get_context("fork")
    out: mp.Queue[list[tuple[str, float, int]]] = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(base, requests, duration, min_rounds, max_seconds, 1000 + i, out, timeout))
             for i in range(clients)]
    start = time.perf_counter()
    for p in procs:
        p.start()
    samples: list[tuple[str, float, int]] = []
    for _ in procs:
        samples.extend(out.get())
    wall = time.perf_counter() - start
    for p in procs:
        p.join()
    result = summarise(samples, wall)
    result["clients"] = clients
    return result
