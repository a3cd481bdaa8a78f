"""What the pages pay to read a SELECT's answer: the name index's NAMES query (the largest the pages ask: every name
of every place) on a build's dump, its answer read as the pages used to (json.loads of SPARQL JSON, untyped dicts)
and as Store.select reads it (pyoxigraph terms in store.Row), from SPARQL JSON and from TSV. Alternating, best of
N runs each; prints ms and the ratios to json.loads.

    .venv/bin/python bench/select_rows.py dist [N]
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from twinkg.formats import media_type
from twinkg.server.views.suggest import NAMES
from twinkg.store.base import Answer, Row, rows_of
from twinkg.vocab import PREFIXES

TERMS = (ox.NamedNode, ox.BlankNode, ox.Literal)


def main() -> None:
    out, n = Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 7
    store = ox.Store()
    store.bulk_load(gzip.decompress((out / "twinkg.nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS)
    answers = {fmt: store.query(NAMES, prefixes=PREFIXES, use_default_graph_as_union=True).serialize(format=fmt) or b""
               for fmt in (ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.TSV)}
    body, tsv = answers[ox.QueryResultsFormat.JSON], answers[ox.QueryResultsFormat.TSV]

    def rows_from_json() -> list[Row]:
        parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        assert isinstance(parsed, ox.QuerySolutions)
        names = [v.value for v in parsed.variables]
        return [Row({k: t for k, t in zip(names, s, strict=True) if isinstance(t, TERMS)}) for s in parsed]

    ways: dict[str, Callable[[], object]] = {
        "json.loads (before)": lambda: json.loads(body)["results"]["bindings"],
        "rows from JSON": rows_from_json,
        "rows from TSV (Store.select)": lambda: rows_of(Answer(media_type(ox.QueryResultsFormat.TSV), tsv)),
    }
    best = {name: float("inf") for name in ways}
    for _ in range(n):
        for name, way in ways.items():
            start = time.perf_counter()
            way()
            best[name] = min(best[name], time.perf_counter() - start)
    rows = len(rows_of(Answer(media_type(ox.QueryResultsFormat.TSV), tsv)))
    print(f"NAMES: {rows} rows, JSON {len(body) / 1e6:.1f} MB, TSV {len(tsv) / 1e6:.1f} MB (best of {n})")
    for name, seconds in best.items():
        print(f"{name:30} {seconds * 1000:7.0f} ms   x{seconds / best['json.loads (before)']:.2f}")


if __name__ == "__main__":
    main()
