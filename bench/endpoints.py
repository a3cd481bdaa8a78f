"""SPARQL endpoint, page and enrichment measurements: servers started on loopback, loaded with one dump."""

from __future__ import annotations

import atexit
import gzip
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import quote

from bench.client import Request, load, percentile

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BASE = "https://w3id.org/twinkg/"
RDFLIB_SECONDS_PER_MB = 120.0
"""How long rdflib may take to parse each MB of the Turtle dump before its endpoint is given up
(a wide margin: parsing took 5.3 s/MB, the --quick x1 dump of 0.57 MB, at load average 14 on 2 cores)."""
RDFLIB_WAIT = (60.0, 900.0)
"""Least and most seconds to wait for the rdflib peer to come up, whatever the dump's size."""
PREFIX = ("PREFIX tw: <https://w3id.org/twinkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
          "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, deadline: float = 300.0, proc: subprocess.Popen | None = None) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up within {deadline} s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def best_connected(triples_nt_gz: Path) -> str:
    """The place IRI with the most tw:partner links (read from the N-Triples dump)."""
    counts: Counter[str] = Counter()
    needle = b"<https://w3id.org/twinkg/ontology#partner> <"
    with gzip.open(triples_nt_gz, "rb") as f:
        for line in f:
            i = line.find(needle)
            if i >= 0:
                counts[line[i + len(needle):line.index(b">", i + len(needle))].decode()] += 1
    return counts.most_common(1)[0][0]


def query_mix(place: str, places: list[str]) -> dict[str, str]:
    """The example queries from queries/ plus the issue's lookups, GROUP BY, date range, 2-hop and listing."""
    mix = {f"rq:{p.stem}": p.read_text(encoding="utf-8") for p in sorted((REPO / "queries").glob("*.rq"))}
    for i, iri in enumerate(places):
        mix[f"lookup:{i}"] = f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
    mix["group-by-partner"] = PREFIX + ("SELECT ?place (COUNT(?t) AS ?n) WHERE { ?t a tw:Twinning ; tw:partner ?place } "
                                        "GROUP BY ?place ORDER BY DESC(?n) LIMIT 10")
    mix["date-range"] = PREFIX + ('SELECT ?e ?d WHERE { ?e tw:earliest ?d '
                                  'FILTER (?d >= "1960-01-01"^^xsd:date && ?d <= "1969-12-31"^^xsd:date) } '
                                  'ORDER BY ?d ?e LIMIT 100')
    mix["two-hop"] = PREFIX + f"SELECT DISTINCT ?b WHERE {{ <{place}> tw:twinnedWith/tw:twinnedWith ?b }}"
    mix["optional-listing"] = PREFIX + ("SELECT ?t ?label ?start ?end ?status ?comment WHERE { ?t a tw:Twinning ; rdfs:label ?label . "
                                        "OPTIONAL { ?t tw:startDate ?start } OPTIONAL { ?t tw:endDate ?end } "
                                        "OPTIONAL { ?t tw:status ?status } OPTIONAL { ?t rdfs:comment ?comment } } "
                                        "ORDER BY ?label LIMIT 50")
    return mix


def sample_places(place: str, nt_gz: Path, n: int) -> list[str]:
    found = [place]
    needle = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/twinkg/ontology#Place>"
    with gzip.open(nt_gz, "rb") as f:
        for k, line in enumerate(f):
            if needle in line and k % 7 == 0:
                found.append(line[1:line.index(b">")].decode())
            if len(found) >= n:
                break
    return found


def requests_for(mix: dict[str, str], path: str) -> list[Request]:
    return [Request(name, f"{path}?query={quote(q)}") for name, q in mix.items()]


class Servers:
    """Starts each endpoint on loopback over the dumps in `dist`; `stop_all` ends them.

    `stop_all` also runs at exit, so a bench ended by an exception or a signal (bench/run.py
    turns SIGTERM into an exit) leaves no server behind."""

    def __init__(self, dist: Path, data: Path, work: Path, log):
        self.dist, self.data, self.work, self.log = dist, data, work, log
        self.procs: list[subprocess.Popen] = []
        atexit.register(self.stop_all)

    def _spawn(self, args: list[str], name: str, **kw) -> subprocess.Popen:
        err = open(self.work / f"{name}.log", "wb")
        proc = subprocess.Popen(args, stdout=err, stderr=subprocess.STDOUT, **kw)
        self.procs.append(proc)
        return proc

    def oxigraph(self) -> tuple[str, subprocess.Popen]:
        location = self.work / "oxigraph-db"
        if location.exists():
            shutil.rmtree(location)
        nq = self.work / "twinkg.nq"
        with gzip.open(self.dist / "twinkg.nq.gz", "rb") as src, open(nq, "wb") as dst:
            shutil.copyfileobj(src, dst)
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(nq)],
                       check=True, capture_output=True)
        port = free_port()
        proc = self._spawn([str(BIN / "oxigraph"), "serve-read-only", "--location", str(location),
                            "--bind", f"127.0.0.1:{port}", "--union-default-graph"], "oxigraph")
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/query?query=ASK%7B%7D", proc=proc)
        return url + "/query", proc

    def twinkg(self, workers: int = 2) -> tuple[str, subprocess.Popen]:
        now = time.time()
        for p in [self.dist, *self.dist.iterdir()]:  # so `serve` does not think the dumps are stale
            os.utime(p, (now, now))
        port = free_port()
        proc = self._spawn([str(BIN / "twinkg"), "serve", "--port", str(port), "--data", str(self.data),
                            "--out", str(self.dist), "--quiet", "--workers", str(workers), "--timeout", "60"], "twinkg")
        url = f"http://127.0.0.1:{port}"
        wait_for(f"{url}/healthz", deadline=600, proc=proc)
        return url + "/sparql", proc

    def rdflib(self) -> tuple[str, subprocess.Popen]:
        port = free_port()
        proc = self._spawn([sys.executable, "-m", "bench.rdflib_server", str(self.dist / "twinkg.ttl"), str(port)],
                           "rdflib", cwd=REPO)
        url = f"http://127.0.0.1:{port}/sparql"
        wait_for(f"{url}?query=ASK%7B%7D", deadline=rdflib_wait(self.dist / "twinkg.ttl"), proc=proc)
        return url, proc

    def stop_all(self) -> None:
        for proc in self.procs:
            stop(proc)
        self.procs = []


def rdflib_wait(ttl: Path) -> float:
    """Seconds the rdflib peer gets to parse `ttl` and answer (bounded by RDFLIB_WAIT)."""
    least, most = RDFLIB_WAIT
    return min(most, max(least, ttl.stat().st_size / 1e6 * RDFLIB_SECONDS_PER_MB))


def maplib_model(ttl: Path):
    """A maplib model holding the merged Turtle dump (one default graph, as twinkg's union), and its load seconds."""
    import maplib
    model = maplib.Model()
    t0 = time.perf_counter()
    model.read(str(ttl), format="turtle")
    return model, time.perf_counter() - t0


def maplib_inprocess(ttl: Path, mix: dict[str, str], seconds: float) -> dict:
    """maplib's in-process SPARQL over the merged Turtle dump: one client, no HTTP."""
    model, load_s = maplib_model(ttl)
    per: dict[str, dict] = {}
    for name, text in mix.items():
        times: list[float] = []
        error = ""
        rows = None
        end = time.perf_counter() + seconds
        while not times or (time.perf_counter() < end and len(times) < 200):
            t = time.perf_counter()
            try:
                answer = model.query(text)
            except Exception as exc:  # noqa: BLE001 - an unsupported query is a result, not a crash
                error = f"{type(exc).__name__}: {str(exc)[:120]}"
                break
            times.append(time.perf_counter() - t)
            if rows is None:
                try:
                    rows = len(answer)
                except TypeError:
                    rows = None
        per[name] = {"n": len(times), "p50_ms": round(percentile(times, 50) * 1000, 3) if times else None,
                     "p99_ms": round(percentile(times, 99) * 1000, 3) if times else None, "error": error, "rows": rows}
    return {"load_s": round(load_s, 2), "per_request": per}


def rows_vs_oxigraph(location: Path, mix: dict[str, str], maplib_per: dict[str, dict]) -> dict:
    """Row counts of each SELECT in maplib and in Oxigraph over the same data (union default graph)."""
    import pyoxigraph as ox
    store = ox.Store.read_only(str(location))
    out = {}
    for name, text in mix.items():
        try:
            answer = store.query(text, use_default_graph_as_union=True)
            rows = sum(1 for _ in answer) if isinstance(answer, ox.QuerySolutions) else None
        except Exception as exc:  # noqa: BLE001
            rows = f"error: {exc}"[:80]
        mine = maplib_per.get(name, {}).get("rows")
        out[name] = {"oxigraph": rows, "maplib": mine, "same": rows == mine}
    return out


def measure_endpoints(dist: Path, data: Path, work: Path, duration: float, log, servers_wanted: list[str]) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    place = best_connected(dist / "twinkg.nt.gz")
    mix = query_mix(place, sample_places(place, dist / "twinkg.nt.gz", 20))
    out: dict = {"best_connected": place, "queries": list(mix), "servers": {}}
    servers = Servers(dist, data, work, log)
    try:
        for name in [s for s in servers_wanted if s != "maplib"]:
            log(f"endpoint: starting {name}")
            t0 = time.perf_counter()
            try:
                url, _ = getattr(servers, name)()
            except Exception as exc:  # noqa: BLE001 - record and go on with the other peers
                out["servers"][name] = {"error": str(exc)}
                servers.stop_all()
                continue
            entry: dict = {"start_s": round(time.perf_counter() - t0, 2), "url": url}
            reqs = requests_for(mix, "/" + url.split("/", 3)[3])
            base = url.rsplit("/", 1)[0]
            slow = name == "rdflib"
            for clients in (1, 4):
                log(f"endpoint: {name}, {clients} client(s)")
                entry[f"c{clients}"] = load(base, reqs, clients, duration, min_rounds=1 if slow else 3,
                                            max_seconds=duration * (6 if slow else 3), timeout=300)
            if name == "twinkg":
                entry["pages"] = measure_pages(base, place, duration, log)
            out["servers"][name] = entry
            servers.stop_all()
        if "maplib" in servers_wanted:
            log("endpoint: maplib in-process")
            try:
                out["maplib"] = maplib_inprocess(dist / "twinkg.ttl", mix, min(duration / 10, 3.0))
            except Exception as exc:  # noqa: BLE001
                out["maplib"] = {"error": str(exc)}
            location = work / "oxigraph-db"
            if "per_request" in out.get("maplib", {}) and location.is_dir():
                out["maplib"]["rows_vs_oxigraph"] = rows_vs_oxigraph(location, mix, out["maplib"]["per_request"])
    finally:
        servers.stop_all()
    return out


def measure_pages(base: str, place: str, duration: float, log) -> dict:
    slug = place.rsplit("/", 1)[-1]
    reqs = [Request("page", f"/page/id/place/{slug}", "text/html"),
            Request("data-ttl", f"/data/id/place/{slug}.ttl", "text/turtle"),
            Request("id-303", f"/id/place/{slug}", "text/html")]
    result = {}
    for clients in (1, 4):
        log(f"pages: {clients} client(s)")
        result[f"c{clients}"] = load(base, reqs, clients, duration, min_rounds=20, max_seconds=duration * 3)
    return result


def measure_enrichment(crawl: Path, work: Path, log) -> dict:
    """`twinkg enrich` against a Wikidata-shaped `oxigraph serve` built from the crawl, cold then warm cache.

    Requests are counted by the fault-free proxy of tests/support/proxies.py; tests/support/wikidata.py builds the fixture."""
    sys.path.insert(0, str(REPO / "tests"))
    from support.proxies import counting  # the enrichment tests' own proxy and fixture builder
    from support.wikidata import start_wikidata

    work.mkdir(parents=True, exist_ok=True)
    data = work / "data"
    if data.exists():
        shutil.rmtree(data)
    shutil.copytree(crawl, data, ignore=shutil.ignore_patterns("wikidata", "curated-*"))
    places = sum(1 for p in data.glob("places-*.yaml") for line in open(p, encoding="utf-8") if line.startswith("    wikidata: "))
    log("enrich: building the Wikidata-shaped fixture and starting oxigraph")
    fixture_dir = work / "wd"
    if fixture_dir.exists():
        shutil.rmtree(fixture_dir)
    server = start_wikidata(fixture_dir)
    proxy = counting(server.query_url)
    out: dict = {"places_with_qid": places}
    try:
        for run in ("cold", "warm"):
            before = proxy.requests
            t0 = time.perf_counter()
            done = subprocess.run([str(BIN / "twinkg"), "enrich", "--data", str(data), "--endpoint", proxy.endpoint],
                                  capture_output=True, text=True)
            seconds = time.perf_counter() - t0
            sent = proxy.requests - before
            out[run] = {"seconds": round(seconds, 2), "requests": sent, "exit": done.returncode,
                        "requests_per_1000_places": round(sent * 1000 / max(places, 1), 2),
                        "stderr_tail": done.stderr[-400:]}
            log(f"enrich {run}: {sent} requests, {seconds:.1f} s, exit {done.returncode}")
    finally:
        proxy.close()
        server.stop()
    return out
