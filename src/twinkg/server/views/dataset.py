"""The dataset: /dataset (its graphs, its files with their checksums, schema.org markup), /dumps/ (the same
page) and /statistics (the network in numbers and charts)."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from twinkg.output import FILES
from twinkg.server import conneg
from twinkg.server.cache import cached
from twinkg.server.config import ServerConfig
from twinkg.server.discovery import dataset_markup
from twinkg.server.files import dump_files, void
from twinkg.server.render import render
from twinkg.server.statistics import statistics_page
from twinkg.server.views.model import Node, iri, json_script, short, statements
from twinkg.vocab import DCT

VOID = "http://rdfs.org/ns/void#"


async def dataset_page(request: Request) -> Response:
    config: ServerConfig = request.app.state.config
    accept = request.headers.get("accept")
    if request.url.path == "/dataset" and not conneg.prefers_html(accept, conneg.GRAPH_OFFERS) and accept:
        return await void(request)
    ds = config.iris.dataset()
    nodes = await statements(config, f"GRAPH {iri(config.iris.graph('meta'))} {{ ?s ?p ?o }}")
    dataset = nodes.get(ds, Node(ds))
    graphs = []
    for g in dataset.all(VOID + "subset"):
        sub = nodes.get(g.value)
        graphs.append({"iri": g.value, "triples": sub.text(VOID + "triples") if sub else "?"})
    files = []
    if config.out_dir is not None:
        for name, digest in sorted(dump_files(config.out_dir).items()):
            path = config.out_dir / name
            if path.is_file():
                about = FILES.get(name)
                files.append({"name": name, "size": path.stat().st_size, "sha256": digest,
                              "media_type": about.media_type if about else "application/octet-stream",
                              "gzip": about is not None and about.content_type == "application/gzip",
                              "description": about.title if about else ""})
    markup = dataset_markup(config, dataset.label, dataset.text(DCT + "description"), dataset.text(DCT + "modified"), files)
    return render(request, "dataset.html", {"title": "Dataset", "dataset": dataset, "graphs": graphs, "files": files,
                                            "DCT": DCT, "short": short,
                                            "markup": json_script(json.dumps(markup, ensure_ascii=False).encode())})


routes: list[BaseRoute] = [
    Route("/dataset", cached(dataset_page), name="dataset"),
    Route("/statistics", cached(statistics_page), name="statistics"),
    Route("/dumps/", dataset_page),
]
