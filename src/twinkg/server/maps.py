"""Offline maps: the vendored Natural Earth base map (scripts/vendor_basemap.py) with places and links on it.

Everything is SVG in an equirectangular projection: no tile server, no script, nothing from elsewhere. A
map of a few places zooms to them and is drawn inline in its page, over the base map by reference
(/map/basemap.svg, one cached document); the network map shows the whole world and is a document of its own
(/network.svg), with the base map inside it, since an SVG shown as an image loads nothing.
"""

from __future__ import annotations

import functools
import json
import math
import re
from html import escape
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
    """How the base map is placed into a view of the given extent (one transform; the strokes stay thin)."""
    units = basemap()["units_per_degree"]
    sx, sy = width / ((east - west) * units), height / ((north - south) * units)
    tx, ty = -(180 + west) * units * sx, (north - 90) * units * sy
    return {"transform": f"translate({tx:.2f} {ty:.2f}) scale({sx:.5f} {sy:.5f})",
            "width": basemap()["width"], "height": basemap()["height"], "href": BASEMAP_HREF}


def _base_paths() -> str:
    """Land and borders, styled by presentation attributes (an SVG shown as an image loads no stylesheet)."""
    data = basemap()
    return (f'<path class="land" d="{data["land"]}" fill="#f3efe6" stroke="#8a8f98" stroke-width=".8" '
            f'vector-effect="non-scaling-stroke"/><path class="border" d="{data["borders"]}" fill="none" '
            'stroke="#c4bcac" stroke-width=".6" vector-effect="non-scaling-stroke"/>')


BASEMAP_HREF = "/map/basemap.svg"


def basemap_svg() -> str:
    """The base map as a document of its own, which the pages' maps draw as an <image> under their places: its
    51 KB of coastlines are fetched once and cached, not repeated in every place and twinning page."""
    data = basemap()
    w, h = data["width"], data["height"]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
            f'preserveAspectRatio="none"><title>Natural Earth 1:110m land and borders (public domain)</title>'
            f'{_base_paths()}</svg>\n')


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
    if len(marks) <= MAX_LABELLED:
        place_labels(marks, width, height)
    lines = []
    if center:
        cx, cy = xy(*center[2])
        lines = [{"x1": cx, "y1": cy, "x2": m["x"], "y2": m["y"]} for m in marks[1:]]
    return {"width": width, "height": height, "marks": marks, "lines": lines, "grid_x": grid_x, "grid_y": grid_y,
            "base": _frame(west, east, south, north, width, height), "labels": len(marks) <= MAX_LABELLED,
            "extent": f"{west:.0f}°…{east:.0f}° E, {south:.0f}°…{north:.0f}° N"}


CHAR_WIDTH = 6.4
"""Pixels a character of a map label takes at the maps' 11 px (an estimate: the widest Latin letters are wider)."""
LABEL_HEIGHT = 13.0
LABEL_SPOTS = ((7, 4, "start"), (-7, 4, "end"), (0, -8, "middle"), (0, 16, "middle"))
"""Where a label may go around its dot (dx, dy of its anchor, text-anchor): right, left, above, below."""


def place_labels(marks: list[dict[str, Any]], width: float, height: float) -> None:
    """Give each mark a label spot around its dot, in rank order (the order of `marks`): the first spot that stays
    inside the map and overlaps no label placed before; a mark with no such spot keeps its label hidden (its name
    stays on the dot's tooltip, and the page's script shows it again when a zoom makes room)."""
    placed: list[tuple[float, float, float, float]] = []
    for m in marks:
        w = len(m["label"]) * CHAR_WIDTH
        m.update(dx=LABEL_SPOTS[0][0], dy=LABEL_SPOTS[0][1], anchor="start", shown=False)
        for dx, dy, anchor in LABEL_SPOTS:
            left = m["x"] + dx - (w if anchor == "end" else w / 2 if anchor == "middle" else 0)
            box = (left - 1, m["y"] + dy - LABEL_HEIGHT + 3, left + w + 1, m["y"] + dy + 3)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
            if inside and not any(box[0] < o[2] and o[0] < box[2] and box[1] < o[3] and o[1] < box[3] for o in placed):
                m.update(dx=dx, dy=dy, anchor=anchor, shown=True)
                placed.append(box)
                break


MAX_LABELLED = 300
"""Marks a map labels at most (those that overlap no better-ranked label are shown); more are dots named on hover."""
NETWORK_WIDTH = 960
LINKABLE = ("/", "http://", "https://")
"""The addresses a dot of the network map may link to: never a `javascript:` IRI of the data."""
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Text for an XML document: escaped, and without the characters XML 1.0 forbids (a label holding one
    would make the whole map ill-formed, and an image that is not well-formed shows nothing)."""
    return escape(_NOT_XML.sub("", text))


def _num(value: float) -> str:
    """A coordinate with one decimal and no trailing `.0`: the network map has tens of thousands of them."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def split_at_antimeridian(a: tuple[float, float], b: tuple[float, float]) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """A link as the segments to draw on a map from -180° to 180°: itself, or, when the shorter way round
    crosses the antimeridian (Tokyo–San Francisco), two segments meeting the map's edges at the latitude
    where the straight line crosses ±180°."""
    (lon1, lat1), (lon2, lat2) = a, b
    if abs(lon1 - lon2) <= 180:
        return [(a, b)]
    east = 180.0 if lon1 > 0 else -180.0  # the edge on a's side
    lon2_unwrapped = lon2 + (360 if lon1 > 0 else -360)
    lat = lat1 + (lat2 - lat1) * (east - lon1) / (lon2_unwrapped - lon1)
    return [((lon1, lat1), (east, lat)), ((-east, lat), (lon2, lat2))]


def network_svg(places: list[Place], links: list[tuple[tuple[float, float], tuple[float, float]]],
                width: int = NETWORK_WIDTH, undrawn: int = 0) -> str:
    """Every place with coordinates and every link between two of them on the whole world, as a standalone SVG
    document: the home page refers to it (an <img>), so the page stays small and the map is fetched, cached and
    revalidated on its own. Styled by presentation attributes (an image loads no stylesheet); the links are one
    path; each place is a dot that links to its page and whose name shows on hover when the map is opened by
    itself (the home page's script draws the same dots inline, to zoom and pan). `undrawn` is the
    number of links the caller could not place (a partner without coordinates): the title says it."""
    height = width // 2

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon + 180) / 360 * width, (90 - lat) / 180 * height

    segments = []
    for a, b in links:
        for start, end in split_at_antimeridian(a, b):
            (x1, y1), (x2, y2) = xy(*start), xy(*end)
            segments.append(f"M{_num(x1)} {_num(y1)}L{_num(x2)} {_num(y2)}")
    dots = []
    for label, href, pt in places:
        x, y = xy(*pt)
        dot = f'<circle cx="{_num(x)}" cy="{_num(y)}" r="1.5"><title>{_xml_text(label)}</title></circle>'
        dots.append(f'<a href="{_xml_text(href)}">{dot}</a>' if href.startswith(LINKABLE) else dot)
    base = _frame(-180, 180, -90, 90, width, height)
    return "".join([
        # no fixed size: opened by itself the map fills the window (its viewBox keeps the proportions); the home
        # page's <img> gives its own width and height
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" height="100%">',
        f"<title>Every place with coordinates ({len(places)}) and the links between two of them ({len(links)}, "
        "those across the antimeridian split at ±180°)"
        + (f"; {undrawn} link(s) not drawn: a partner has no coordinates" if undrawn else "") + "</title>",
        "<desc>Equirectangular projection, the world; coastlines and borders from Natural Earth (public domain), "
        "drawn without any tile server.</desc>",
        f'<rect width="{width}" height="{height}" fill="#eef4fb"/>',
        f'<g transform="{base["transform"]}">{_base_paths()}</g>',
        f'<path class="links" d="{"".join(segments)}" fill="none" stroke="#1f5fa8" stroke-width=".5" '
        'stroke-opacity=".2"/>',
        f'<g class="markers" fill="#1f5fa8">{"".join(dots)}</g>',
        "</svg>\n",
    ])
