"""Vendor the offline base map: Natural Earth 1:110m countries from the npm package world-atlas,
converted once, here, into compact projected SVG paths, so that no page ever needs a tile server.

    python scripts/vendor_basemap.py [--tarball world-atlas-2.0.2.tgz]

Without --tarball it runs `npm pack world-atlas@VERSION` in a temporary folder. Writes
src/twinkg/server/basemap.json (land and border paths in an equirectangular world of
WIDTH x HEIGHT units: x = (lon + 180) * 10, y = (90 - lat) * 10) and
src/twinkg/server/static/basemap.svg (the same, standalone), with the licence notes.
Natural Earth is in the public domain; world-atlas (the TopoJSON packaging) is ISC-licensed.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

VERSION = "2.0.2"
UNITS_PER_DEGREE = 10
WIDTH, HEIGHT = 360 * UNITS_PER_DEGREE, 180 * UNITS_PER_DEGREE
ROOT = Path(__file__).resolve().parents[1]
OUT_JSON = ROOT / "src" / "twinkg" / "server" / "basemap.json"
OUT_SVG = ROOT / "src" / "twinkg" / "server" / "static" / "basemap.svg"


def fetch(tarball: Path | None) -> tuple[dict, str]:
    """The countries-110m topology and the package's licence text."""
    if tarball is None:
        folder = Path(tempfile.mkdtemp())
        subprocess.run(["npm", "pack", f"world-atlas@{VERSION}"], cwd=folder, check=True, capture_output=True)
        tarball = folder / f"world-atlas-{VERSION}.tgz"
    with tarfile.open(tarball) as tar:
        def read(name: str) -> bytes:
            member = tar.extractfile(f"package/{name}")
            assert member is not None, name
            return member.read()
        return json.loads(read("countries-110m.json")), read("LICENSE").decode()


def decode_arcs(topology: dict) -> list[list[tuple[int, int]]]:
    """Arcs in projected integer units: delta-decoded, de-quantized, then x = (lon+180)*k, y = (90-lat)*k."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            lon, lat = x * sx + tx, y * sy + ty
            points.append((round((lon + 180) * UNITS_PER_DEGREE), round((90 - lat) * UNITS_PER_DEGREE)))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    points: list[tuple[int, int]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def unwrap(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A ring that crosses the antimeridian jumps from one edge to the other: keep it continuous instead
    (it then runs past an edge, where the viewport clips it)."""
    out, offset = [], 0
    for k, (x, y) in enumerate(points):
        if k and x - points[k - 1][0] > WIDTH / 2:
            offset -= WIDTH
        elif k and x - points[k - 1][0] < -WIDTH / 2:
            offset += WIDTH
        out.append((x + offset, y))
    return out


def wrapped_rings(points: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """The unwrapped ring, plus a copy shifted by the map's width for the part past an edge."""
    ring_ = unwrap(points)
    xs = [x for x, _ in ring_]
    copies = [ring_]
    if min(xs) < 0:
        copies.append([(x + WIDTH, y) for x, y in ring_])
    if max(xs) > WIDTH:
        copies.append([(x - WIDTH, y) for x, y in ring_])
    return copies


def split_at_jumps(points: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """A border line that crosses the antimeridian, as two lines."""
    parts: list[list[tuple[int, int]]] = [[]]
    for k, point in enumerate(points):
        if k and abs(point[0] - points[k - 1][0]) > WIDTH / 2:
            parts.append([])
        parts[-1].append(point)
    return parts


def path(lines: list[list[tuple[int, int]]], close: bool) -> str:
    """SVG path data with relative moves (small integers), repeated points dropped."""
    out = []
    for points in lines:
        dedup = [p for k, p in enumerate(points) if k == 0 or p != points[k - 1]]
        if len(dedup) < 2:
            continue
        (x0, y0), rest = dedup[0], dedup[1:]
        parts = [f"M{x0} {y0}l"]
        px, py = x0, y0
        steps = []
        for x, y in rest:
            steps.append(f"{x - px} {y - py}")
            px, py = x, y
        parts.append(" ".join(steps))
        out.append("".join(parts) + ("z" if close else ""))
    return "".join(out)


def polygons(geometry: dict) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def convert(topology: dict) -> dict[str, object]:
    arcs = decode_arcs(topology)
    land_rings = [copy for geometry in topology["objects"]["land"]["geometries"]
                  for polygon in polygons(geometry) for r in polygon for copy in wrapped_rings(ring(r, arcs))]
    users: dict[int, set[int]] = {}
    for n, geometry in enumerate(topology["objects"]["countries"]["geometries"]):
        for polygon in polygons(geometry):
            for r in polygon:
                for i in r:
                    users.setdefault(i if i >= 0 else ~i, set()).add(n)
    borders = [part for i in sorted(users) if len(users[i]) > 1 for part in split_at_jumps(arcs[i])]
    return {"width": WIDTH, "height": HEIGHT, "units_per_degree": UNITS_PER_DEGREE,
            "projection": "equirectangular: x = (lon + 180) * units_per_degree, y = (90 - lat) * units_per_degree",
            "source": f"Natural Earth 1:110m Admin 0 countries v4.1.0 via npm world-atlas@{VERSION} (countries-110m.json)",
            "licence": "Natural Earth: public domain. world-atlas packaging: ISC, Copyright 2013-2019 Michael Bostock.",
            "land": path(land_rings, close=True), "borders": path(borders, close=False)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, default=None)
    args = parser.parse_args()
    topology, licence = fetch(args.tarball)
    basemap = convert(topology)
    OUT_JSON.write_text(json.dumps(basemap, separators=(",", ":")) + "\n")
    svg = io.StringIO()
    svg.write(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}">\n'
              f"<!-- {basemap['source']}. {basemap['licence']} -->\n"
              f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#dbe9f4"/>\n'
              f'<path d="{basemap["land"]}" fill="#f3efe6" stroke="#8a8f98" stroke-width="1.5"/>\n'
              f'<path d="{basemap["borders"]}" fill="none" stroke="#b7b1a3" stroke-width="1"/>\n</svg>\n')
    OUT_SVG.write_text(svg.getvalue())
    (OUT_JSON.parent / "basemap.LICENSE").write_text(
        "basemap.json and static/basemap.svg are generated by scripts/vendor_basemap.py from the npm package\n"
        f"world-atlas@{VERSION} (countries-110m.json), which packages Natural Earth 1:110m Admin 0 countries v4.1.0.\n\n"
        "Natural Earth: public domain (https://www.naturalearthdata.com/about/terms-of-use/).\n\n"
        "world-atlas licence:\n\n" + licence)
    print(f"wrote {OUT_JSON} ({OUT_JSON.stat().st_size} bytes) and {OUT_SVG}")


if __name__ == "__main__":
    main()
