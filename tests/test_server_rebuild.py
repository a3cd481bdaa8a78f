"""A rebuild into the folder a server is serving: the server keeps serving the build it started with, as a
whole (SPARQL, pages and their ETags, /dumps, SHA256SUMS, /dataset), until it is restarted; then the new one."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from support.builds import MINI
from support.processes import BIN, Server, start_twinkg

pytestmark = pytest.mark.slow

LABEL_QUERY = 'SELECT ?l WHERE { <https://w3id.org/twinkg/id/place/alpha-town> rdfs:label ?l FILTER(LANG(?l) = "en") }'


def snapshot(srv: Server) -> dict[str, object]:
    """What a client sees of the build, by every route that shows it."""
    with srv.client() as c:
        page = c.get("/page/id/place/alpha-town", headers={"Accept": "text/html"})
        sums = c.get("/dumps/SHA256SUMS").text
        dump = c.get("/dumps/twinkg.nq.gz")
        dataset = c.get("/dataset", headers={"Accept": "text/html"}).text
        label = c.get("/sparql", params={"query": LABEL_QUERY}).json()["results"]["bindings"][0]["l"]["value"]
    listed = dict(line.split()[::-1] for line in sums.splitlines())
    return {"label": label, "page_has_label": label in page.text, "page_etag": page.headers["etag"],
            "sums": sums, "dump_matches_sums": hashlib.sha256(dump.content).hexdigest() == listed["twinkg.nq.gz"],
            "dump_etag": dump.headers["etag"], "dataset_lists_sums": listed["twinkg.nq.gz"] in dataset}


def build(data: Path, out: Path) -> None:
    subprocess.run([str(BIN / "twinkg"), "build", "--data", str(data), "--out", str(out)], check=True,
                   capture_output=True)


def test_a_running_server_keeps_its_build_as_a_whole_until_restarted(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "dist"
    shutil.copytree(MINI, data)
    build(data, out)
    srv = start_twinkg(out, data, tmp_path, "--quiet")
    try:
        before = snapshot(srv)
        assert before["label"] == "Alpha Town" and before["page_has_label"] and before["dump_matches_sums"]
        assert before["dataset_lists_sums"]
        places = data / "places.yaml"
        places.write_text(places.read_text().replace("label: Alpha Town", "label: Alpha City"))
        build(data, out)
        assert (out / "SHA256SUMS").read_text() != before["sums"]  # the folder holds the new build ...
        assert snapshot(srv) == before  # ... and the server every part of the old one
    finally:
        srv.stop()
    srv = start_twinkg(out, data, tmp_path, "--quiet")
    try:
        after = snapshot(srv)
        assert after["label"] == "Alpha City" and after["page_has_label"] and after["dump_matches_sums"]
        assert after["dataset_lists_sums"] and after["sums"] == (out / "SHA256SUMS").read_text()
        assert after["page_etag"] != before["page_etag"] and after["dump_etag"] != before["dump_etag"]
    finally:
        srv.stop()
