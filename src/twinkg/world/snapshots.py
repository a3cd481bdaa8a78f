"""The two offline Wikidata extracts in `data/snapshots/`, read as dated sources.

* `wikidata-p190-2016/`: a crawl of P190 statements made on 2016-09-10
  (`names.tsv`: Q-id and a label; `relations.tsv`: one row per statement,
  subject then object, all ranks). Its labels preferred German, then English,
  French, Italian, Spanish, so their language is not known: they are read as
  labels of undetermined language, never as English.
* `wikidata-cities-2026/`: cities with an English label, coordinates (`lng`
  before `lat`) and country (`countrycd`, ISO 3166-1 alpha-2, Taiwan written
  `CN-TW`, Namibia `NA`, which must stay a string), and undirected links.

Every problem is reported at once as `file:line: record: field: message`.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from twinkg.concepts import country_name
from twinkg.errors import InputError
from twinkg.vocab import QID_RE
from twinkg.world.records import Claim, Origin, World

CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
CRAWL_2016 = Origin(
    id="wikidata-p190-2016",
    title="Wikidata P190 crawl, 2016-09-10 (L3viathan/sister-cities)",
    retrieved=dt.date(2016, 9, 10),
    url="https://github.com/L3viathan/sister-cities",
    licence=CC0,
    comment="A crawl of Wikidata's P190 (twinned administrative body) statements made on 2016-09-10, all ranks, "
            "without qualifiers, dates, countries or coordinates; its labels preferred German, then English, French, "
            "Italian, Spanish. A dated snapshot, not the truth of today.",
    directed=True,
)
CITIES_2026 = Origin(
    id="wikidata-cities-2026",
    title="Wikidata twin cities, 2026 extract (TidyTuesday 2026-05-12, from bothness/twin-cities)",
    retrieved=dt.date(2026, 5, 12),
    url="https://github.com/rfordatascience/tidytuesday/tree/main/data/2026/2026-05-12",
    licence=CC0,
    comment="Cities (instances of city) with English labels, coordinates and countries, and the undirected P190 links "
            "between them, as Wikidata had them in 2026 (published 2026-05-12). No dates, ranks or qualifiers. The facts "
            "are Wikidata's (CC0 1.0); the TidyTuesday repository is under the MIT licence.",
    directed=False,
)
COUNTRY_ALIASES = {"CN-TW": "TW"}
"""Codes the 2026 extract writes differently from ISO 3166-1 (its README: Taiwan is `CN-TW`)."""
USER_ASSIGNED = re.compile(r"^X[A-Z]$")
"""ISO 3166-1's user-assigned codes, which the extract uses with a name (XK Kosovo, XC N. Cyprus, XS Somaliland)."""
_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def read_snapshots(directory: Path, world: World | None = None) -> World:
    """Both snapshots under `directory` (each folder is optional) into `world` (a new one by default).

    Raises InputError listing every problem. Facts already in `world` (the live
    cache, read first) win over the snapshots' older ones."""
    world = world if world is not None else World()
    problems: list[str] = []
    crawl, cities = directory / "wikidata-p190-2016", directory / "wikidata-cities-2026"
    if crawl.is_dir():
        read_crawl(crawl, world, problems)
    if cities.is_dir():
        read_cities(cities, world, problems)
    if problems:
        raise InputError("the Wikidata snapshots have problems:\n" + "\n".join(problems))
    return world


def _qid(value: str, where: str, field: str, problems: list[str]) -> str | None:
    value = value.strip()
    if QID_RE.match(value):
        return value
    problems.append(f"{where}: {field}: not a Wikidata item id (Q followed by a number): {value!r}")
    return None


def _lines(path: Path, problems: list[str]) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: cannot read: {exc}")
        return []


def read_crawl(folder: Path, world: World, problems: list[str]) -> None:
    origin = CRAWL_2016
    world.origins[origin.id] = origin
    names = folder / "names.tsv"
    for number, line in enumerate(_lines(names, problems), start=1):
        if not line.strip():
            continue
        qid_text, tab, label = line.partition("\t")
        where = f"{names}:{number}: {qid_text.strip() or '-'}"
        qid = _qid(qid_text, where, "qid", problems)
        if qid is None:
            continue
        item = world.item(qid, origin.id)
        if tab and label.strip():
            item.other = item.other or label.strip()
    relations = folder / "relations.tsv"
    for number, line in enumerate(_lines(relations, problems), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        where = f"{relations}:{number}: {line.strip()[:40]}"
        if len(parts) != 2:
            problems.append(f"{where}: row: expected subject_qid<TAB>object_qid, got {len(parts)} field(s)")
            continue
        subject = _qid(parts[0], where, "subject_qid", problems)
        obj = _qid(parts[1], where, "object_qid", problems)
        if subject:
            world.covers(origin.id, subject)
        if subject and obj and subject != obj:
            world.item(subject, origin.id)
            world.item(obj, origin.id)
            world.claims.append(_claim(subject, obj, origin))


def _claim(subject: str, obj: str, origin: Origin) -> Claim:
    return Claim(subject, obj, origin.id, origin.directed)


def read_cities(folder: Path, world: World, problems: list[str]) -> None:
    origin = CITIES_2026
    world.origins[origin.id] = origin
    cities = folder / "cities.csv"
    for number, row in _csv(cities, ("id", "name", "lng", "lat", "countrycd"), problems):
        where = f"{cities}:{number}: {row.get('id') or '-'}"
        qid = _qid(row["id"] or "", where, "id", problems)
        if qid is None:
            continue
        item = world.item(qid, origin.id)
        world.covers(origin.id, qid)
        item.city = True
        name = (row["name"] or "").strip()
        if name:
            item.english = item.english or name
        lat, lng = (row["lat"] or "").strip(), (row["lng"] or "").strip()
        if lat or lng:
            if not (_NUMBER.match(lat) and _NUMBER.match(lng)) or not (-90 <= float(lat) <= 90 and -180 <= float(lng) <= 180):
                problems.append(f"{where}: lng, lat: not WGS 84 degrees (lng -180…180, lat -90…90): {lng!r}, {lat!r}")
            elif item.coordinates is None:
                item.coordinates = (float(lat), float(lng))
        code = (row["countrycd"] or "").strip()
        if code:
            code = COUNTRY_ALIASES.get(code, code)
            name = (row.get("country") or "").strip()
            if country_name(code) is None and not (USER_ASSIGNED.match(code) and name):
                problems.append(f"{where}: countrycd: not an ISO 3166-1 alpha-2 country code: {row['countrycd']!r}")
            else:
                item.country = item.country or code
                if country_name(code) is None:
                    world.country_names.setdefault(code, name)
    links = folder / "links.csv"
    for number, row in _csv(links, ("source", "target"), problems):
        where = f"{links}:{number}: {row.get('source') or '-'}"
        a = _qid(row["source"] or "", where, "source", problems)
        b = _qid(row["target"] or "", where, "target", problems)
        if a and b and a != b:
            world.item(a, origin.id)
            world.item(b, origin.id)
            world.claims.append(_claim(a, b, origin))


def _csv(path: Path, columns: tuple[str, ...], problems: list[str]) -> list[tuple[int, dict[str, str | None]]]:
    """Rows with their line numbers; every value a string (csv keeps "NA", Namibia, as text)."""
    lines = _lines(path, problems)
    if not lines:
        return []
    reader = csv.DictReader(lines)
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        problems.append(f"{path}:1: header: missing column(s) {', '.join(missing)}")
        return []
    return [(reader.line_num, row) for row in reader]
