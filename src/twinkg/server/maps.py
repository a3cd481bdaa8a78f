"""Offline maps: the vendored Natural Earth base map (scripts/vendor_basemap.py) with places and links on it.

Everything is inline SVG in an equirectangular projection: no tile server, no script, nothing
fetched. A map of a few places zooms to them; the network map shows the whole world.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path
from typing import Any

BASEMAP = Path(__file__).parent / "basemap.json"
Place = tuple[str, str, tuple[float, float]]
"""(label, href, (lon, lat))."""


@functools.lru_cache(maxsize=1)
def basemap() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(BASEMAP.read_text())
    return data


def point(wkt: str) -> tuple[float, float] | None:
    """(lon, lat) of a WKT point (GeoSPARQL, or Wikidata's `Point(lon lat)`), if it is one on Earth."""
    m = re.match(r"\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[\d.]+(?:[eE]-?\d+)?)\s+(-?[\d.]+(?:[eE]-?\d+)?)\s*\)", wkt, re.I)
    if not m:
        return None
    lon, lat = float(m.group(1)), float(m.group(2))
    return (lon, lat) if -180 <= lon <= 180 and -90 <= lat <= 90 else None


def _frame(west: float, east: float, south: float, north: float, width: int, height: int) -> dict[str, Any]:
    """The base map's paths placed into a view of the given extent (one transform, strokes kept thin)."""
    units = basemap()["units_per_degree"]
    sx, sy = width / ((east - west) * units), height / ((north - south) * units)
    tx, ty = -(180 + west) * units * sx, (north - 90) * units * sy
    return {"transform": f"translate({tx:.2f} {ty:.2f}) scale({sx:.5f} {sy:.5f})",
            "land": basemap()["land"], "borders": basemap()["borders"]}


def svg_map(center: Place | None, others: list[Place]) -> dict[str, Any] | None:
    """A place and its partners (or a twinning's partners) on the base map, zoomed to them, lines from the centre."""
    places = ([center] if center else []) + others
    if not places:
        return None
    lons = [p[2][0] for p in places]
    lats = [p[2][1] for p in places]
    pad = 4.0
    west, east = max(-180.0, min(lons) - pad), min(180.0, max(lons) + pad)
    south, north = max(-90.0, min(lats) - pad), min(90.0, max(lats) + pad)
    if east - west < 20:
        mid = (east + west) / 2
        west, east = mid - 10, mid + 10
    if north - south < 10:
        mid = (north + south) / 2
        south, north = mid - 5, mid + 5
    width = 640
    height = max(200, min(420, int(width * (north - south) / (east - west) / max(0.3, math.cos(math.radians((north + south) / 2))))))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (round((lon - west) / (east - west) * width, 1), round((north - lat) / (north - south) * height, 1))

    step = 30 if east - west > 90 else 10 if east - west > 30 else 5
    grid_x = [xy(lon, north)[0] for lon in range(int(math.ceil(west / step) * step), int(east) + 1, step)]
    grid_y = [xy(west, lat)[1] for lat in range(int(math.ceil(south / step) * step), int(north) + 1, step)]
    marks = [{"label": label, "href": href, "x": xy(*pt)[0], "y": xy(*pt)[1], "center": center is not None and i == 0}
             for i, (label, href, pt) in enumerate(places)]
    lines = []
    if center:
        cx, cy = xy(*center[2])
        lines = [{"x1": cx, "y1": cy, "x2": m["x"], "y2": m["y"]} for m in marks[1:]]
    return {"width": width, "height": height, "marks": marks, "lines": lines, "grid_x": grid_x, "grid_y": grid_y,
            "base": _frame(west, east, south, north, width, height), "labels": len(marks) <= 40,
            "extent": f"{west:.0f}°…{east:.0f}° E, {south:.0f}°…{north:.0f}° N"}


def network_map(places: list[Place], links: list[tuple[tuple[float, float], tuple[float, float]]],
                width: int = 960) -> dict[str, Any]:
    """Every place with coordinates and every link between two of them, on the whole world."""
    height = width // 2

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (round((lon + 180) / 360 * width, 1), round((90 - lat) / 180 * height, 1))

    marks = [{"label": label, "href": href, "x": xy(*pt)[0], "y": xy(*pt)[1]} for label, href, pt in places]
    lines = []
    for a, b in links:
        (x1, y1), (x2, y2) = xy(*a), xy(*b)
        if abs(x1 - x2) <= width / 2:  # a link across the antimeridian would cross the whole map: left out of the drawing
            lines.append({"x1": x1, "y1": y1, "x2": x2, "y2": y2})
    return {"width": width, "height": height, "marks": marks, "lines": lines, "grid_x": [], "grid_y": [],
            "base": _frame(-180, 180, -90, 90, width, height), "labels": False,
            "extent": "the world"}
