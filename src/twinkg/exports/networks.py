"""The network as GraphML and GEXF, for networkx, igraph and Gephi.

Places are nodes (id = slug), every row of twinnings.csv is an undirected edge with the
link's attributes. GEXF is dynamic: an edge lives from its start (earliest bound, else its
first dated evidence) to its end (earliest bound, else the day it was no longer listed;
open where unknown), so Gephi's timeline plays the network over time.
Both are written as text line by line with the standard library's XML escaping: building
an ElementTree first took 24 of 38 s at the world network's scale (bench/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from twinkg.exports.tables import Row, Tables

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://www.gexf.net/1.2draft"

NODE_ATTRS = (("label", "string"), ("wikidata", "string"), ("country", "string"), ("country_checked", "string"), ("latitude", "double"),
              ("longitude", "double"), ("population", "long"), ("place_type", "string"), ("fictional", "boolean"),
              ("degree", "int"), ("label_language", "string"), ("graph", "string"), ("place_iri", "string"))
EDGE_ATTRS = (("twinning_id", "string"), ("kind", "string"), ("status", "string"), ("status_as_of", "string"),
              ("status_rests_on_conflict", "boolean"), ("alternative_status", "string"),
              ("start_earliest", "string"), ("start_latest", "string"), ("end_earliest", "string"),
              ("end_latest", "string"), ("listed_2016", "boolean"), ("listed_2026", "boolean"),
              ("listed_live", "boolean"), ("first_seen", "string"), ("last_seen", "string"),
              ("no_longer_listed_since", "string"), ("evidenced_from", "string"), ("distance_km", "double"),
              ("same_country", "boolean"), ("multilateral", "boolean"), ("graph", "string"), ("source_ids", "string"),
              ("twinning_iri", "string"))
_GEXF_TYPES = {"string": "string", "double": "double", "long": "long", "int": "integer", "boolean": "boolean"}


def escape(text: str) -> str:
    """XML character data and attribute values (always written in double quotes)."""
    if "&" not in text and "<" not in text and ">" not in text and '"' not in text:  # most values: a scan, no copies
        return text
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def quoteattr(text: str) -> str:
    return f'"{escape(text)}"'


def _text(value: object) -> str | None:
    """The attribute's text, or None when the value is unknown (the attribute is then left out)."""
    if type(value) is str:  # most values: no conversion
        return value or None
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(map(str, value))
    return str(value)


Texts = list[tuple[str, str]]
"""A node's or edge's known attributes: (name, escaped text)."""


@dataclass(frozen=True)
class Network:
    """The tables' rows with their attribute texts escaped once, for both formats."""

    places: list[tuple[Row, Texts]]
    links: list[tuple[Row, Texts]]


def _texts(attrs: tuple[tuple[str, str], ...], row: Row) -> Texts:
    return [(name, escape(text)) for name, _ in attrs if (text := _text(row.get(name))) is not None]  # absent: unknown


def prepare(tables: Tables) -> Network:
    return Network([(p, _texts(NODE_ATTRS, p)) for p in tables.places], [(r, _texts(EDGE_ATTRS, r)) for r in tables.twinnings])


def _edge_id(row: Row) -> str:
    return f"{row['twinning_id']}|{row['place_a_id']}|{row['place_b_id']}"


def _document(lines: Iterator[str]) -> bytes:
    """The lines as one UTF-8 document, each line encoded on its own and the bytes joined once.

    Joining the text first widened every line to the widest character of the document (a place's
    name in CJK makes it two bytes a character) and copied it three times before encoding: 0.38 of
    the GEXF's 0.83 CPU s at ×4, against 0.13 now (bench/RESULTS.md, "The exports at ×4")."""
    return b"\n".join([b"<?xml version='1.0' encoding='utf-8'?>", *(line.encode("utf-8") for line in lines), b""])


def graphml(network: Network) -> bytes:
    return _document(_graphml_lines(network))


def _graphml_lines(network: Network) -> Iterator[str]:
    yield f'<graphml xmlns="{GRAPHML_NS}">'
    for scope, attrs in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        for name, kind in attrs:
            yield f'  <key id="{scope[0]}_{name}" for="{scope}" attr.name="{name}" attr.type="{kind}" />'
    yield '  <graph id="twinkg" edgedefault="undirected">'
    for place, texts in network.places:
        yield f'    <node id={quoteattr(str(place["place_id"]))}>{_graphml_data("n", texts)}</node>'
    for row, texts in network.links:
        yield (f'    <edge id={quoteattr(_edge_id(row))} source={quoteattr(str(row["place_a_id"]))} '
               f'target={quoteattr(str(row["place_b_id"]))}>{_graphml_data("e", texts)}</edge>')
    yield "  </graph>"
    yield "</graphml>"


def _graphml_data(scope: str, texts: Texts) -> str:
    return "".join(f'<data key="{scope}_{name}">{text}</data>' for name, text in texts)


def gexf(network: Network) -> bytes:
    return _document(_gexf_lines(network))


def _gexf_lines(network: Network) -> Iterator[str]:
    yield f'<gexf xmlns="{GEXF_NS}" version="1.2">'
    yield ("  <meta><creator>twinkg</creator><description>Town twinning network: places and links; an edge lives "
           "from the earliest bound of its start (else its first dated evidence) to the earliest bound of its end "
           "(else the day it was no longer listed)</description></meta>")
    yield '  <graph mode="dynamic" defaultedgetype="undirected" timeformat="date">'
    for cls, declared in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        yield f'    <attributes class="{cls}" mode="static">'
        for name, kind in declared:
            if name != "label":
                yield f'      <attribute id="{name}" title="{name}" type="{_GEXF_TYPES[kind]}" />'
        yield "    </attributes>"
    yield "    <nodes>"
    for place, texts in network.places:
        yield (f'      <node id={quoteattr(str(place["place_id"]))} label={quoteattr(str(place["label"]))}>'
               f'{_gexf_values(texts)}</node>')
    yield "    </nodes>"
    yield "    <edges>"
    for row, texts in network.links:
        span = "".join(f' {name}="{value}"' for name, value in (("start", _start(row)), ("end", _end(row))) if value)
        yield (f'      <edge id={quoteattr(_edge_id(row))} source={quoteattr(str(row["place_a_id"]))} '
               f'target={quoteattr(str(row["place_b_id"]))} label={quoteattr(str(row["twinning_id"]))}{span}>'
               f'{_gexf_values(texts)}</edge>')
    yield "    </edges>"
    yield "  </graph>"
    yield "</gexf>"


def _start(row: Row) -> object:
    """When an edge starts to live: its earliest start bound, else its first evidence (a link listed from 2016
    on is unknown before, not in force: docs/data-model.md, "Time, honestly")."""
    return row["start_earliest"] or row["evidenced_from"]


def _end(row: Row) -> object:
    """When an edge stops living: its earliest end bound, else the day a complete source no longer listed it."""
    return row["end_earliest"] or row["no_longer_listed_since"]


def _gexf_values(texts: Texts) -> str:
    values = "".join(f'<attvalue for="{name}" value="{text}" />' for name, text in texts if name != "label")
    return f"<attvalues>{values}</attvalues>" if values else ""
