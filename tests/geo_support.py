"""A copy of the curated data with the coordinates Wikidata gives its places (from the 2026 city extract in
data/snapshots/, written as an enrich cache would hold them): real coordinates for the map tests, none invented."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

from support.builds import PROJECT_ROOT

CITIES = PROJECT_ROOT / "data" / "snapshots" / "wikidata-cities-2026" / "cities.csv"


def data_with_coordinates(target: Path) -> dict[str, tuple[float, float]]:
    """Copy data/ (YAML only) to `target` and add data/wikidata/coordinates.ttl; returns Q-id → (lon, lat)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in (PROJECT_ROOT / "data").glob("*.yaml"):
        shutil.copy(path, target / path.name)
    wanted = set(re.findall(r"wikidata:\s*(Q\d+)", "".join(p.read_text() for p in target.glob("*.yaml"))))
    found: dict[str, tuple[float, float]] = {}
    with CITIES.open(newline="") as f:
        for row in csv.DictReader(f):
            if row["id"] in wanted:
                found[row["id"]] = (float(row["lng"]), float(row["lat"]))
    lines = ["@prefix wd: <http://www.wikidata.org/entity/> .", "@prefix wdt: <http://www.wikidata.org/prop/direct/> .",
             "@prefix geo: <http://www.opengis.net/ont/geosparql#> ."]
    lines += [f'wd:{qid} wdt:P625 "Point({lon} {lat})"^^geo:wktLiteral .' for qid, (lon, lat) in sorted(found.items())]
    (target / "wikidata").mkdir(exist_ok=True)
    (target / "wikidata" / "coordinates.ttl").write_text("\n".join(lines) + "\n")
    return found
