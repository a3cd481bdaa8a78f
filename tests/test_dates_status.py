"""Dates keep their precision and bounds; a twinning's status is derived from its events."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twinkg import dates
from twinkg.curated.records import Event, Where
from twinkg.status import alternatives, derive, ever_concluded, lifecycle
from twinkg.vocab import XSD

HERE = Where("test.yaml", 1)


@pytest.mark.parametrize("value, lexical, datatype, earliest, latest", [
    (1944, "1944", "gYear", "1944-01-01", "1944-12-31"),
    ("2022-03", "2022-03", "gYearMonth", "2022-03-01", "2022-03-31"),
    ("2024-02", "2024-02", "gYearMonth", "2024-02-01", "2024-02-29"),
    ("2022-03-22", "2022-03-22", "date", "2022-03-22", "2022-03-22"),
    (dt.date(1941, 10, 6), "1941-10-06", "date", "1941-10-06", "1941-10-06"),
])
def test_precision(value: object, lexical: str, datatype: str, earliest: str, latest: str) -> None:
    d = dates.parse(value)
    assert (d.lexical, d.datatype, d.earliest.isoformat(), d.latest.isoformat()) == (lexical, XSD + datatype, earliest, latest)


def test_a_date_bounded_on_one_side_stays_open_on_the_other() -> None:
    before = dates.parse({"text": "before January 2020", "latest": "2020-01"})
    assert (before.known_earliest, before.known_latest) == (None, dt.date(2020, 1, 31))
    after = dates.parse({"text": "after the war", "earliest": 1945})
    assert (after.known_earliest, after.known_latest) == (dt.date(1945, 1, 1), None)
    assert before < after  # open starts sort first, like undated beginnings


def test_approximate_date_keeps_text_and_bounds() -> None:
    d = dates.parse({"text": "late 1980s", "earliest": 1985, "latest": 1989})
    assert d.is_approximate and d.text == "late 1980s"
    assert (d.earliest, d.latest) == (dt.date(1985, 1, 1), dt.date(1989, 12, 31))


@pytest.mark.parametrize("bad", ["0000", "0000-05", "1944-02-30", "1944-00", "44", "1944/03", "March 1944", None, True, "2022-03-22T10:00",
                                 {"text": "x"}, {"text": "x", "earliest": 1990, "latest": 1980, "extra": 1}])
def test_bad_dates_raise_date_error(bad: object) -> None:
    with pytest.raises(dates.DateError):
        dates.parse(bad)


@pytest.mark.parametrize("digits", ["١٩٤٤", "１９４４", "१९४४", "1944-0３", "1944-03-2２", "١٩٤٤-١١-١٤"])
def test_dates_need_ascii_digits(digits: str) -> None:
    with pytest.raises(dates.DateError):
        dates.parse(digits)
    with pytest.raises(dates.DateError):
        dates.parse({"text": "around then", "earliest": digits, "latest": "1950"})


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_any_real_date_round_trips_at_every_precision(day: dt.date) -> None:
    full = dates.parse(day.isoformat())
    month = dates.parse(day.isoformat()[:7])
    year = dates.parse(day.isoformat()[:4])
    assert full.earliest == full.latest == day
    assert month.earliest <= day <= month.latest and month.earliest.day == 1
    assert year.earliest <= day <= year.latest
    assert (month.latest + dt.timedelta(days=1)).day == 1


@given(st.text(max_size=12))
def test_parse_never_raises_anything_but_date_error(text: str) -> None:
    try:
        dates.parse(text)
    except dates.DateError:
        pass


def ev(type_: str, date: object = None, eid: str = "e", conflicts: tuple[str, ...] = ()) -> Event:
    return Event(id=eid, type=type_, sources=("s",), where=HERE, date=dates.parse(date) if date is not None else None,
                 conflicts_with=conflicts)


TODAY = dt.date(2026, 11, 1)


@pytest.mark.parametrize("events, expected", [
    ([], "unknown"),
    ([ev("exchange", 1941)], "unknown"),
    ([ev("proposal", 1990)], "proposed"),
    ([ev("proposal", 1990), ev("establishment", 1991)], "active"),
    ([ev("establishment", 1944), ev("suspension", "2022-03")], "suspended"),
    ([ev("suspension", "2022-03"), ev("establishment", 1944)], "suspended"),
    ([ev("establishment", 1944), ev("suspension", 2014), ev("resumption", 2016)], "active"),
    ([ev("establishment", 1944), ev("termination", 2022), ev("exchange", 2023)], "terminated"),
    ([ev("establishment"), ev("termination", 2013)], "terminated"),
    ([ev("termination"), ev("establishment", 1950)], "terminated"),
    ([ev("establishment", 1944), ev("suspension", 2030)], "active"),
    ([ev("establishment", 1944), ev("proposal", 2000)], "active"),
])
def test_status_derivation(events: list[Event], expected: str) -> None:
    assert derive(events, TODAY) == expected


def test_status_is_as_of_the_build_date() -> None:
    events = [ev("establishment", 1944), ev("suspension", "2022-03-22")]
    assert derive(events, dt.date(2022, 3, 21)) == "active"
    assert derive(events, dt.date(2022, 3, 22)) == "suspended"


def test_ever_concluded() -> None:
    assert not ever_concluded([ev("proposal", 1990)], TODAY)
    assert ever_concluded([ev("establishment"), ev("termination", 2000)], TODAY)
    assert not ever_concluded([ev("establishment", 2030)], TODAY)


def test_status_resting_on_conflicting_claims_names_the_alternative() -> None:
    """Milan: broken off in 2012 (one source) or suspended in 2013 (another): suspended, or else terminated."""
    milan = [ev("establishment", eid="a"), ev("termination", 2012, "b", ("c",)), ev("suspension", 2013, "c")]
    assert derive(milan, TODAY) == "suspended"
    assert alternatives(milan, TODAY) == {"terminated"}


def test_conflicts_that_do_not_change_the_status_are_not_marked() -> None:
    rival_foundings = [ev("establishment", 1943, "a", ("b",)), ev("establishment", 1944, "b"), ev("suspension", 2022, "c")]
    assert alternatives(rival_foundings, TODAY) == set()
    letters = [ev("exchange", 1941, "a", ("b",)), ev("exchange", 1942, "b"), ev("establishment", 1944, "c")]
    assert alternatives(letters, TODAY) == set()
    assert alternatives([ev("establishment", 1944, "a", ("elsewhere",))], TODAY) == set()


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize("events, start, end, evidence", [
    ([], None, None, None),
    ([ev("establishment")], None, None, None),
    ([ev("establishment", 1944), ev("suspension", "2022-03")], ("1944-01-01", "1944-12-31"), ("2022-03-01", "2022-03-31"), "2022-03-31"),
    # suspended, then terminated: it went out of force at the suspension
    ([ev("establishment", 1957), ev("suspension", 2014), ev("termination", "2022-03-05")],
     ("1957-01-01", "1957-12-31"), ("2014-01-01", "2014-12-31"), "2022-03-05"),
    # resumed: in force again, no end; the latest evidence is the resumption
    ([ev("establishment", 1944), ev("suspension", 2014), ev("resumption", 2016)], ("1944-01-01", "1944-12-31"), None, "2016-12-31"),
    # an approximate start is a bound like any other; an exchange is evidence too
    ([ev("establishment", {"text": "late 1950s", "earliest": 1956, "latest": 1959}), ev("exchange", 1970)],
     ("1956-01-01", "1959-12-31"), None, "1970-12-31"),
    # two establishments in sequence: the first bounds the start
    ([ev("establishment", 1950, "a"), ev("establishment", 1960, "b")], ("1950-01-01", "1950-12-31"), None, "1960-12-31"),
    # two conflicting claims about the start: the bounds span both
    ([ev("establishment", 1950, "a", ("b",)), ev("establishment", 1953, "b")], ("1950-01-01", "1953-12-31"), None, "1953-12-31"),
    # what happens after the as-of date is not yet known; evidence never passes it
    ([ev("establishment", 1944), ev("termination", 2030)], ("1944-01-01", "1944-12-31"), None, "1944-12-31"),
    ([ev("establishment", 2026)], ("2026-01-01", "2026-12-31"), None, "2026-11-01"),
])
def test_lifecycle_bounds(events: list[Event], start: tuple[str, str] | None, end: tuple[str, str] | None,
                          evidence: str | None) -> None:
    life = lifecycle(events, TODAY)
    assert life.start == (tuple(map(d, start)) if start else None)
    assert life.end == (tuple(map(d, end)) if end else None)
    assert life.latest_evidence == (d(evidence) if evidence else None)


def test_a_dated_source_is_evidence() -> None:
    assert lifecycle([ev("establishment")], TODAY, [dates.parse(2017)]).latest_evidence == d("2017-12-31")
    assert lifecycle([], TODAY, [dates.parse(2030)]).latest_evidence is None
