"""Test support for the Wikidata tests: a Wikidata-shaped fixture, a real Oxigraph server, a fault proxy.

The fixture has two parts, written to two files so they are never confused:

* `crawl.nt`, generated at test time from `data/snapshots/wikidata-p190-2016/`
  (a real crawl of Wikidata's P190 statements, 2016-09-10, CC0): every item with
  its label, every P190 statement in Wikidata's RDF structure
  (`wd:Qx p:P190 ?st . ?st ps:P190 wd:Qy ; wikibase:rank wikibase:NormalRank .
  wd:Qx wdt:P190 wd:Qy`). The crawl does not record the language of a label
  (it preferred German, then English, French, Italian, Spanish), so labels are
  tagged `mul`, Wikidata's code for a label valid in many languages.
  Statement IRIs are `wds:Qx-<uuid5 of the pair>`, shaped like real ones.

* `fixture-values.nt`: FIXTURE VALUES, NOT FROM WIKIDATA: made up for the
  tests (coordinates, populations, countries, P31 city, qualifiers P580/P582/
  P1534, a deprecated rank, a few English labels and an alias), listed in
  FIXTURE_VALUES below. Never publish them as facts.

Nothing here touches an outside address: the server and the proxy bind to
127.0.0.1 and the client is pointed at them.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from support.builds import required
from support.processes import RemoteStoreServer, oxigraph_load, start_oxigraph

REPO = Path(__file__).resolve().parents[2]
CRAWL = REPO / "data" / "snapshots" / "wikidata-p190-2016"

WD = "http://www.wikidata.org/entity/"
WDS = "http://www.wikidata.org/entity/statement/"
WDT = "http://www.wikidata.org/prop/direct/"
P = "http://www.wikidata.org/prop/"
PS = "http://www.wikidata.org/prop/statement/"
PQ = "http://www.wikidata.org/prop/qualifier/"
WB = "http://wikiba.se/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SCHEMA_NAME = "http://schema.org/name"
XSD = "http://www.w3.org/2001/XMLSchema#"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"

# ---------------------------------------------------------------------------
# FIXTURE VALUES, NOT FROM WIKIDATA (made up for the tests; the crawl has none)
# ---------------------------------------------------------------------------
FIXTURE_COUNTRIES = {  # item → country item (P17)
    "Q5836": "Q29", "Q49239": "Q30", "Q31058": "Q30", "Q34692": "Q766", "Q128147": "Q145",
    "Q2321706": "Q145", "Q6225": "Q145", "Q914": "Q159", "Q1707": "Q183", "Q1731": "Q183",
    "Q34218": "Q30",  # chosen so that only the P190 partners tell the two Burlingtons apart
}
FIXTURE_ISO = {"Q29": "ES", "Q30": "US", "Q766": "JM", "Q145": "GB", "Q159": "RU", "Q183": "DE", "Q16": "CA"}
FIXTURE_LANGUAGE = {"Q29": ("Q1321", "es"), "Q159": ("Q7737", "ru")}  # country → official language (P37) and its code (P424)
FIXTURE_LABELS = [  # (item, text, language, predicate)
    ("Q914", "Volgograd", "en", RDFS_LABEL), ("Q914", "Волгоград", "ru", RDFS_LABEL),
    ("Q914", "Volgograd", "fr", RDFS_LABEL),  # not asked for: must not be fetched
    ("Q6225", "Coventry", "en", RDFS_LABEL), ("Q5836", "Toledo", "es", RDFS_LABEL),
    ("Q128147", "Hull", "en", SKOS_ALT),
]
FIXTURE_COORDINATES = {"Q6225": "Point(-1.51 52.41)", "Q914": "Point(44.52 48.71)"}
FIXTURE_POPULATION = {  # item → [(value, point in time, rank)]
    "Q6225": [("300000", "2001-01-01", "NormalRank"), ("345000", "2021-01-01", "PreferredRank"),
              ("350000", "2023-01-01", "DeprecatedRank")],
    "Q914": [("1000000", "2002-01-01", "NormalRank"), ("1010000", "2010-01-01", "NormalRank")],
}
FIXTURE_WEBSITE = {"Q6225": "https://fixture.invalid/coventry"}
FIXTURE_GEONAMES = {"Q6225": "0000001"}
FIXTURE_QUALIFIERS = {  # (subject, object) of a crawl P190 statement → qualifiers
    ("Q6225", "Q914"): {"P580": "1944-01-01"},
    ("Q914", "Q6225"): {"P580": "1944-01-01"},
    ("Q6225", "Q1707"): {"P580": "1947-01-01", "P582": "2020-01-01", "P1534": "Q1"},
}
FIXTURE_RANKS = {("Q6225", "Q36647"): "DeprecatedRank",  # Coventry → Cork, deprecated
                 ("Q1731", "Q384"): "DeprecatedRank", ("Q384", "Q1731"): "DeprecatedRank"}  # Dresden–Q384: both ways
FIXTURE_WORLD_QUALIFIERS = {  # for the world network's merge: contradicts the curated Vladimir–Canterbury (1997)
    ("Q2684", "Q29303"): {"P580": "1995-01-01"},
}
FIXTURE_PRECISION = {("Q6225", "Q914", "P580"): "9", ("Q6225", "Q1707", "P582"): "11"}  # wikibase:timePrecision
FIXTURE_CLASSES = {"Q515": "Q486972"}  # every crawl item is a city (Q515, fixture value); city ⊑ human settlement
# ---------------------------------------------------------------------------


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


def statement_iri(subject: str, obj: str, prop: str = "P190") -> str:
    """A statement IRI shaped like Wikidata's (`wds:Q6225-<UUID>`), stable for the same triple."""
    return f"{WDS}{subject}-{str(uuid.uuid5(uuid.NAMESPACE_URL, f'{WD}{subject}/{prop}/{obj}')).upper()}"


def build_fixture(directory: Path, only: set[str] | None = None, world: bool = False) -> list[Path]:
    """Write crawl.nt and fixture-values.nt into `directory`; return their paths.

    `only` keeps the items it names and the statements between them (a small
    network for the world tests); `world` adds FIXTURE_WORLD_QUALIFIERS."""
    directory.mkdir(parents=True, exist_ok=True)
    crawl, marked = directory / "crawl.nt", directory / "fixture-values.nt"
    pairs = sorted({tuple(line.rstrip("\n").split("\t")[:2]) for line in
                    (CRAWL / "relations.tsv").read_text(encoding="utf-8").splitlines() if "\t" in line})
    if only is not None:
        pairs = [(a, b) for a, b in pairs if a in only and b in only]
    with crawl.open("w", encoding="utf-8") as out:
        out.write("# Generated from data/snapshots/wikidata-p190-2016 (Wikidata, CC0, crawled 2016-09-10).\n")
        for line in (CRAWL / "names.tsv").read_text(encoding="utf-8").splitlines():
            qid, _, label = line.partition("\t")
            if not qid.startswith("Q") or not label or (only is not None and qid not in only):
                continue
            item = _iri(WD + qid)
            out.write(f"{item} {_iri(RDF_TYPE)} {_iri(WB + 'Item')} .\n")
            out.write(f"{item} {_iri(RDFS_LABEL)} {_lit(label, 'mul')} .\n")
            out.write(f"{item} {_iri(SCHEMA_NAME)} {_lit(label, 'mul')} .\n")
            out.write(f"{item} {_iri(WDT + 'P31')} {_iri(WD + 'Q515')} .\n")  # FIXTURE VALUE: P31 city
        for s, o in pairs:
            st = _iri(statement_iri(s, o))
            rank = FIXTURE_RANKS.get((s, o), "NormalRank")
            out.write(f"{_iri(WD + s)} {_iri(P + 'P190')} {st} .\n")
            out.write(f"{st} {_iri(PS + 'P190')} {_iri(WD + o)} .\n")
            out.write(f"{st} {_iri(RDF_TYPE)} {_iri(WB + 'Statement')} .\n")
            out.write(f"{st} {_iri(WB + 'rank')} {_iri(WB + rank)} .\n")
            if rank != "DeprecatedRank":
                out.write(f"{st} {_iri(RDF_TYPE)} {_iri(WB + 'BestRank')} .\n")
                out.write(f"{_iri(WD + s)} {_iri(WDT + 'P190')} {_iri(WD + o)} .\n")
    lines = ["# FIXTURE VALUES, NOT FROM WIKIDATA: made up for twinkg's tests (see tests/support/wikidata.py)."]
    add = lines.append
    for child, parent in FIXTURE_CLASSES.items():
        add(f"{_iri(WD + child)} {_iri(WDT + 'P279')} {_iri(WD + parent)} .")
    for item, country in FIXTURE_COUNTRIES.items():
        add(f"{_iri(WD + item)} {_iri(WDT + 'P17')} {_iri(WD + country)} .")
    for country, iso in FIXTURE_ISO.items():
        add(f"{_iri(WD + country)} {_iri(WDT + 'P297')} {_lit(iso)} .")
    for country, (language, code) in FIXTURE_LANGUAGE.items():
        add(f"{_iri(WD + country)} {_iri(WDT + 'P37')} {_iri(WD + language)} .")
        add(f"{_iri(WD + language)} {_iri(WDT + 'P424')} {_lit(code)} .")
    for item, text, lang, pred in FIXTURE_LABELS:
        add(f"{_iri(WD + item)} {_iri(pred)} {_lit(text, lang)} .")
    for item, wkt in FIXTURE_COORDINATES.items():
        add(f"{_iri(WD + item)} {_iri(WDT + 'P625')} {_lit(wkt, datatype=WKT)} .")
    for item, url in FIXTURE_WEBSITE.items():
        add(f"{_iri(WD + item)} {_iri(WDT + 'P856')} {_iri(url)} .")
    for item, gid in FIXTURE_GEONAMES.items():
        add(f"{_iri(WD + item)} {_iri(WDT + 'P1566')} {_lit(gid)} .")
    for item, values in FIXTURE_POPULATION.items():
        for value, when, rank in values:
            st = _iri(statement_iri(item, when, "P1082"))
            add(f"{_iri(WD + item)} {_iri(P + 'P1082')} {st} .")
            add(f"{st} {_iri(PS + 'P1082')} {_lit(value, datatype=XSD + 'decimal')} .")
            add(f"{st} {_iri(PQ + 'P585')} {_lit(when + 'T00:00:00Z', datatype=XSD + 'dateTime')} .")
            add(f"{st} {_iri(WB + 'rank')} {_iri(WB + rank)} .")
            add(f"{st} {_iri(RDF_TYPE)} {_iri(WB + 'Statement')} .")
    for (s, o), qualifiers in {**FIXTURE_QUALIFIERS, **(FIXTURE_WORLD_QUALIFIERS if world else {})}.items():
        st = _iri(statement_iri(s, o))
        for prop, value in qualifiers.items():
            obj = _iri(WD + value) if value.startswith("Q") else _lit(value + "T00:00:00Z", datatype=XSD + "dateTime")
            add(f"{st} {_iri(PQ + prop)} {obj} .")
            if (s, o, prop) in FIXTURE_PRECISION:
                node = _iri(f"http://www.wikidata.org/value/{s}-{o}-{prop}")
                add(f"{st} {_iri(PQ.replace('qualifier/', 'qualifier/value/') + prop)} {node} .")
                add(f"{node} {_iri(WB + 'timePrecision')} {_lit(FIXTURE_PRECISION[(s, o, prop)], datatype=XSD + 'integer')} .")
    marked.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [crawl, marked]


def start_wikidata(work: Path, only: set[str] | None = None, world: bool = False) -> RemoteStoreServer:
    """A real `oxigraph serve` on loopback loaded with the Wikidata-shaped fixture; its `endpoint` is where to
    send queries."""
    required(CRAWL, "the 2016 Wikidata P190 crawl")
    location = work / "store"
    oxigraph_load(location, build_fixture(work / "fixture", only, world))
    srv = start_oxigraph(location, work)
    return RemoteStoreServer(srv.url, srv.proc, srv.log_path)


CURATED = REPO / "tests" / "fixtures" / "wikidata" / "data"
