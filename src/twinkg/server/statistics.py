"""/statistics: the network in numbers and charts, from the store (curated and Wikidata alike)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from twinkg.lifecycle import ENDS, SUSPENDS, role_of
from twinkg.server import exported
from twinkg.server.charts import columns, rows
from twinkg.server.config import ServerConfig
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


def figures(links: exported.Rows, events: exported.Rows, places: exported.Rows) -> dict[str, Any]:
    """Every number the page shows, from the export tables; a date counts only where its bounds place it."""
    decades: Counter[str] = Counter()
    per_year: dict[str, Counter[str]] = {"suspended": Counter(), "ended": Counter()}
    per_country: Counter[str] = Counter()
    per_pair: Counter[str] = Counter()
    first: dict[str, dict[str, str]] = {}
    countries: dict[str, set[str]] = {}
    for row in links:
        first.setdefault(row["twinning_id"], row)
        countries.setdefault(row["twinning_id"], set()).update(c for c in (row["place_a_country"], row["place_b_country"]) if c)
        if row["place_a_country"] and row["place_b_country"]:
            per_pair["–".join(sorted((row["place_a_country"], row["place_b_country"])))] += 1
    both = one = spanning = 0
    for row in first.values():
        lo, hi = row["start_earliest"], row["start_latest"]
        if lo and hi:
            both += 1
            if lo[:3] == hi[:3]:
                decades[f"{lo[:3]}0s"] += 1
            else:
                spanning += 1
        elif lo or hi:
            one += 1
    for linked in countries.values():
        per_country.update(linked)
    for row in events:
        role = role_of(row["type"])
        if role in (SUSPENDS, ENDS) and row["earliest"] and row["earliest"][:4] == row["latest"][:4]:
            per_year["suspended" if role == SUSPENDS else "ended"][row["earliest"][:4]] += 1
    statuses = Counter(row["status"] for row in first.values())
    degrees = Counter(_bin(int(row["degree"])) for row in places)
    order = [_bin(low) for low, _ in DEGREE_BINS]
    return {
        "total": len(first), "bounded": both, "one_sided": one, "spanning": spanning, "places": len(places),
        "decades": _filled(decades, 10, "s"), "per_year": {k: _filled(v, 1, "", span=per_year) for k, v in per_year.items()},
        "countries": per_country.most_common(TOP), "pairs": per_pair.most_common(TOP),
        "degrees": [(label, degrees[label]) for label in order if degrees[label]],
        "statuses": statuses.most_common(),
    }


async def statistics_page(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    twinnings, events, places = (exported.read(config.out_dir, name)
                                 for name in ("twinnings.csv", "events.csv", "places.csv"))
    if twinnings is None or events is None or places is None:
        return render(request, "statistics.html", {"title": "Statistics", "figures": None, "charts": []})
    f = figures(twinnings, events, places)
    charts = [
        columns("decades", "Links established per decade (links whose start bounds fall in one decade)",
                {"established": f["decades"]}),
        columns("endings", "Links suspended and ended per year (events dated within one year)",
                {"suspended": f["per_year"]["suspended"], "ended": f["per_year"]["ended"]}),
        rows("countries", f"Links per country (top {TOP}; a link counts once per country it joins)", f["countries"]),
        rows("pairs", f"Links per country pair (top {TOP}; a three-way link counts each pair)", f["pairs"]),
        rows("degrees", "Degree distribution: places by number of distinct partners", f["degrees"]),
        rows("statuses", "Links by status as of the build, from dated evidence only (no-longer-listed: a later "
             "Wikidata source covering both partners stopped listing it; unknown: nothing dated evidences its state)",
             f["statuses"]),
        rows("dates", "Links with dates", [("both start bounds", f["bounded"]), ("one start bound only", f["one_sided"]),
                                           ("no start bound", f["total"] - f["bounded"] - f["one_sided"])]),
    ]
    return render(request, "statistics.html", {"title": "Statistics", "figures": f, "charts": charts})
