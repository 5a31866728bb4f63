"""A page's publication date, read as the page writes it, with day/month order decided by evidence.

"23 March 2021", "March 23, 2021" and "2021-03-23" say what they mean.  A numeric
"09/10/2021" does not: 10 September in the US, 9 October in Britain.  Its order
is decided by evidence, never by a guess about the site:

1. the date itself: a part above 12 can only be the day, and a weekday written
   with it ("Fri, 09/10/2021") fits only one reading;
2. the page: other numeric dates on it whose order the first rule decides
   ("Updated 23/10/2021") fix the page's convention, when they agree;
3. a caller's hint (``day_first``), when it has one.

When nothing decides, the date is not read (``""``) and the page's date stays
unknown; ``is_date`` still recognises the line as a date, so cleaning removes it
and keeps its text to show as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from assistant.ingest.text import month_number

#: A date line's own label: "Published 14/07/2023", "Last updated: March 3, 2022".
_LABEL = r"(?:(?:first |last )?(?:published|updated|posted|modified)(?: on)?:?\s+|date:\s*)?"
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY = r"(?:(?P<weekday>mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
_TIME = (
    r"(?:\s*(?:[,|–—-]|at|t)?\s*"  # separator: "– 08:25", "at 10:30", ISO "T08:25"
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?"
    r"\s*(?:[ap]\.?m\.?)?"
    r"\s*(?:z|[+-]\d{2}:?\d{2}|[a-z]{2,4})?)?"  # zone: Z, +01:00, ET, GMT
)
_NUMERIC = r"(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})"  # day/month order to be decided
_SHAPES = tuple(
    re.compile(_LABEL + _WEEKDAY + shape + _TIME)
    for shape in (
        r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})",
        _NUMERIC,
        r"(?P<month>[a-z]{3,9})\.? (?P<d>\d{1,2})(?:st|nd|rd|th)?,? (?P<y>\d{4})",
        r"(?P<d>\d{1,2})(?:st|nd|rd|th)? (?P<month>[a-z]{3,9})\.?,? (?P<y>\d{4})",
    )
)
#: A numeric date anywhere in a line, for the page's evidence.
_NUMERIC_IN_TEXT = re.compile(r"(?<![\w/])" + _WEEKDAY + _NUMERIC + r"(?![\w/])")


def _flat(text: str) -> str:
    return " ".join(text.split()).casefold()


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:  # month 0 (unknown name), day 31 of a short month, …
        return None


def _readings(parts: dict[str, str | None]) -> list[tuple[bool, date]]:
    """The valid readings of a numeric date as (day_first, date), weekday permitting."""
    a, b, year = int(parts["a"] or 0), int(parts["b"] or 0), int(parts["y"] or 0)
    found = []
    for day_first, (day, month) in ((True, (a, b)), (False, (b, a))):
        found_date = _day(year, month, day)
        weekday = parts.get("weekday")
        if found_date and (not weekday or _WEEKDAYS[found_date.weekday()] == weekday):
            found.append((day_first, found_date))
    return found


def _numeric(parts: dict[str, str | None], day_first: bool | None) -> str:
    readings = _readings(parts)
    if len({d for _, d in readings}) == 1:  # one reading, or both the same day ("05/05/2021")
        return readings[0][1].isoformat()
    chosen = [d for first, d in readings if first == day_first]
    return chosen[0].isoformat() if day_first is not None and chosen else ""


def parse_date(text: str, day_first: bool | None = None) -> str:
    """ISO ``YYYY-MM-DD`` when ``text`` is only a date (optionally labelled, with weekday and time)
    whose reading is certain, else ``""``.  Accepts "March 23, 2021", "Mar. 23, 2021",
    "23 March 2021", "2021-03-23" and numeric "Fri, 09/10/2021 – 08:25", whose day/month
    order comes from the date itself or, failing that, from ``day_first`` (the page's
    evidence: ``day_first_evidence``).  Front matter, HTML <head> and the date lines
    found by cleaning all go through it, so every source of a date yields the same form."""
    flat = _flat(text)
    for shape in _SHAPES:
        match = shape.fullmatch(flat)
        if not match:
            continue
        parts = match.groupdict()
        if parts.get("a"):
            return _numeric(parts, day_first)
        month = int(parts["m"]) if parts.get("m") else month_number(parts["month"])
        found = _day(int(parts["y"]), month, int(parts["d"]))
        return found.isoformat() if found else ""
    return ""


def is_date(text: str) -> bool:
    """Whether ``text`` is only a date, read or not (a numeric date of undecided order is one)."""
    return any(shape.fullmatch(_flat(text)) for shape in _SHAPES)


def day_first_evidence(lines: Iterable[str]) -> bool | None:
    """The page's day/month order, from its numeric dates whose own parts or weekday decide
    it: True (day first), False (month first), or None when none decides or they disagree."""
    orders = set()
    for line in lines:
        for match in _NUMERIC_IN_TEXT.finditer(_flat(line)):
            readings = _readings(match.groupdict())
            if len(readings) == 1:
                orders.add(readings[0][0])
    return orders.pop() if len(orders) == 1 else None
