"""The network as GraphML and GEXF, for networkx, igraph and Gephi.

Places are nodes (id = slug), every row of twinnings.csv is an undirected edge with the
link's attributes. GEXF is dynamic: an edge lives from its start to its end (earliest
bounds; open where unknown), so Gephi's timeline plays the network over time.
Written with the standard library: the formats are small, and the writer stays
deterministic (same data, same bytes).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

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


def _serialise(root: ET.Element) -> bytes:
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def graphml(tables: Tables) -> bytes:
    ET.register_namespace("", GRAPHML_NS)
    root = ET.Element(f"{{{GRAPHML_NS}}}graphml")
    for scope, attrs in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        for name, kind in attrs:
            ET.SubElement(root, f"{{{GRAPHML_NS}}}key", {"id": f"{scope[0]}_{name}", "for": scope,
                                                        "attr.name": name, "attr.type": kind})
    graph = ET.SubElement(root, f"{{{GRAPHML_NS}}}graph", {"id": "twinkg", "edgedefault": "undirected"})
    for place in tables.places:
        node = ET.SubElement(graph, f"{{{GRAPHML_NS}}}node", {"id": str(place["place_id"])})
        _graphml_data(node, "n", NODE_ATTRS, place)
    for row in tables.twinnings:
        edge = ET.SubElement(graph, f"{{{GRAPHML_NS}}}edge", {"id": _edge_id(row), "source": str(row["place_a_id"]),
                                                              "target": str(row["place_b_id"])})
        _graphml_data(edge, "e", EDGE_ATTRS, row)
    return _serialise(root)


def _graphml_data(parent: ET.Element, scope: str, attrs: tuple[tuple[str, str], ...], row: Row) -> None:
    for name, _ in attrs:
        if (text := _text(row[name])) is not None:
            ET.SubElement(parent, f"{{{GRAPHML_NS}}}data", {"key": f"{scope}_{name}"}).text = text


_GEXF_TYPES = {"string": "string", "double": "double", "long": "long", "int": "integer", "boolean": "boolean"}


def gexf(tables: Tables) -> bytes:
    ET.register_namespace("", GEXF_NS)
    root = ET.Element(f"{{{GEXF_NS}}}gexf", {"version": "1.2"})
    meta = ET.SubElement(root, f"{{{GEXF_NS}}}meta")
    ET.SubElement(meta, f"{{{GEXF_NS}}}creator").text = "twinkg"
    ET.SubElement(meta, f"{{{GEXF_NS}}}description").text = (
        "Town twinning network: places and links; an edge lives from the earliest bound of its start to the "
        "earliest bound of its end")
    graph = ET.SubElement(root, f"{{{GEXF_NS}}}graph", {"mode": "dynamic", "defaultedgetype": "undirected",
                                                         "timeformat": "date"})
    for cls, declared in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        block = ET.SubElement(graph, f"{{{GEXF_NS}}}attributes", {"class": cls, "mode": "static"})
        for name, kind in declared:
            if name != "label":
                ET.SubElement(block, f"{{{GEXF_NS}}}attribute", {"id": name, "title": name, "type": _GEXF_TYPES[kind]})
    nodes = ET.SubElement(graph, f"{{{GEXF_NS}}}nodes")
    for place in tables.places:
        node = ET.SubElement(nodes, f"{{{GEXF_NS}}}node", {"id": str(place["place_id"]), "label": str(place["label"])})
        _gexf_values(node, NODE_ATTRS, place)
    edges = ET.SubElement(graph, f"{{{GEXF_NS}}}edges")
    for row in tables.twinnings:
        attrs = {"id": _edge_id(row), "source": str(row["place_a_id"]), "target": str(row["place_b_id"]),
                 "label": str(row["twinning_id"])}
        if row["start_earliest"]:
            attrs["start"] = str(row["start_earliest"])
        if row["end_earliest"]:
            attrs["end"] = str(row["end_earliest"])
        edge = ET.SubElement(edges, f"{{{GEXF_NS}}}edge", attrs)
        _gexf_values(edge, EDGE_ATTRS, row)
    return _serialise(root)


def _gexf_values(parent: ET.Element, attrs: tuple[tuple[str, str], ...], row: Row) -> None:
    values = [(name, _text(row[name])) for name, _ in attrs if name != "label"]
    present = [(name, text) for name, text in values if text is not None]
    if present:
        block = ET.SubElement(parent, f"{{{GEXF_NS}}}attvalues")
        for name, text in present:
            ET.SubElement(block, f"{{{GEXF_NS}}}attvalue", {"for": name, "value": text})  # type: ignore[dict-item]
