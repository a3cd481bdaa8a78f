"""Countries checked: the country a source states for a place, against the reference of populated places.

The 2026 extract codes Görlitz, Guben and Český Těšín as PL, so their cross-border links
looked domestic. Each Wikidata item with a name, coordinates and a stated country is looked up
in the vendored GeoNames reference (`reference/cities.tsv.gz`, places of 10,000 people or more,
scripts/vendor_cities.py): a reference place of the same normalised name within RADIUS_KM of
the coordinates gives the checked country. Where it differs from the stated one, the checked
country is used and the stated one kept beside it (`tw:countryAsStated`); where no reference
place matches, the stated country stays, unchecked.

Why not the Natural Earth borders: at 1:10m they put Görlitz's and Český Těšín's coordinates
(a few hundred metres from the Neisse and the Olza) on the Polish side, so a point-in-polygon
test would confirm the very errors it is meant to find; a same-named place near the
coordinates decides such border towns, and says nothing where it is not sure.
"""

from __future__ import annotations

import functools
import gzip
import math
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

from twinkg.world.records import CountryCheck, World

REFERENCE = Path(__file__).parent / "reference" / "cities.tsv.gz"
RADIUS_KM = 15.0
"""How far a source's coordinates may lie from the reference place of the same name (city centres differ)."""


_NOT_ALNUM = re.compile(r"[\W_]+")
"""What `str.isalnum` is not: `\\w` is alphanumeric or "_"; no combining mark is alphanumeric, so this also
drops the accents NFKD splits off (tests/test_world_countries.py checks both over every code point)."""


def name_key(name: str) -> str:
    """A name compared without case, accents, spaces or punctuation ("Český Těšín" = "cesky tesin").

    One regular expression over the decomposed name, not a test per character: the reference's 39k names
    are keyed on every build (0.4 CPU s that way)."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKD", name.casefold()))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


class Reference:
    """Populated places by normalised name: (latitude, longitude, country)."""

    def __init__(self, rows: list[tuple[str, str, float, float]]):
        self.by_name: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
        for name, country, lat, lon in rows:
            self.by_name[name_key(name)].append((lat, lon, country))

    def country(self, name: str, point: tuple[float, float], stated: str | None = None) -> str | None:
        """The country of the nearest reference place of that name within RADIUS_KM of `point` (lat, lon);
        the stated country if any such place is in it (two towns of one name face each other across the
        Rhine at Rheinfelden: the source is not contradicted)."""
        near = [(_km(point, (lat, lon)), country) for lat, lon, country in self.by_name.get(name_key(name), ())]
        near = [n for n in near if n[0] <= RADIUS_KM]
        if stated is not None and any(country == stated for _, country in near):
            return stated
        return min(near)[1] if near else None


NOT_CONTRADICTIONS = frozenset(frozenset(pair) for pair in (
    ("FR", "GF"), ("FR", "GP"), ("FR", "MQ"), ("FR", "RE"), ("FR", "YT"), ("FR", "PM"), ("FR", "NC"), ("FR", "PF"),
    ("US", "PR"), ("US", "GU"), ("US", "VI"), ("US", "AS"), ("US", "MP"), ("NL", "AW"), ("NL", "CW"), ("NL", "SX"),
    ("DK", "GL"), ("DK", "FO"), ("GB", "GI"), ("GB", "IM"), ("GB", "JE"), ("GB", "GG"), ("CN", "HK"), ("CN", "MO"),
    ("RU", "UA"), ("IL", "PS"), ("CY", "XC"), ("MA", "EH"), ("RS", "XK"), ("GE", "XA"), ("SO", "XS")))
"""Pairs of codes that name the same ground in different ways, not an error: a territory with its own
ISO 3166-1 code inside a state (French Guiana in France), or a disputed territory that sources assign
by their stance (Crimea, Jerusalem, Northern Cyprus, Western Sahara, Kosovo). The check takes no
side: the stated country stays."""


@functools.lru_cache(maxsize=1)
def reference() -> Reference:
    rows = []
    for line in gzip.decompress(REFERENCE.read_bytes()).decode("utf-8").splitlines():
        name, country, lat, lon = line.split("\t")
        rows.append((name, country, float(lat), float(lon)))
    return Reference(rows)


def check_countries(world: World, ref: Reference | None = None) -> dict[str, CountryCheck]:
    """Check every item's stated country; an item the reference contradicts gets the reference's country.

    Returns the check of each item that has a country, coordinates and a name, by Q-id."""
    ref = ref or reference()
    checks: dict[str, CountryCheck] = {}
    for qid, item in world.items.items():
        name = item.english or item.other
        if not item.country or item.coordinates is None or not name:
            continue
        found = ref.country(name, item.coordinates, item.country)
        if found is not None and frozenset((found, item.country)) in NOT_CONTRADICTIONS:
            found = item.country
        check = CountryCheck(item.country, found)
        checks[qid] = check
        if check.corrected:
            item.country = check.found
    world.country_checks = checks
    return checks
