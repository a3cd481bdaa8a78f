"""A twinning's status, derived from its events as of a date.

Status is never typed in by hand: it follows from what happened, so it cannot
drift from the events that justify it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from twinkg.dates import Date
from twinkg.lifecycle import ENDS, PROPOSES, RESUMES, STARTS, SUSPENDS, role_of


class Happening(Protocol):
    """What the derivation reads of an event: its type code and its date (curated records and
    events read back from a graph both fit)."""

    @property
    def type(self) -> str: ...

    @property
    def date(self) -> Date | None: ...

    @property
    def id(self) -> str: ...

    @property
    def conflicts_with(self) -> tuple[str, ...]: ...


E = TypeVar("E", bound=Happening)

STATUS_AFTER = {STARTS: "active", RESUMES: "active", SUSPENDS: "suspended", ENDS: "terminated"}
"""The status a link has after an event of each lifecycle role (twinkg.lifecycle: the roles come from the ontology)."""


def _after(event: Happening) -> str | None:
    role = role_of(event.type)
    return STATUS_AFTER.get(role) if role else None


def _order(event: Happening) -> tuple[int, dt.date]:
    if event.date is not None:
        return (1, event.date.earliest)
    if role_of(event.type) in (STARTS, PROPOSES):
        return (0, dt.date.min)
    return (2, dt.date.max)


def ordered(events: Iterable[E]) -> list[E]:
    """Events in the order the derivation reads them: by earliest bound, undated beginnings first."""
    return sorted(events, key=_order)


def derive(events: Iterable[Happening], as_of: dt.date) -> str:
    """The status code (active, suspended, terminated, proposed, unknown) as of a date."""
    status = "unknown"
    for event in ordered(events):
        if event.date is not None and event.date.earliest > as_of:
            continue
        after = _after(event)
        if role_of(event.type) == PROPOSES and status == "unknown":
            status = "proposed"
        elif after is not None:
            status = after
    return status


def ever_concluded(events: Iterable[Happening], as_of: dt.date) -> bool:
    """Whether the link was ever in force: it gets `tw:twinnedWith`, like Wikidata's P190."""
    return any(
        role_of(e.type) == STARTS and (e.date is None or e.date.earliest <= as_of) for e in events
    )


def alternatives(events: Iterable[E], as_of: dt.date,
                 rule: Callable[[Sequence[Happening], dt.date], str] | None = None) -> set[str]:
    """The other statuses the link would have if one of two conflicting claims were dropped.

    A status that rests on a claim another source contradicts (Milan broke with
    Saint Petersburg in 2012, or suspended the link in 2013) is only as good as
    that claim; an empty set means the conflicts, if any, do not change it. `rule` derives a
    status from events (default `derive`; the tables pass `evidenced` with the link's listings).
    """
    events = tuple(events)
    if not any(e.conflicts_with for e in events):  # most links: no claim to drop, so no status to derive twice
        return set()
    by_id = {e.id: e for e in events}
    rule = rule or derive
    status = rule(events, as_of)
    found: set[str] = set()
    for event in events:
        for other in (by_id[i] for i in event.conflicts_with if i in by_id):
            for dropped in (event, other):
                if role_of(dropped.type) is not None:
                    found.add(rule([e for e in events if e is not dropped], as_of))
    return found - {status}


Bounds = tuple[dt.date | None, dt.date | None]
"""(earliest, latest): the day something happened lies between them, both included; None where the
sources leave that side open ("after the war")."""


@dataclass(frozen=True)
class Lifecycle:
    """The link's own dates, so that an edge list needs no event arithmetic.

    `start` bounds the first event that starts it; `end` bounds the moment the link last went out of
    force (its first event that suspends or ends it since it was last in force), and only when it is
    out of force as of the date; `latest_evidence` is the day by which the latest dated evidence
    (an event or a source) is known to have happened: the status is "as of" that day."""

    start: Bounds | None
    end: Bounds | None
    latest_evidence: dt.date | None


def _first_of(events: Sequence[Happening]) -> Bounds | None:
    """Bounds of the first of several happenings: none is before the least earliest bound, and
    the first is no later than the least latest bound. Claims that conflict are alternatives,
    not successive happenings, so where any do, the bounds span all of them."""
    dates = [e.date for e in events if e.date is not None]
    if not dates:
        return None
    ids = {e.id for e in events if e.date is not None}
    conflicting = any(ids.intersection(e.conflicts_with) for e in events if e.date is not None)
    # Open sides are OPEN_START / OPEN_END, which sort outside every real date: min and max treat
    # them right, and they are turned back into "unknown" at the end.
    first = Date(min(d.earliest for d in dates), (max if conflicting else min)(d.latest for d in dates))
    return first.known_earliest, first.known_latest


def lifecycle(events: Iterable[Happening], as_of: dt.date, evidence: Iterable[Date] = ()) -> Lifecycle:
    """Start and end bounds and the latest evidence as of a date; events after it are not yet known.

    `evidence` holds the dates of the sources that state the link, which are evidence too."""
    known = [e for e in ordered(events) if e.date is None or e.date.earliest <= as_of]
    start = _first_of([e for e in known if role_of(e.type) == STARTS])
    out_of_force: list[Happening] = []
    status = "unknown"
    for event in known:
        after = _after(event)
        if after is None:
            continue
        status = after
        out_of_force = [] if status == "active" else [*out_of_force, event]
    end = _first_of(out_of_force) if status in ("suspended", "terminated") else None
    dates = [e.date for e in known if e.date is not None] + [d for d in evidence if d.earliest <= as_of]
    by = [d.known_latest for d in dates if d.known_latest is not None]
    latest = min(max(by), as_of) if by else None
    return Lifecycle(start, end, latest)


@dataclass(frozen=True)
class Listing:
    """A dated source's word on a link: it lists the link, or, being complete for both partners
    (it covers them and would list the link if it held), it does not ("no longer listed")."""

    date: dt.date
    listed: bool = True


NO_LONGER_LISTED = "no-longer-listed"


def _effective(event: Happening) -> dt.date | None:
    """The day from which a dated event is evidence: its earliest bound, or, when the source leaves
    that side open ("before 2020"), the day by which it had happened."""
    if event.date is None:
        return None
    return event.date.known_earliest or event.date.known_latest


def evidenced(events: Iterable[Happening], as_of: dt.date, listings: Iterable[Listing] = (),
              evidence: Iterable[dt.date] = ()) -> str:
    """The status as of a day from what is evidenced by then (docs/data-model.md, "Time, honestly").

    A link is evidenced at a day only by a dated event or a dated source: before its first
    evidence its state is unknown, never active. Dated events count from their earliest bound
    (as in `derive`; from their latest one where the source leaves the start open, "in force
    before July 2020"), in the order `derive` reads them; undated events count from the first evidence of the link (a dated event, a
    listing, or a day in `evidence`: the dates of the sources that state it). A listing makes a
    link not known to be in force active; a complete source that no longer lists an active link
    makes it no longer listed. Events outrank listings: a listing neither revives a suspended or
    terminated link nor concludes a proposed one."""
    events = tuple(events)
    steps: list[tuple[dt.date, int, Happening | Listing]] = []
    for event in events:
        if (day := _effective(event)) is not None and day <= as_of:
            steps.append((event.date.earliest if event.date else day, 1, event))  # in the order `derive` reads them
    steps += [(listing.date, 2, listing) for listing in listings if listing.date <= as_of]
    first = min([day for day, _, _ in steps] + [day for day in evidence if day <= as_of], default=None)
    if first is not None:
        for event in events:
            if event.date is None:
                before = _order(event)[1] == dt.date.min
                steps.append((first if before else as_of, 0 if before else 3, event))
    status = "unknown"
    for _, _, step in sorted(steps, key=lambda s: (s[0], s[1])):
        if isinstance(step, Listing):
            if step.listed and status in ("unknown", NO_LONGER_LISTED):
                status = "active"
            elif not step.listed and status == "active":
                status = NO_LONGER_LISTED
        elif role_of(step.type) == PROPOSES and status == "unknown":
            status = "proposed"
        elif (after := _after(step)) is not None:
            status = after
    return status


def evidenced_from(events: Iterable[Happening], listings: Iterable[Listing] = (),
                   evidence: Iterable[dt.date] = ()) -> dt.date | None:
    """The first day anything evidences the link (a dated event's earliest bound, a listing, a
    dated source): before it the link's state is unknown. None when nothing about it is dated."""
    days = [day for e in events if (day := _effective(e)) is not None]
    days += [listing.date for listing in listings if listing.listed]
    days += list(evidence)
    return min(days, default=None)
