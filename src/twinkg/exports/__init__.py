"""Files for network analysis beside the RDF dumps: CSV with CSVW metadata, GraphML, GEXF.

The build writes them as of its own date; `twinkg export --as-of YEAR` writes the same
files for the network as it stood at the end of a year.
"""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox

from twinkg.exports import csvw, networks
from twinkg.exports.tables import GraphTables, Tables, tables
from twinkg.vocab import Iris

FORMATS = ("csv", "graphml", "gexf")


def render(result: Tables, base: str, formats: tuple[str, ...] = FORMATS, note: str = "") -> dict[str, bytes]:
    """The bytes of each export file of the chosen formats, by file name."""
    files: dict[str, bytes] = {}
    if "csv" in formats:
        for spec, rows in zip(csvw.TABLES, (result.twinnings, result.places, result.events), strict=True):
            files[spec.filename] = csvw.render_csv(spec, rows)
            files[spec.filename + "-metadata.json"] = csvw.render_metadata(spec, base, note)
    network = networks.prepare(result) if {"graphml", "gexf"} & set(formats) else None
    if network and "graphml" in formats:
        files["twinkg.graphml"] = networks.graphml(network)
    if network and "gexf" in formats:
        files["twinkg.gexf"] = networks.gexf(network)
    return files


def render_exports(store: ox.Store, iris: Iris, as_of: dt.date, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """The export files of a build (its store of named graphs, `graphs.store_of`), as of a day."""
    return render(tables(GraphTables(store, iris), as_of), iris.base, formats)
