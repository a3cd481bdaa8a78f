"""The enrichment cache (`data/wikidata/`) read as the current Wikidata claim: items and P190 statements.

The cache holds Wikidata's own terms (see `enrich.cache`); this reads what
the world mapping needs. Each P190 statement is one directed claim with its
rank, start and end time (at the precision Wikidata states: a time whose
precision was not fetched is read no more precisely than its digits show, so
1944-01-01 is the year 1944) and end cause; the items get their English label,
country (P17's ISO code), coordinates and whether they are a city (P31 Q515).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict

import pyoxigraph as ox

from twinkg.concepts import country_name
from twinkg.dates import Date, DateError, parse_exact
from twinkg.enrich.queries import PQ, PQV, PS, WD, WDT, WIKIBASE, P
from twinkg.errors import InputError
from twinkg.vocab import PROV, QID_RE, RDFS
from twinkg.world.records import Claim, Origin, World
from twinkg.world.snapshots import CC0, USER_ASSIGNED

LIVE_ID = "wikidata-live"
CITY = WD + "Q515"
_POINT = re.compile(r"^\s*Point\(\s*(-?[0-9.]+(?:[eE]-?[0-9]+)?)\s+(-?[0-9.]+(?:[eE]-?[0-9]+)?)\s*\)\s*$", re.IGNORECASE)
_TIME = re.compile(r"^[+]?(\d{4})-(\d{2})-(\d{2})")


def _qid(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str | None:
    value = term.value
    if isinstance(term, ox.NamedNode) and value.startswith(WD) and QID_RE.match(value[len(WD):]):
        return value[len(WD):]
    return None


def wikidata_time(value: str, precision: int | None) -> Date | None:
    """A Wikidata time value as a date of its precision (9 year, 10 month, 11 day), never more precise."""
    m = _TIME.match(value)
    if not m:
        return None
    year, month, day = m[1], m[2], m[3]
    if precision is None:  # not fetched: Wikidata fills the digits below the precision with 01 (or 00)
        precision = 11 if day not in ("00", "01") else 10 if month not in ("00", "01") else 9
    try:
        if precision >= 11:
            return parse_exact(f"{year}-{month}-{day}")
        if precision == 10:
            return parse_exact(f"{year}-{month}")
        if precision == 9:
            return parse_exact(year)
        span = 10 ** (9 - precision)  # 8 decade, 7 century, 6 millennium
        start = int(year) // span * span
        return Date(dt.date(max(start, 1), 1, 1), dt.date(start + span - 1, 12, calendar.monthrange(2001, 12)[1]),
                    text=f"{start}s" if span == 10 else f"{start}–{start + span - 1}")
    except (DateError, ValueError):
        return None


def _retrieved_on(t: ox.Triple, where: str) -> dt.date:
    """The day of a retrieval's prov:endedAtTime; an edited or truncated cache is named, not a traceback."""
    try:
        return dt.datetime.fromisoformat(t.object.value).date()
    except ValueError:
        raise InputError(f"{where}: {t.subject} prov:endedAtTime {t.object.value!r}: not a date and time "
                         "(run twinkg enrich again to rewrite the cache)") from None


def read_live(triples: set[ox.Triple], world: World, where: str) -> bool:
    """Add the cache's items and P190 claims to `world` as the current Wikidata claim; False if it has none.

    `where` names the cache in an error (its folder). Raises InputError on a retrieval time that is not one."""
    by_subject: dict[str, list[ox.Triple]] = defaultdict(list)
    retrieved: list[dt.date] = []
    for t in triples:
        by_subject[t.subject.value].append(t)
        if t.predicate.value == PROV + "endedAtTime":
            retrieved.append(_retrieved_on(t, where))
    statements = [(t.subject, t.object) for t in triples if t.predicate.value == P + "P190"]
    if not statements:
        return False
    when = max(retrieved) if retrieved else dt.date.today()
    origin = Origin(LIVE_ID, f"Wikidata, as retrieved by twinkg enrich (latest {when.isoformat()})", when,
                    "https://www.wikidata.org/", CC0,
                    "Wikidata's P190 statements with rank and qualifiers, and the facts of every item involved, "
                    "retrieved from the SPARQL endpoint by `twinkg enrich`; each statement cites itself.",
                    directed=True, current=True)
    world.origins[origin.id] = origin

    def value(subject: str, predicate: str) -> ox.NamedNode | ox.Literal | ox.BlankNode | None:
        return next((t.object for t in by_subject.get(subject, ()) if t.predicate.value == predicate), None)

    def precision(statement: str, qualifier: str) -> int | None:
        node = value(statement, PQV + qualifier)
        found = value(node.value, WIKIBASE + "timePrecision") if node is not None else None
        return int(found.value) if found is not None and found.value.isdigit() else None

    for item_term, statement in statements:
        subject = _qid(item_term)
        partner = value(statement.value, PS + "P190")
        obj = _qid(partner) if partner is not None else None
        if subject:
            world.covers(origin.id, subject)
        if not subject or not obj or subject == obj:
            continue
        rank = value(statement.value, WIKIBASE + "rank")
        start, end = value(statement.value, PQ + "P580"), value(statement.value, PQ + "P582")
        cause = value(statement.value, PQ + "P1534")
        world.item(subject, origin.id)
        world.item(obj, origin.id)
        world.claims.append(Claim(
            subject, obj, origin.id, True,
            deprecated=rank is not None and rank.value == WIKIBASE + "DeprecatedRank",
            start=wikidata_time(start.value, precision(statement.value, "P580")) if isinstance(start, ox.Literal) else None,
            end=wikidata_time(end.value, precision(statement.value, "P582")) if isinstance(end, ox.Literal) else None,
            end_cause=_qid(cause) if cause is not None else None,
            statement=statement.value))
    for qid, item in world.items.items():
        facts = by_subject.get(WD + qid)
        if not facts or origin.id not in item.origins:
            continue
        for t in facts:
            p, o = t.predicate.value, t.object
            if p == RDFS + "label" and isinstance(o, ox.Literal):
                if o.language == "en" and not item.english:
                    item.english = o.value
                elif o.language == "mul" and not item.other:
                    item.other = o.value
            elif p == WDT + "P31" and o.value == CITY:
                item.city = True
            elif p == WDT + "P625" and (m := _POINT.match(o.value)) and item.coordinates is None:
                lon, lat = float(m[1]), float(m[2])
                if -90 <= lat <= 90 and -180 <= lon <= 180:
                    item.coordinates = (lat, lon)
            elif p == WDT + "P17" and item.country is None:
                code = value(o.value, WDT + "P297")
                if code is not None and (country_name(code.value) or USER_ASSIGNED.match(code.value)):
                    item.country = code.value
    return True
