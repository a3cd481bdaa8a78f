"""A twinning's status, derived from its events as of a date.

Status is never typed in by hand: it follows from what happened, so it cannot
drift from the events that justify it.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from twinkg.curated.records import Event

LIFECYCLE = {
    "establishment": "active",
    "resumption": "active",
    "suspension": "suspended",
    "termination": "terminated",
}
CONCLUDED = {"active", "suspended", "terminated"}


def _order(event: Event) -> tuple[int, dt.date]:
    if event.date is not None:
        return (1, event.date.earliest)
    if event.type in ("establishment", "proposal"):
        return (0, dt.date.min)
    return (2, dt.date.max)


def ordered(events: Iterable[Event]) -> list[Event]:
    """Events in the order the derivation reads them: by earliest bound, undated beginnings first."""
    return sorted(events, key=_order)


def derive(events: Iterable[Event], as_of: dt.date) -> str:
    """The status code (active, suspended, terminated, proposed, unknown) as of a date."""
    status = "unknown"
    for event in ordered(events):
        if event.date is not None and event.date.earliest > as_of:
            continue
        if event.type == "proposal" and status == "unknown":
            status = "proposed"
        elif event.type in LIFECYCLE:
            status = LIFECYCLE[event.type]
    return status


def ever_concluded(events: Iterable[Event], as_of: dt.date) -> bool:
    """Whether the link was ever in force: it gets `tw:twinnedWith`, like Wikidata's P190."""
    return any(
        e.type == "establishment" and (e.date is None or e.date.earliest <= as_of) for e in events
    )


def alternatives(events: Iterable[Event], as_of: dt.date) -> set[str]:
    """The other statuses the link would have if one of two conflicting claims were dropped.

    A status that rests on a claim another source contradicts (Milan broke with
    Saint Petersburg in 2012, or suspended the link in 2013) is only as good as
    that claim; an empty set means the conflicts, if any, do not change it.
    """
    events = tuple(events)
    by_id = {e.id: e for e in events}
    status = derive(events, as_of)
    found: set[str] = set()
    for event in events:
        for other in (by_id[i] for i in event.conflicts_with if i in by_id):
            for dropped in (event, other):
                if dropped.type in LIFECYCLE or dropped.type == "proposal":
                    found.add(derive([e for e in events if e is not dropped], as_of))
    return found - {status}
