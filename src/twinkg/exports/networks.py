"""The network as GraphML and GEXF, for networkx, igraph and Gephi.

Places are nodes (id = slug), every row of twinnings.csv is an undirected edge with the
link's attributes. GEXF is dynamic: an edge lives from its start to its end (earliest
bounds; open where unknown), so Gephi's timeline plays the network over time.
Both are written as text line by line with the standard library's XML escaping: building
an ElementTree first took 24 of 38 s at the world network's scale (bench/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Iterator

from twinkg.exports.tables import Row, Tables

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
GEXF_NS = "http://www.gexf.net/1.2draft"

NODE_ATTRS = (("label", "string"), ("wikidata", "string"), ("country", "string"), ("latitude", "double"),
              ("longitude", "double"), ("population", "long"), ("place_type", "string"), ("fictional", "boolean"),
              ("degree", "int"), ("place_iri", "string"))
EDGE_ATTRS = (("twinning_id", "string"), ("kind", "string"), ("status", "string"), ("status_as_of", "string"),
              ("status_rests_on_conflict", "boolean"), ("alternative_status", "string"),
              ("start_earliest", "string"), ("start_latest", "string"), ("end_earliest", "string"),
              ("end_latest", "string"), ("distance_km", "double"), ("same_country", "boolean"),
              ("multilateral", "boolean"), ("graph", "string"), ("twinning_iri", "string"))
_GEXF_TYPES = {"string": "string", "double": "double", "long": "long", "int": "integer", "boolean": "boolean"}


def escape(text: str) -> str:
    """XML character data and attribute values (always written in double quotes)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def quoteattr(text: str) -> str:
    return f'"{escape(text)}"'


def _text(value: object) -> str | None:
    """The attribute's text, or None when the value is unknown (the attribute is then left out)."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return str(value)


def _edge_id(row: Row) -> str:
    return f"{row['twinning_id']}|{row['place_a_id']}|{row['place_b_id']}"


def _document(lines: Iterator[str]) -> bytes:
    return ("<?xml version='1.0' encoding='utf-8'?>\n" + "\n".join(lines) + "\n").encode("utf-8")


def graphml(tables: Tables) -> bytes:
    return _document(_graphml_lines(tables))


def _graphml_lines(tables: Tables) -> Iterator[str]:
    yield f'<graphml xmlns="{GRAPHML_NS}">'
    for scope, attrs in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        for name, kind in attrs:
            yield f'  <key id="{scope[0]}_{name}" for="{scope}" attr.name="{name}" attr.type="{kind}" />'
    yield '  <graph id="twinkg" edgedefault="undirected">'
    for place in tables.places:
        yield f'    <node id={quoteattr(str(place["place_id"]))}>{_graphml_data("n", NODE_ATTRS, place)}</node>'
    for row in tables.twinnings:
        yield (f'    <edge id={quoteattr(_edge_id(row))} source={quoteattr(str(row["place_a_id"]))} '
               f'target={quoteattr(str(row["place_b_id"]))}>{_graphml_data("e", EDGE_ATTRS, row)}</edge>')
    yield "  </graph>"
    yield "</graphml>"


def _graphml_data(scope: str, attrs: tuple[tuple[str, str], ...], row: Row) -> str:
    return "".join(f'<data key="{scope}_{name}">{escape(text)}</data>'
                   for name, _ in attrs if (text := _text(row[name])) is not None)


def gexf(tables: Tables) -> bytes:
    return _document(_gexf_lines(tables))


def _gexf_lines(tables: Tables) -> Iterator[str]:
    yield f'<gexf xmlns="{GEXF_NS}" version="1.2">'
    yield ("  <meta><creator>twinkg</creator><description>Town twinning network: places and links; an edge lives "
           "from the earliest bound of its start to the earliest bound of its end</description></meta>")
    yield '  <graph mode="dynamic" defaultedgetype="undirected" timeformat="date">'
    for cls, declared in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        yield f'    <attributes class="{cls}" mode="static">'
        for name, kind in declared:
            if name != "label":
                yield f'      <attribute id="{name}" title="{name}" type="{_GEXF_TYPES[kind]}" />'
        yield "    </attributes>"
    yield "    <nodes>"
    for place in tables.places:
        yield (f'      <node id={quoteattr(str(place["place_id"]))} label={quoteattr(str(place["label"]))}>'
               f'{_gexf_values(NODE_ATTRS, place)}</node>')
    yield "    </nodes>"
    yield "    <edges>"
    for row in tables.twinnings:
        span = "".join(f' {name}="{row[column]}"' for name, column in (("start", "start_earliest"), ("end", "end_earliest"))
                       if row[column])
        yield (f'      <edge id={quoteattr(_edge_id(row))} source={quoteattr(str(row["place_a_id"]))} '
               f'target={quoteattr(str(row["place_b_id"]))} label={quoteattr(str(row["twinning_id"]))}{span}>'
               f'{_gexf_values(EDGE_ATTRS, row)}</edge>')
    yield "    </edges>"
    yield "  </graph>"
    yield "</gexf>"


def _gexf_values(attrs: tuple[tuple[str, str], ...], row: Row) -> str:
    values = "".join(f'<attvalue for="{name}" value={quoteattr(text)} />'
                     for name, _ in attrs if name != "label" and (text := _text(row[name])) is not None)
    return f"<attvalues>{values}</attvalues>" if values else ""
