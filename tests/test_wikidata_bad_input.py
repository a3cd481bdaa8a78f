"""Broken review files, unusable endpoint URLs and hand-edited manifests give clear errors, not tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from twinkg.enrich.cache import Cache
from twinkg.enrich.client import EndpointError, SparqlClient
from twinkg.enrich.reconcile import ReviewError, read_review


@pytest.mark.parametrize("text", ["- a\n", "places: [5]\n", "places: 7\n", "places: [{accept: Q5}]\n"])
def test_broken_review_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "review.yaml"
    path.write_text(text)
    with pytest.raises(ReviewError) as info:
        read_review(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("url", ["http://", "http://[::1", "ftp-ish:nothing"])
def test_unusable_endpoint_url(url: str) -> None:
    with SparqlClient(url) as client, pytest.raises(EndpointError):
        client.select("ASK {}")


def test_hand_edited_manifest_cannot_point_outside_the_cache(tmp_path: Path) -> None:
    cache_dir = tmp_path / "wikidata"
    cache_dir.mkdir()
    (tmp_path / "places.yaml").write_text("places: []\n")
    (cache_dir / "manifest.json").write_text(json.dumps({"items": {"Q1": "../places.yaml", "Q2": 5}}))
    cache = Cache(cache_dir, "https://w3id.org/twinkg/")
    assert cache.fetched() == set()
    (cache_dir / "manifest.json").write_text(json.dumps({"items": [1]}))
    assert Cache(cache_dir, "https://w3id.org/twinkg/").fetched() == set()
