"""/statistics: the network in numbers and charts, from the store (curated and Wikidata alike)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from twinkg.lifecycle import ENDS, SUSPENDS, EventTypes
from twinkg.server import exported
from twinkg.server.charts import columns, rows
from twinkg.server.config import ServerConfig
from twinkg.server.queries import select, served_event_types
from twinkg.server.render import render
from twinkg.server.views.model import iri

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


def figures(links: exported.Rows, events: exported.Rows, places: exported.Rows, types: EventTypes) -> dict[str, Any]:
    """Every number the page shows, from the export tables and the build's event types; a date counts only where
    its bounds place it."""
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
    endings = 0
    for row in events:
        role = types.role_of(row["type"])
        endings += role in (SUSPENDS, ENDS)
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
        "endings": endings, "dated_endings": sum(sum(c.values()) for c in per_year.values()),
    }


async def country_names(config: ServerConfig) -> dict[str, str]:
    """Country code -> English name, from the country scheme in the store (a code without a name stays a code)."""
    found = await select(config, f"""SELECT ?code ?name WHERE {{ ?c skos:inScheme {iri(config.iris.scheme("country"))} ;
        skos:notation ?code ; skos:prefLabel ?name FILTER(LANG(?name) IN ("en", "")) }}""")
    return {r.text("code"): r.text("name") for r in found}


def named(bars: list[tuple[str, int]], names: dict[str, str], joiner: str = "") -> list[tuple[str, int]]:
    """Bars labelled by country codes (or pairs of them, joined by `joiner`) relabelled with the countries' names."""
    return [(joiner.join(names.get(c, c) for c in (label.split(joiner) if joiner else [label])), n) for label, n in bars]


def decade_note(f: dict[str, Any]) -> str:
    """On what share of the links the per-decade chart rests, in words."""
    counted = f["bounded"] - f["spanning"]
    return (f"Based on {counted:,} of {f['total']:,} links: those whose start bounds fall within one decade. "
            f"{f['spanning']:,} more have both bounds but wider than a decade, {f['one_sided']:,} only one bound, "
            f"{f['total'] - f['bounded'] - f['one_sided']:,} none; they are not counted here.")


async def statistics_page(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    twinnings, events, places = (exported.read(config.out_dir, name)
                                 for name in ("twinnings.csv", "events.csv", "places.csv"))
    if twinnings is None or events is None or places is None:
        return render(request, "statistics.html", {"title": "Statistics", "figures": None, "charts": []})
    f = figures(twinnings, events, places, await served_event_types(request))
    names = await country_names(config)
    charts = [
        columns("decades", "Links established per decade", {"established": f["decades"]}, "decade of the link's start",
                "links", note=decade_note(f)),
        columns("endings", "Links suspended and ended per year",
                {"suspended": f["per_year"]["suspended"], "ended": f["per_year"]["ended"]}, "year", "events",
                note=f"Based on the {f['dated_endings']:,} of {f['endings']:,} suspensions and terminations whose date "
                     "falls within one year."),
        rows("countries", f"Links per country (top {TOP})", named(f["countries"], names), "country", "links",
             note="A link counts once for each country it joins."),
        rows("pairs", f"Links per pair of countries (top {TOP})", named(f["pairs"], names, "–"), "countries", "links",
             note="A three-way link counts once for each pair of its partners' countries."),
        rows("degrees", "Degree distribution", f["degrees"], "partners", "places",
             note="Places by their number of distinct partners."),
        rows("statuses", "Links by status as of the build", f["statuses"], "status", "links",
             note="From dated evidence only. No-longer-listed: a later Wikidata source covering both partners stopped "
                  "listing it; unknown: nothing dated evidences its state."),
        rows("dates", "Links with dates", [("both start bounds", f["bounded"]), ("one start bound only", f["one_sided"]),
                                           ("no start bound", f["total"] - f["bounded"] - f["one_sided"])],
             "start of the link", "links"),
    ]
    return render(request, "statistics.html", {"title": "Statistics", "figures": f, "charts": charts})
