"""CSV files and their W3C CSV on the Web metadata: every column with its datatype and the
property it stands for, so a CSVW processor turns the tables back into statements of the graph.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from twinkg.exports.tables import Row
from twinkg.lifecycle import event_types
from twinkg.publication import LICENSE
from twinkg.vocab import DCT, DEFAULT_BASE, OWL, RDFS, SCHEMA, TW

CSVW_CONTEXT = "http://www.w3.org/ns/csvw"
SEPARATOR = ";"


@dataclass(frozen=True)
class Column:
    name: str
    datatype: str
    """A CSVW built-in datatype: string, integer, decimal, double, boolean, date, anyURI."""
    description: str
    property: str | None = None
    """The property the column stands for; None for a figure computed for the table."""
    about: str | None = None
    """URI template of the column's subject when it is not the row's own resource."""
    value_url: str | None = None
    """URI template of the value when the column holds a resource's id."""
    multiple: bool = False


@dataclass(frozen=True)
class TableSpec:
    filename: str
    title: str
    about: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    description: str = ""


READING = ("Read every cell as text first: country codes include Namibia's `NA`, which pandas turns into a missing "
           "value by default; use pandas.read_csv(path, keep_default_na=False, na_values=['']) (empty cells are the "
           "only missing values). Multi-valued cells are separated by ';'.")
TIME_RULE = ("Time, honestly: a link is evidenced at a day only by a dated event or a dated source listing it; before its "
             "first evidence (evidenced_from) its state is unknown, not active. A table as of a day leaves out the links "
             "nothing evidences by then (their number is in the title) and ignores sources dated later. "
             "no-longer-listed means a later source covering both partners stopped listing the link, not that it ended.")


def _partner(side: str) -> tuple[Column, ...]:
    about = f"{{+place_{side}_iri}}"
    return (
        Column(f"place_{side}_id", "string", f"Slug of partner {side.upper()} (partners sorted by IRI).",
               TW + "partner", value_url=about),
        Column(f"place_{side}_iri", "anyURI", f"IRI of partner {side.upper()}."),
        Column(f"place_{side}_wikidata", "string", f"Wikidata Q-id of partner {side.upper()}.", OWL + "sameAs", about,
               "http://www.wikidata.org/entity/{place_" + side + "_wikidata}"),
        Column(f"place_{side}_label", "string", f"Label of partner {side.upper()} (English where known).", RDFS + "label", about),
        Column(f"place_{side}_country", "string", f"ISO 3166-1 alpha-2 country of partner {side.upper()}.", TW + "country", about),
    )


TWINNINGS = TableSpec("twinnings.csv", "Twinnings as an edge list: one row per link and pair of partners",
                      "{+twinning_iri}", ("twinning_id", "place_a_id", "place_b_id"), description=TIME_RULE, columns=(
    Column("twinning_id", "string", "Slug of the twinning (a three-way link has three rows with the same id)."),
    Column("twinning_iri", "anyURI", "IRI of the twinning."),
    Column("partner_count", "integer", "Number of partners of the link (2 for a pair)."),
    Column("multilateral", "boolean", "True when the link has more than two partners, so this row is one of its pairs."),
    *_partner("a"), *_partner("b"),
    Column("kind", "string", "Kind of link, a code of the scheme vocab/kind.", TW + "kind",
           value_url="https://w3id.org/twinkg/vocab/kind/{kind}"),
    Column("status", "string", "Status as of the table's day from what is evidenced by then (dated events, dated "
           "listings): active, suspended, terminated, proposed, no-longer-listed or unknown; a code of vocab/status.",
           TW + "status",
           value_url="https://w3id.org/twinkg/vocab/status/{status}"),
    Column("status_as_of", "date", "Day by which the latest dated evidence had happened: the status holds as of it.",
           TW + "latestEvidence"),
    Column("status_rests_on_conflict", "boolean",
           "True when the status depends on which of two conflicting claims is believed.", TW + "statusRestsOnConflict"),
    Column("alternative_status", "string", "The status the link would have if the other claim were believed.",
           TW + "alternativeStatus", value_url="https://w3id.org/twinkg/vocab/status/{alternative_status}", multiple=True),
    Column("start_earliest", "date", "Earliest day the link can have been established.", TW + "startEarliest"),
    Column("start_latest", "date", "Day by which the link was established.", TW + "startLatest"),
    Column("end_earliest", "date", "If suspended or terminated: earliest day it can have gone out of force.", TW + "endEarliest"),
    Column("end_latest", "date", "If suspended or terminated: day by which it had gone out of force.", TW + "endLatest"),
    Column("listed_2016", "boolean", "Whether the 2016 Wikidata crawl (2016-09-10) lists the link; empty when the build "
           "lacks that source or the table's day comes before it."),
    Column("listed_2026", "boolean", "Whether the 2026 Wikidata extract (2026-05-12) lists the link; empty when the build "
           "lacks that source or the table's day comes before it."),
    Column("listed_live", "boolean", "Whether the live Wikidata cache of `twinkg enrich` lists the link; empty when the "
           "cache holds no P190 statements or the table's day comes before its retrieval."),
    Column("first_seen", "date", "Date of the earliest source (by the table's day) that lists the link.", TW + "firstSeen"),
    Column("last_seen", "date", "Date of the latest source (by the table's day) that lists the link.", TW + "lastSeen"),
    Column("no_longer_listed_since", "date",
           "Date of the first complete source after last_seen that covers the partners and no longer lists the link. "
           "It says the listing stopped, not that the link ended.", TW + "noLongerListedSince"),
    Column("evidenced_from", "date", "First day anything dated evidences the link (a dated event, a listing, a dated "
           "source): before it the link's state is unknown. Links with none by the table's day are left out and counted."),
    Column("distance_km", "decimal", "Great-circle distance between the partners in km, where both have coordinates."),
    Column("same_country", "boolean", "Whether both partners are in the same country, where both countries are known."),
    Column("source_ids", "string", "Slugs of the sources that state the link.", DCT + "source",
           value_url="https://w3id.org/twinkg/id/source/{source_ids}", multiple=True),
    Column("graph", "string", "Named graphs the link comes from: curated, wikidata or both.", multiple=True),
))

PLACES = TableSpec("places.csv", "Places: the nodes of the network", "{+place_iri}", ("place_id",), (
    Column("place_id", "string", "Slug of the place."),
    Column("place_iri", "anyURI", "IRI of the place."),
    Column("wikidata", "string", "Wikidata Q-id.", OWL + "sameAs", value_url="http://www.wikidata.org/entity/{wikidata}"),
    Column("label", "string", "Label (English where known).", RDFS + "label"),
    Column("label_language", "string", "Language tag of the label: en, or und for a name of undetermined language (the "
           "2016 crawl preferred German), so a filter on English labels can be told apart from missing names."),
    Column("country", "string", "ISO 3166-1 alpha-2 country (the checked one where the check contradicted the source).",
           TW + "country"),
    Column("country_checked", "string", "agrees: a same-named populated place near the coordinates lies in that country; "
           "corrected: it lies in another, used as country (country_stated keeps the source's); unchecked: none found "
           "(or a curated country, or no coordinates)."),
    Column("country_stated", "string", "The source's country where the check corrected it.", TW + "countryAsStated"),
    Column("latitude", "double", "WGS 84 latitude (from the curated data or Wikidata).", SCHEMA + "latitude"),
    Column("longitude", "double", "WGS 84 longitude (from the curated data or Wikidata).", SCHEMA + "longitude"),
    Column("population", "integer", "Population (Wikidata P1082, the preferred or latest statement). Filled only from "
           "the cache of `twinkg enrich`: the snapshots carry no population, so without it the column is empty.",
           SCHEMA + "population"),
    Column("population_year", "string", "Year of the population figure (its P585 qualifier), where stated."),
    Column("place_type", "string", "Type of place, a code of vocab/place-type.", TW + "placeType",
           value_url="https://w3id.org/twinkg/vocab/place-type/{place_type}"),
    Column("fictional", "boolean", "True for a place that exists only in fiction.", TW + "fictional"),
    Column("degree", "integer", "Number of distinct partners of the place in twinnings.csv."),
    Column("graph", "string", "Named graphs that state the place: curated, wikidata or both.", multiple=True),
))

EVENTS = TableSpec("events.csv", "Events in the lifecycle of the links", "{+event_iri}", ("event_id",), (
    Column("event_id", "string", "Slug of the event."),
    Column("event_iri", "anyURI", "IRI of the event."),
    Column("twinning_id", "string", "Slug of the twinning the event belongs to.", TW + "twinning",
           value_url="https://w3id.org/twinkg/id/twinning/{twinning_id}"),
    Column("type", "string", "Event type: " + " or ".join((", ".join(t.code for t in event_types()[:-1]), event_types()[-1].code))
           + "."),
    Column("date", "string", "Date as stated, at its precision (1944, 2022-03 or 2022-03-22); empty if approximate or undated.",
           TW + "date"),
    Column("date_text", "string", "The source's wording of an approximate date.", TW + "dateText"),
    Column("earliest", "date", "Earliest day the event can have happened.", TW + "earliest"),
    Column("latest", "date", "Latest day the event can have happened.", TW + "latest"),
    Column("label", "string", "What happened.", RDFS + "label"),
    Column("actors", "string", "Slugs of the actors.", TW + "agent",
           value_url="https://w3id.org/twinkg/id/actor/{actors}", multiple=True),
    Column("initiated_by", "string", "Slugs of the partner places whose side took the step.", TW + "initiatedBy",
           value_url="https://w3id.org/twinkg/id/place/{initiated_by}", multiple=True),
    Column("reasons", "string", "Codes of the stated reasons (vocab/reason).", TW + "reason",
           value_url="https://w3id.org/twinkg/vocab/reason/{reasons}", multiple=True),
    Column("forms", "string", "Codes of the forms the event took (vocab/event-form).", TW + "form",
           value_url="https://w3id.org/twinkg/vocab/event-form/{forms}", multiple=True),
    Column("conflicts_with", "string", "Slugs of events whose claims disagree with this one.", TW + "conflictsWith",
           value_url="https://w3id.org/twinkg/id/event/{conflicts_with}", multiple=True),
    Column("source_ids", "string", "Slugs of the sources that state the event.", DCT + "source",
           value_url="https://w3id.org/twinkg/id/source/{source_ids}", multiple=True),
    Column("graph", "string", "Named graphs that state the event: curated, wikidata or both (a Wikidata claim that "
           "agrees with a curated event adds its source in the Wikidata graph).", multiple=True),
))

TABLES = (TWINNINGS, PLACES, EVENTS)


def _cell(value: object) -> str:
    if type(value) is str:  # most cells: no conversion
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return SEPARATOR.join(map(str, value))
    return str(value)


def render_csv(spec: TableSpec, rows: list[Row]) -> bytes:
    """RFC 4180 CSV, UTF-8, a header of the column names, CRLF line ends as CSVW expects by default."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [c.name for c in spec.columns]
    writer.writerow(names)
    for row in rows:
        writer.writerow([_cell(row[name]) for name in names])
    return buffer.getvalue().encode("utf-8")


def _column_metadata(column: Column) -> dict[str, object]:
    meta: dict[str, object] = {"name": column.name, "titles": column.name, "datatype": column.datatype,
                               "dc:description": column.description}
    if column.property:
        meta["propertyUrl"] = column.property
    else:
        meta["suppressOutput"] = True
    for key, value in (("aboutUrl", column.about), ("valueUrl", column.value_url)):
        if value:
            meta[key] = value
    if column.multiple:
        meta["separator"] = SEPARATOR
    return meta


def render_metadata(spec: TableSpec, base: str = DEFAULT_BASE, title_suffix: str = "") -> bytes:
    """The table's `{file}-metadata.json`, found by CSVW processors beside the CSV; value URLs use the build's base."""
    metadata = {
        "@context": [CSVW_CONTEXT, {"@language": "en"}],
        "url": spec.filename,
        "dc:title": spec.title + title_suffix,
        "dc:description": " ".join(filter(None, (spec.description, READING))),
        "dc:license": {"@id": LICENSE},
        "dc:publisher": "twinkg",
        "tableSchema": {
            "aboutUrl": spec.about,
            "primaryKey": list(spec.primary_key),
            "columns": [_column_metadata(c) for c in spec.columns],
        },
    }
    text = json.dumps(metadata, indent=2, ensure_ascii=False)
    for minted in ("id/", "vocab/"):  # the ontology namespace stays fixed whatever the base
        text = text.replace(DEFAULT_BASE + minted, base + minted)
    return (text + "\n").encode("utf-8")
