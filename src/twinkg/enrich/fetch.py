"""`twinkg enrich`: fetch what Wikidata says about the curated places and actors into the cache.

The ids come from the curated records (`wikidata:` fields). Ids not yet in
the cache are fetched in VALUES batches, one request at a time; a batch that
times out is split in two until it fits (a single id that still times out is
reported, the others go on); any other failure stops the run politely. Every
completed batch is in the cache before the next request, so an interrupted
run resumes where it stopped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from twinkg.config import Counter
from twinkg.curated.records import Dataset
from twinkg.enrich.cache import Cache, Fetch
from twinkg.enrich.client import EndpointError, QueryTimeout, Row, SparqlClient
from twinkg.enrich.queries import PQ, PS, WDT, WIKIBASE, P, items_query


def wanted_items(data: Dataset) -> dict[str, set[str]]:
    """Each Wikidata id of a place or actor, with the label languages the curated record already uses."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for place in data.places:
        if place.wikidata:
            wanted[place.wikidata] |= set(place.labels)
    for actor in data.actors:
        if actor.wikidata:
            wanted[actor.wikidata] |= set()
    return dict(wanted)


def qid_order(qid: str) -> int:
    return int(qid[1:])


@dataclass
class Outcome:
    fetched: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    """Already in the cache: no request made for these."""
    empty: list[str] = field(default_factory=list)
    """Fetched, but the endpoint knows nothing about them (deleted or merged items?)."""
    failed: dict[str, str] = field(default_factory=dict)
    """QID → why it was not fetched."""

    @property
    def ok(self) -> bool:
        return not self.failed


def enrich(data: Dataset, cache: Cache, client: SparqlClient, batch_size: int = 50,
           refresh: bool = False, progress: Counter = lambda done, total: None,
           now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> Outcome:
    return fetch_items(wanted_items(data), cache, client, batch_size, refresh, progress, now)


def fetch_items(wanted: dict[str, set[str]], cache: Cache, client: SparqlClient, batch_size: int = 50,
                refresh: bool = False, progress: Counter = lambda done, total: None,
                now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> Outcome:
    """Fetch the items not yet cached (each with the label languages wanted for it), batch by batch."""
    outcome = Outcome()
    have = set() if refresh else cache.fetched()
    outcome.cached = sorted((q for q in wanted if q in have), key=qid_order)
    todo = sorted((q for q in wanted if q not in have), key=qid_order)
    batches = [todo[i:i + batch_size] for i in range(0, len(todo), batch_size)]
    batches.reverse()  # a stack: split halves go on top and are done next
    done = 0
    progress(done, len(todo))
    while batches:
        batch = batches.pop()
        languages = set().union(*(wanted[q] for q in batch))
        query = items_query(batch, languages)
        try:
            rows = client.select(query)
        except QueryTimeout as exc:
            if len(batch) > 1:
                half = len(batch) // 2
                batches += [batch[half:], batch[:half]]
                continue
            outcome.failed[batch[0]] = str(exc)
            done += 1
            progress(done, len(todo))
            continue
        except EndpointError as exc:
            for qid in batch + [q for b in reversed(batches) for q in b]:
                outcome.failed[qid] = str(exc)
            break
        triples = select_population(rows_to_triples(rows))
        cache.write(Fetch(tuple(batch), client.endpoint, query, now().replace(microsecond=0)), triples)
        seen = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
        outcome.fetched += batch
        outcome.empty += [q for q in batch if not any(s.endswith("/" + q) for s in seen)]
        done += len(batch)
        progress(done, len(todo))
    return outcome


def rows_to_triples(rows: list[Row]) -> set[ox.Triple]:
    """`?s ?p ?o` rows → triples; blank nodes (Wikidata's "some value") are left out so builds stay reproducible."""
    out = set()
    for row in rows:
        s, p, o = row.get("s"), row.get("p"), row.get("o")
        if isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode) and isinstance(o, (ox.NamedNode, ox.Literal)):
            out.add(ox.Triple(s, p, o))
    return out


def select_population(triples: set[ox.Triple]) -> set[ox.Triple]:
    """Keep one population statement per item: the preferred one, else the latest by P585 (point in time).

    The kept statement also gets its truthy `wdt:P1082` unless it is deprecated.
    """
    statement_of = {t.object: t.subject for t in triples
                    if t.predicate.value == P + "P1082" and isinstance(t.object, ox.NamedNode)
                    and isinstance(t.subject, ox.NamedNode)}
    if not statement_of:
        return triples
    facts: dict[ox.NamedNode, dict[str, ox.NamedNode | ox.Literal]] = defaultdict(dict)
    for t in triples:
        if t.subject in statement_of and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, (ox.NamedNode, ox.Literal)):
            facts[t.subject][t.predicate.value] = t.object
    rank_order = {WIKIBASE + "PreferredRank": 2, WIKIBASE + "NormalRank": 1, WIKIBASE + "DeprecatedRank": 0}

    def key(st: ox.NamedNode) -> tuple[int, str, str]:
        f = facts[st]
        rank = f.get(WIKIBASE + "rank")
        return (rank_order.get(rank.value if rank else "", 1), str(f.get(PQ + "P585", "")), st.value)

    best: dict[ox.NamedNode, ox.NamedNode] = {}
    for st, item in statement_of.items():
        if item not in best or key(st) > key(best[item]):
            best[item] = st
    keep = set(best.values())
    dropped = set(statement_of) - keep
    out = {t for t in triples if t.subject not in dropped and not (t.predicate.value == P + "P1082" and t.object in dropped)}
    for item, st in best.items():
        f = facts[st]
        value = f.get(PS + "P1082")
        if value is not None and (f.get(WIKIBASE + "rank") or ox.NamedNode(WIKIBASE + "NormalRank")).value != WIKIBASE + "DeprecatedRank":
            out.add(ox.Triple(item, ox.NamedNode(WDT + "P1082"), value))
    return out
