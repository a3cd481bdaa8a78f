"""`twinkg enrich --world`: every item of Wikidata's P190 network, fetched into the cache like `enrich`.

Two phases, both resumable. Discovery pages through every item that has a
P190 statement or is named by one (all ranks), in a stable order; a page that
times out is halved until it fits, so no request risks the 60 s limit. The list
is kept in the cache (`world-items.json`, with endpoint and retrieval time), so
a warm run does not discover again. Then every listed item not yet cached is
fetched with the same query, batches, retries and provenance as `enrich`
(labels, P17 + P297, P625, P1082 + P585, P31, P1566, every P190 statement with
rank, qualifiers, time precision and reference URLs).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from twinkg.config import Counter
from twinkg.curated.records import Dataset
from twinkg.enrich.cache import Cache, atomic_write
from twinkg.enrich.client import EndpointError, QueryTimeout, SparqlClient
from twinkg.enrich.fetch import Outcome, fetch_items, qid_order, wanted_items
from twinkg.enrich.queries import WD, world_items_query
from twinkg.vocab import QID_RE

WORLD_ITEMS = "world-items.json"
PAGE_SIZE = 20_000
SMALLEST_PAGE = 1


def discover(client: SparqlClient, page_size: int = PAGE_SIZE) -> list[str]:
    """Every item in the P190 network, page by page; a page that times out is halved and asked again."""
    found: set[str] = set()
    offset, size = 0, page_size
    while True:
        try:
            rows = client.select(world_items_query(size, offset))
        except QueryTimeout:
            if size <= SMALLEST_PAGE:
                raise
            size //= 2
            continue
        for row in rows:
            item = row.get("item")
            if item is not None and item.value.startswith(WD) and QID_RE.match(item.value[len(WD):]):
                found.add(item.value[len(WD):])
        if len(rows) < size:
            return sorted(found, key=qid_order)
        offset += size


def known_items(cache: Cache) -> list[str] | None:
    """The items a previous discovery listed, or None if there is none (or it is unreadable: discover again)."""
    path = cache.dir / WORLD_ITEMS
    try:
        items = json.loads(path.read_text(encoding="utf-8"))["items"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(items, list) or not all(isinstance(q, str) and QID_RE.match(q) for q in items):
        return None
    return items


def enrich_world(data: Dataset, cache: Cache, client: SparqlClient, batch_size: int = 50, refresh: bool = False,
                 page_size: int = PAGE_SIZE, progress: Counter = lambda done, total: None,
                 now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> tuple[Outcome, int]:
    """Discover (unless a previous run did) and fetch the whole network; returns the outcome and the item count."""
    items = None if refresh else known_items(cache)
    if items is None:
        try:
            items = discover(client, page_size)
        except EndpointError as exc:
            outcome = Outcome()
            outcome.failed["discovery"] = str(exc)
            return outcome, 0
        when = now().astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
        atomic_write(cache.dir / WORLD_ITEMS, json.dumps(
            {"endpoint": client.endpoint, "retrieved": when, "items": items}, indent=0) + "\n")
    wanted: dict[str, set[str]] = {q: set() for q in items}
    for qid, languages in wanted_items(data).items():
        wanted.setdefault(qid, set()).update(languages)
    return fetch_items(wanted, cache, client, batch_size, refresh, progress, now), len(items)
