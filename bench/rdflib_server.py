"""rdflib-endpoint serving the merged Turtle dump (the rdflib-based peer of the endpoint benchmark)."""

from __future__ import annotations

import sys

import rdflib
import uvicorn
from rdflib_endpoint import SparqlEndpoint


def main() -> None:
    dump, port = sys.argv[1], int(sys.argv[2])
    graph = rdflib.Graph()
    graph.parse(dump, format="turtle")
    app = SparqlEndpoint(graph=graph, path="/sparql", public_url=f"http://127.0.0.1:{port}/sparql")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
