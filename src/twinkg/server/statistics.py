"""/statistics: the network in numbers and charts, from the store (curated and Wikidata alike)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from twinkg.server.charts import columns, rows
from twinkg.server.config import ServerConfig
from twinkg.server.queries import select
from twinkg.server.render import render

TOP = 20
DEGREE_BINS = ((1, 1), (2, 2), (3, 3), (4, 4), (5, 9), (10, 19), (20, 49), (50, 99), (100, 10**9))


def _bin(degree: int) -> str:
    for low, high in DEGREE_BINS:
        if low <= degree <= high:
            return str(low) if low == high else (f"{low}–{high}" if high < 10**9 else f"{low}+")
    return "0"


def _filled(counts: Counter[str], step: int, suffix: str, span: dict[str, Counter[str]] | None = None) -> list[tuple[str, int]]:
    """Counts on a continuous axis (every decade or year from the first to the last), so gaps show as gaps."""
    keys = {k for c in (span or {"": counts}).values() for k in c}
    if not keys:
        return []
    years = [int(k.removesuffix(suffix)) for k in keys]
    return [(f"{y}{suffix}", counts.get(f"{y}{suffix}", 0)) for y in range(min(years), max(years) + 1, step)]


def _year(value: str) -> int:
    return int(value[:4])


async def figures(config: ServerConfig) -> dict[str, Any]:
    """Every number the page shows, each from one query; a date counts only where its bounds place it."""
    links = await select(config, """SELECT ?t ?se ?sl ?date WHERE { ?t a tw:Twinning .
        OPTIONAL { ?t tw:startEarliest ?se } OPTIONAL { ?t tw:startLatest ?sl } OPTIONAL { ?t tw:startDate ?date } }""")
    decades: Counter[str] = Counter()
    spanning = bounded = exact = 0
    for r in links:
        if "se" in r and "sl" in r:
            bounded += 1
            low, high = _year(r["se"]["value"]) // 10, _year(r["sl"]["value"]) // 10
            if low == high:
                decades[f"{low * 10}s"] += 1
            else:
                spanning += 1
        exact += "date" in r
    endings = await select(config, """SELECT ?e ?kind ?lo ?hi WHERE { VALUES ?kind { tw:Suspension tw:Termination }
        ?e a ?kind ; tw:earliest ?lo ; tw:latest ?hi }""")
    per_year: dict[str, Counter[str]] = {"suspended": Counter(), "ended": Counter()}
    for r in endings:
        if _year(r["lo"]["value"]) == _year(r["hi"]["value"]):
            per_year["suspended" if r["kind"]["value"].endswith("Suspension") else "ended"][r["lo"]["value"][:4]] += 1
    pairs = await select(config, """SELECT DISTINCT ?t ?a ?b ?ca ?cb WHERE { ?t a tw:Twinning ; tw:partner ?a, ?b .
        FILTER(STR(?a) < STR(?b)) OPTIONAL { ?a tw:country/skos:notation ?ca } OPTIONAL { ?b tw:country/skos:notation ?cb } }""")
    per_country: Counter[str] = Counter()
    per_pair: Counter[str] = Counter()
    neighbours: dict[str, set[str]] = {}
    counted: set[tuple[str, str]] = set()
    for r in pairs:
        a, b = r["a"]["value"], r["b"]["value"]
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
        for place, country in ((a, r.get("ca")), (b, r.get("cb"))):
            if country and (r["t"]["value"], country["value"]) not in counted:
                counted.add((r["t"]["value"], country["value"]))
                per_country[country["value"]] += 1
        if "ca" in r and "cb" in r:
            per_pair["–".join(sorted((r["ca"]["value"], r["cb"]["value"])))] += 1
    degrees = Counter(_bin(len(n)) for n in neighbours.values())
    order = [_bin(low) for low, _ in DEGREE_BINS]
    total = len(links)
    return {
        "total": total, "bounded": bounded, "exact": exact, "spanning": spanning,
        "decades": _filled(decades, 10, "s"), "per_year": {k: _filled(v, 1, "", span=per_year) for k, v in per_year.items()},
        "countries": per_country.most_common(TOP), "pairs": per_pair.most_common(TOP),
        "degrees": [(label, degrees[label]) for label in order if degrees[label]],
        "places": len(neighbours),
    }


async def statistics_page(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    f = await figures(config)
    charts = [
        columns("decades", "Links established per decade (links whose start bounds fall in one decade)",
                {"established": f["decades"]}),
        columns("endings", "Suspensions and terminations per year (events dated within one year)",
                {"suspended": f["per_year"]["suspended"], "ended": f["per_year"]["ended"]}),
        rows("countries", f"Links per country (top {TOP}; a link counts once per country it joins)", f["countries"]),
        rows("pairs", f"Links per country pair (top {TOP})", f["pairs"]),
        rows("degrees", "Degree distribution: places by number of distinct partners", f["degrees"]),
        rows("dates", "Links with dates", [("with start bounds", f["bounded"]), ("with an exact start date", f["exact"]),
                                           ("without any start bound", f["total"] - f["bounded"])]),
    ]
    return render(request, "statistics.html", {"title": "Statistics", "figures": f, "charts": charts})
