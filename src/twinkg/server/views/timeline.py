"""Events and dates as pages show them: in the order of their bounds, each with a title, each date at the
precision its source states, and a place's timeline coloured by the status in force in each stretch.

Rules (README, "Pages"):

* Events are ordered by their bounds (the earliest, else the latest: "before 1991" sorts by 1990), then
  by the other bound; events with no bound at all come after the dated ones, apart, as "undated".
* An event without a label gets a title from its type and details: "Exchange (letter, gift) initiated
  by Coventry"; never a bare type name in lower case.
* A day bound written by the data (`xsd:date`) is shown at the precision it stands for: 1957-01-01 …
  1957-12-31 is "1957", 1990-12-31 as an upper bound alone is "by 1990", 1941-10-01 … 1941-10-31 is
  "October 1941"; an exact stated date (`tw:date`) is shown as stated.
* A link's start is one notion: the stated dates of its establishment claims ("1943 or 1944 (conflicting
  claims)"), else its bounds at their precision.
* A timeline segment runs from one dated lifecycle event (one whose type starts, suspends, ends or
  resumes the link) to the next, coloured by the status that event put in force; the last one runs to today
  when the link is still in force or suspended. Before its first dated lifecycle event a link has no bar.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from twinkg.lifecycle import ENDS, RESUMES, STARTS, SUSPENDS, EventTypes
from twinkg.server.views.model import Node
from twinkg.vocab import TW

IN_FORCE = {STARTS: "active", RESUMES: "active", SUSPENDS: "suspended", ENDS: "terminated"}
"""The status an event puts in force, by its type's lifecycle role (twinkg.lifecycle; proposals and exchanges
change nothing)."""
_DAY = re.compile(r"^(-?\d{4})-(\d{2})-(\d{2})$")


def event_kind(node: Node) -> str:
    """The name of the event's own class (tw:Establishment …): whichever tw: class it has besides tw:Event."""
    own = sorted(t[len(TW):] for t in node.types if t.startswith(TW) and t != TW + "Event")
    return own[0] if own else "Event"


def _day(value: str) -> dt.date | None:
    m = _DAY.match(value)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _month(day: dt.date) -> str:
    return f"{calendar.month_name[day.month]} {day.year}"


def bound_text(value: str, side: str) -> str:
    """A day bound at the precision it stands for: the first (`earliest`) or last (`latest`) day of a year
    or month reads as that year or month; any other day as the day."""
    day = _day(value)
    if day is None:
        return value
    if side == "earliest":
        if (day.month, day.day) == (1, 1):
            return str(day.year)
        if day.day == 1:
            return _month(day)
    else:
        if (day.month, day.day) == (12, 31):
            return str(day.year)
        if day.day == calendar.monthrange(day.year, day.month)[1]:
            return _month(day)
    return value


def span_text(early: str, late: str) -> str:
    """Two bounds in words: "1943", "October 1941", "between 1945 and 1983", "by 1990", "from 2001 on"."""
    if early and late:
        lo, hi = bound_text(early, "earliest"), bound_text(late, "latest")
        return lo if lo == hi else f"between {lo} and {hi}"
    if late:
        return f"by {bound_text(late, 'latest')}"
    if early:
        return f"from {bound_text(early, 'earliest')} on"
    return ""


def date_text(node: Node) -> str:
    """An event's date as its source states it: the exact date, or the bounds in words with the source's
    wording ("1943 (the 65th anniversary was marked in 2008)"); "undated" when it has neither."""
    text = node.text(TW + "dateText")
    date = node.text(TW + "date")
    span = span_text(node.text(TW + "earliest"), node.text(TW + "latest"))
    when = date or span
    if when and text:
        return f"{when} ({text})"
    return when or text or "undated"


def is_dated(node: Node) -> bool:
    return bool(node.text(TW + "earliest") or node.text(TW + "latest"))


def _key(node: Node) -> tuple[str, str, str]:
    early, late = node.text(TW + "earliest"), node.text(TW + "latest")
    return (early or late, late or early, node.iri)


def ordered_events(nodes: list[Node]) -> list[Node]:
    """Dated events by their bounds (earliest, else latest), then the undated ones (in IRI order)."""
    dated = sorted((n for n in nodes if is_dated(n)), key=_key)
    return dated + sorted((n for n in nodes if not is_dated(n)), key=lambda n: n.iri)


def event_title(node: Node) -> str:
    """The event's label, or a title from its type and details: its forms, who initiated it, its agents."""
    label = node.label if node.one("http://www.w3.org/2000/01/rdf-schema#label") else ""
    if label:
        return label
    kind = event_kind(node)
    details = [t.label for t in node.all(TW + "form")]
    by = [t.label for t in node.all(TW + "initiatedBy")]
    agents = [t.label for t in node.all(TW + "agent")]
    title = kind + (f" ({', '.join(details)})" if details else "")
    if by:
        title += f" initiated by {', '.join(by)}"
    elif agents:
        title += f" by {', '.join(agents)}"
    return title


def started_text(twinning: Node, events: list[Node], types: EventTypes) -> str:
    """The link's start, one notion: its establishment claims' dates ("1943 or 1944 (conflicting claims)"),
    else its start bounds in words."""
    claims = [e for e in ordered_events(events) if types.role_of_class(e.types) == STARTS and is_dated(e)]
    stated = list(dict.fromkeys(e.text(TW + "date") or span_text(e.text(TW + "earliest"), e.text(TW + "latest"))
                                for e in claims))
    if len(stated) > 1:
        return " or ".join(stated) + " (conflicting claims)"
    if stated:
        return stated[0]
    return span_text(twinning.text(TW + "startEarliest"), twinning.text(TW + "startLatest"))


def ended_text(twinning: Node) -> str:
    return span_text(twinning.text(TW + "endEarliest"), twinning.text(TW + "endLatest"))


def evidence_text(twinning: Node) -> str:
    """The day of a link's latest evidence at the precision it stands for ("1957", "March 2022")."""
    return bound_text(twinning.text(TW + "latestEvidence"), "latest")


def _year(value: str) -> float | None:
    m = re.match(r"(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not m:
        return None
    return int(m.group(1)) + (int(m.group(2) or 1) - 1) / 12 + (int(m.group(3) or 1) - 1) / 365


def _when(node: Node) -> float | None:
    return _year(node.text(TW + "earliest") or node.text(TW + "latest"))


def segments(events: list[Node], today: float, x: Callable[[float], float], types: EventTypes) -> list[dict[str, Any]]:
    """The stretches of a link's life, each coloured by the status its opening lifecycle event put in force."""
    changes = [(when, IN_FORCE[role], e) for e in ordered_events(events)
               for role in [types.role_of_class(e.types)] if role in IN_FORCE for when in [_when(e)] if when is not None]
    out: list[dict[str, Any]] = []
    for i, (when, status, event) in enumerate(changes):
        if i + 1 < len(changes):
            until = changes[i + 1][0]
        elif status == "terminated":
            break
        else:
            until = today
        if out and out[-1]["status"] == status:
            out[-1]["w"] = round(max(0.5, x(until) - float(out[-1]["x"])), 2)
            continue
        out.append({"x": x(when), "w": round(max(0.5, x(until) - x(when)), 2), "status": status,
                    "title": f"{status} from {date_text(event)}"})
    return out


def timeline(twinnings: list[tuple[Node, list[Node]]], today: dt.date, href: Callable[[str], str],
             types: EventTypes) -> dict[str, Any] | None:
    """One row per twinning with a dated event: its event marks and its segments by status."""
    now = today.year + (today.timetuple().tm_yday - 1) / 365
    years = [y for _, events in twinnings for e in events for y in [_when(e)] if y is not None]
    if not years:
        return None
    start = math.floor(min(years) / 10) * 10
    end = max(today.year, math.ceil(max(years))) + 1
    span = end - start

    def x(year: float) -> float:
        return round((year - start) / span * 100, 2)

    rows = []
    for tw, events in twinnings:
        marks = [{"x": x(y), "kind": event_kind(e), "role": types.role_of_class(e.types),
                  "title": f"{event_title(e)}: {date_text(e)}", "href": href(e.iri)}
                 for e in events for y in [_when(e)] if y is not None]
        if marks:
            status = tw.one(TW + "status")
            rows.append({"node": tw, "marks": marks, "segments": segments(events, now, x, types),
                         "status": status.local if status else "unknown"})
    ticks = [{"x": x(y), "year": y} for y in range(start, end + 1, max(10, (span // 80 + 1) * 10))]
    return {"rows": rows, "ticks": ticks}
