"""Dates that keep their precision.

Sources say "1944", "March 2022" or "22 March 2022", and sometimes only
"late 1980s". A date is published with the XSD type of its stated precision
(`xsd:gYear`, `xsd:gYearMonth`, `xsd:date`), and every date also gets
`xsd:date` bounds so that range queries work whatever the precision.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from twinkg.errors import InputError
from twinkg.vocab import XSD

# ASCII digits only: `\d` would take "١٩٤٤" or "１９４４", which are no XSD lexical forms.
_YEAR = re.compile(r"([0-9]{4})")
_YEAR_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


class DateError(InputError, ValueError):
    """A date that cannot be read; the message says what was expected."""


@dataclass(frozen=True, order=True)
class Date:
    """A date as a source states it: the bounds come first so dates sort by them."""

    earliest: dt.date
    latest: dt.date
    lexical: str | None = None
    """`1944`, `2022-03` or `2022-03-22`; None for an approximate date."""
    datatype: str | None = None
    text: str | None = None
    """The stated wording of an approximate date ("late 1980s")."""

    @property
    def is_approximate(self) -> bool:
        return self.lexical is None

    @property
    def known_earliest(self) -> dt.date | None:
        """The earliest bound, or None when the source gives only a latest one ("before January 2020")."""
        return None if self.earliest == OPEN_START else self.earliest

    @property
    def known_latest(self) -> dt.date | None:
        """The latest bound, or None when the source gives only an earliest one ("after the war")."""
        return None if self.latest == OPEN_END else self.latest


OPEN_START = dt.date.min
"""The earliest bound of a date the source bounds only from above; sorts before every real date."""
OPEN_END = dt.date.max
"""The latest bound of a date the source bounds only from below."""


def parse_exact(value: object) -> Date:
    """Read a year, year-month or full date given as YAML scalar."""
    if isinstance(value, dt.datetime):
        raise DateError(f"expected a date without a time, got {value.isoformat()!r}")
    if isinstance(value, dt.date):
        return Date(value, value, value.isoformat(), XSD + "date")
    if isinstance(value, bool) or value is None:
        raise DateError(f"expected a date like 1944, 1944-11 or 1944-11-14, got {value!r}")
    text = str(value).strip()
    if text.startswith("0000"):
        raise DateError(f"there is no year 0 in {text!r}")
    if m := _YEAR.fullmatch(text):
        year = int(m[1])
        return Date(dt.date(year, 1, 1), dt.date(year, 12, 31), text, XSD + "gYear")
    if m := _YEAR_MONTH.fullmatch(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise DateError(f"month {month} is not between 1 and 12 in {text!r}")
        last = calendar.monthrange(year, month)[1]
        return Date(dt.date(year, month, 1), dt.date(year, month, last), text, XSD + "gYearMonth")
    if m := _DATE.fullmatch(text):
        try:
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as exc:
            raise DateError(f"{text!r} is not a real date ({exc})") from None
        return Date(day, day, text, XSD + "date")
    raise DateError(f"expected a date like 1944, 1944-11 or 1944-11-14, got {text!r}")


def parse(value: object) -> Date:
    """Read an exact date, or an approximate one given as a mapping.

    An approximate date is `{text: "late 1980s", earliest: 1985, latest: 1989}`:
    the wording is kept, and the bounds (each any exact date) make it queryable.
    A source may bound a date on one side only ("after the war",
    "before January 2020"): then one of earliest and latest is left out, and
    the date is open on that side rather than given an invented bound.
    """
    if isinstance(value, dict):
        unknown = set(value) - {"text", "earliest", "latest"}
        if unknown:
            raise DateError(f"unknown keys {sorted(unknown)} in an approximate date (allowed: text, earliest, latest)")
        given = {k for k in ("text", "earliest", "latest") if value.get(k) not in (None, "")}
        if "text" not in given or not given & {"earliest", "latest"}:
            raise DateError("an approximate date needs text and at least one of earliest and latest")
        earliest = parse_exact(value["earliest"]).earliest if "earliest" in given else OPEN_START
        latest = parse_exact(value["latest"]).latest if "latest" in given else OPEN_END
        if latest < earliest:
            raise DateError(f"latest ({latest}) is before earliest ({earliest})")
        return Date(earliest, latest, None, None, str(value["text"]))
    return parse_exact(value)
