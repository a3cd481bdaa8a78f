"""Serving under hostile load (issue 10): fairness, event-loop stalls, and memory with slow readers.

    .venv/bin/twinkg build --out bench/work/serving-dist        # once: the default data
    .venv/bin/python bench/serving.py --dist bench/work/serving-dist [--seconds 20]

Against `twinkg serve` with its defaults (2 + 2 workers, 5 s timeout):

- fairness: one client sends lookups (each a different place's statements)
  one after another while 0, 4 and 8 other clients, each from its own loopback
  address, send heavy queries in a loop, every one with a random comment (so
  no two texts are the same); lookup p50/p95/max and the heavy queries' fate;
- rotation: the same with 8 heavy clients sending each request from the next
  of 49 addresses; search: 8 addresses asking /search?q=<3 random letters>;
- stalls: /healthz latency while one client POSTs a 48 KB and a 1 MiB
  `a.a.a…` query (the text check runs on the event loop);
- memory: the web process's peak RSS (VmHWM) while 20 clients, each from its
  own address, ask for an answer at the byte cap and read nothing.

Prints a JSON document; bench/RESULTS.md records the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?t tw:partner ?a . ?a ?p ?o } # "
PLACES = "SELECT ?p WHERE { ?p a tw:Place } LIMIT 500"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(dist: Path, *args: str) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    proc = subprocess.Popen([str(BIN / "twinkg"), "serve", "--port", str(port), "--out", str(dist), "--quiet",
                             *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            status, _, _ = get(f"127.0.0.1:{port}", "/healthz", timeout=2)
            if status == 200:
                return f"127.0.0.1:{port}", proc
        except (OSError, http.client.HTTPException):  # not up yet (a connection may even meet itself)
            time.sleep(0.3)
    raise SystemExit("twinkg serve did not come up")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def get(host: str, path: str, source: str = "127.0.0.1", timeout: float = 60,
        conn: http.client.HTTPConnection | None = None) -> tuple[int, float, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection(host, timeout=timeout, source_address=(source, 0))
    t0 = time.perf_counter()
    try:
        conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        body = response.read()
        return response.status, time.perf_counter() - t0, body
    finally:
        if own:
            conn.close()


def sparql_path(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def heavy_path() -> str:
    return sparql_path(HEAVY + str(random.random()))


def search_path() -> str:
    """A search for 3 random letters (issue 24: about 300 ms of store work each before the name index)."""
    return "/search?q=" + "".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(3))


def fairness(host: str, heavy_clients: int, seconds: float, places: list[str], rotate: int = 0,
             flood: str = "heavy") -> dict[str, object]:
    """Lookups from 127.0.0.2 while `heavy_clients` others send heavy queries (or searches, `flood="search"`) in a
    loop, each from its own address, or with `rotate`, each request from the next of `rotate` addresses."""
    stop_flag = threading.Event()
    heavy: list[tuple[int, float]] = []
    ask = search_path if flood == "search" else heavy_path

    def heavy_client(n: int) -> None:
        k = 0

        def address() -> str:
            return f"127.0.0.{10 + (n + k * heavy_clients) % rotate}" if rotate else f"127.0.0.{10 + n}"

        conn = http.client.HTTPConnection(host, timeout=60, source_address=(address(), 0))
        while not stop_flag.is_set():
            try:
                status, took, _ = get(host, ask(), conn=conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, timeout=60, source_address=(address(), 0))
                status, took = 0, 0.0
            heavy.append((status, took))
            if rotate:  # the next request from the next address
                k += 1
                conn.close()
                conn = http.client.HTTPConnection(host, timeout=60, source_address=(address(), 0))
        conn.close()

    threads = [threading.Thread(target=heavy_client, args=(i,)) for i in range(heavy_clients)]
    for t in threads:
        t.start()
    time.sleep(3 if heavy_clients else 0)
    lookups: list[float] = []
    statuses: dict[int, int] = {}
    conn = http.client.HTTPConnection(host, timeout=60, source_address=("127.0.0.2", 0))
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        place = places[i % len(places)]
        i += 1
        status, took, _ = get(host, sparql_path(f"SELECT ?p ?o WHERE {{ <{place}> ?p ?o }}"), conn=conn)
        lookups.append(took * 1000)
        statuses[status] = statuses.get(status, 0) + 1
    conn.close()
    stop_flag.set()
    for t in threads:
        t.join()
    heavy_statuses: dict[int, int] = {}
    for status, _ in heavy:
        heavy_statuses[status] = heavy_statuses.get(status, 0) + 1
    return {"heavy_clients": heavy_clients, "flood": flood, "rotating_over": rotate, "lookups": len(lookups),
            "lookup_statuses": statuses,
            "lookup_p50_ms": round(statistics.median(lookups), 1), "lookup_p95_ms": round(pct(lookups, 95), 1),
            "lookup_max_ms": round(max(lookups), 1), "heavy_done": len(heavy), "heavy_statuses": heavy_statuses,
            "heavy_p50_ms": round(statistics.median([t for s, t in heavy if s == 200]) * 1000)
            if any(s == 200 for s, _ in heavy) else None}


def stall(host: str, size: int, cap: float) -> dict[str, object]:
    """/healthz latency while a POST of `size` bytes of `a.a.a…` is being answered."""
    body = ("a." * (size // 2)).encode()
    result: dict[str, object] = {}

    def post() -> None:
        conn = http.client.HTTPConnection(host, timeout=cap, source_address=("127.0.0.3", 0))
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/sparql", body=body, headers={"Content-Type": "application/sparql-query"})
            response = conn.getresponse()
            response.read()
            result["post_status"] = response.status
        except (OSError, http.client.HTTPException) as exc:
            result["post_status"] = f"no answer within {cap:g} s ({type(exc).__name__})"
        result["post_s"] = round(time.perf_counter() - t0, 2)

    thread = threading.Thread(target=post)
    thread.start()
    health: list[float] = []
    while thread.is_alive():
        try:
            _, took, _ = get(host, "/healthz", timeout=cap)
            health.append(took * 1000)
        except OSError:
            health.append(cap * 1000)
        time.sleep(0.05)
    thread.join()
    return {"bytes": size, **result, "healthz_samples": len(health),
            "healthz_p50_ms": round(statistics.median(health), 1), "healthz_max_ms": round(max(health), 1)}


def status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(c) for c in (task / "children").read_text().split()]
    return out


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def slow_readers(host: str, pid: int, readers: int, query: str) -> dict[str, object]:
    """Peak RSS of the web process while `readers` clients ask for a large answer and read nothing."""
    h, port = host.split(":")
    status, _, sample = get(host, sparql_path(query) + "&format=tsv")
    baseline = status_kib(pid, "VmRSS")
    body = ("query=" + quote(query)).encode()
    sockets = []
    for i in range(readers):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind((f"127.0.1.{i + 1}", 0))
        s.connect((h, int(port)))
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: text/tab-separated-values\r\n"
                  b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s"
                  % (len(body), body))
        sockets.append(s)
    last = -1
    for _ in range(600):  # until the workers have been idle for a second: every answer is out
        now = sum(cpu_ticks(c) for c in children(pid))
        if now == last:
            break
        last = now
        time.sleep(1)
    figures = {"readers": readers, "answer_bytes": len(sample), "answer_status": status,
               "web_rss_before_mib": round(baseline / 1024, 1),
               "web_rss_with_readers_mib": round(status_kib(pid, "VmRSS") / 1024, 1),
               "web_peak_rss_mib": round(status_kib(pid, "VmHWM") / 1024, 1),
               "answers_total_mib": round(readers * len(sample) / 2**20, 1)}
    for s in sockets:
        s.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", type=Path, default=REPO / "bench" / "work" / "serving-dist")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--parts", default="fairness,rotation,search,stall,memory",
                        help="which parts to run (comma-separated)")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    results: dict[str, object] = {"cores": os.cpu_count(), "load_before": os.getloadavg()}
    host, proc = serve(args.dist)
    try:
        _, _, body = get(host, sparql_path(PLACES))
        places = [b["p"]["value"] for b in json.loads(body)["results"]["bindings"]]
        status, took, _ = get(host, sparql_path(HEAVY + "calibration"))
        results["heavy_query"] = {"text": HEAVY + "<random>", "alone_ms": round(took * 1000), "status": status}
        if "fairness" in parts:
            results["fairness"] = [fairness(host, n, args.seconds, places) for n in (0, 4, 8)]
        if "rotation" in parts:  # heavy clients rotating over 49 addresses (issue 24)
            results["rotation"] = fairness(host, 8, args.seconds, places, rotate=49)
        if "search" in parts:  # a search flood from 8 addresses (issue 24)
            results["search_flood"] = fairness(host, 8, args.seconds, places, flood="search")
        if "stall" in parts:
            results["stall"] = [stall(host, size, 120) for size in (48 << 10, 1 << 20)]
    finally:
        stop(proc)
    if "memory" in parts:
        host, proc = serve(args.dist, "--max-rows", "2000000", "--timeout", "120")
        try:
            results["slow_readers"] = slow_readers(host, proc.pid, 20, "SELECT * WHERE { ?s ?p ?o }")
        finally:
            stop(proc)
    results["load_after"] = os.getloadavg()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
