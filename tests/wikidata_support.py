"""Kept for tests written before tests/support existed: the same names, from `support.wikidata` and
`support.proxies`; the fixtures (`wikidata_endpoint`, `proxy`, `data_dir`) are everywhere already, from
`support.fixtures`, and need no import. New tests import from those modules."""

from __future__ import annotations

from support.proxies import FaultProxy, counting
from support.wikidata import CRAWL, CURATED, REPO, build_fixture, start_wikidata, statement_iri

__all__ = ["CRAWL", "CURATED", "REPO", "FaultProxy", "build_fixture", "counting", "start_wikidata", "statement_iri"]
