"""Relative dates in a quoted sentence, resolved against the article's publication date.

A reader of "The minister visited Nairobi last week" needs to know which week.  When the
article's date is known, each relative expression gets a note such as
``"Thursday night" = 2021-09-09``:

* a bare weekday ("on Thursday", "Thursday night") is the most recent such day
  before publication, or the publication day itself when it is that weekday
  (news convention: a bare weekday is within the past week, so a future-tense
  "will meet Thursday" is resolved backwards too).  "last Thursday" is strictly
  before publication, "next Thursday" strictly after, "this Thursday" is that
  day of the publication's Monday-to-Sunday week;
* "yesterday", "today", "tomorrow";
* "last/this/next week" (also "earlier/later this week") as ``week of`` the
  Monday that starts that week;
* "last/this/next month" (also "earlier/later this month") as a month and year;
* "last/this/next year" (also "earlier/later this year") as a year.

Left alone on purpose: spans rather than dates ("in the last year", "over the
next week", "the last Thursday of March": any relative phrase after "the");
weekdays that are part of an explicit date ("Thursday, March 18", "Thursday 18
March"), where the text already says the date; named days ("Good Friday",
"Super Tuesday"); and anything that would fall outside the years 1-9999.
"""

from __future__ import annotations

import re
import string
from datetime import date, timedelta

from assistant.ingest.text import MONTH_PATTERN, MONTHS

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_NAMED_DAYS = ("good", "black", "cyber", "super", "ash", "easter", "palm", "holy")
_NOT_NAMED_DAY = "".join(rf"(?<!{word}\s)" for word in _NAMED_DAYS)
_WEEKDAY_WORDS = "|".join(WEEKDAYS)
_MONTH_WORDS = MONTH_PATTERN

# Matched against ASCII-lowercased text (see ``resolve_relative_dates``), so no IGNORECASE.
_PATTERN = re.compile(
    rf"""
    (?<![\w-])
    (?P<the>the\s+)?                                # "the last year" is a span, not a date
    (?:
        (?:(?P<wrel>last|this|next)\s+)?
        {_NOT_NAMED_DAY}
        (?P<wday>{_WEEKDAY_WORDS})
        (?:\s+(?:morning|afternoon|evening|night)(?![\w-]))?+  # possessive: keep "night" for the next check
        (?!,?\s+(?:                                 # part of an explicit date
            (?:{_MONTH_WORDS})\.?\s+[0-9]
            | [0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH_WORDS})(?![\w-])
            | [0-9]{{1,2}}/[0-9]
        ))
      | (?P<day>yesterday|today|tomorrow)
      | (?P<prel>last|this|next|earlier\s+this|later\s+this)\s+(?P<unit>week|month|year)
    )
    (?![\w-])
    """,
    re.VERBOSE,
)
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DAY_SHIFT = {"yesterday": -1, "today": 0, "tomorrow": 1}
_SHIFT = {"last": -1, "next": 1}  # "this", "earlier this", "later this": the publication's own period


def _weekday(name: str, relation: str | None, published: date) -> date:
    target = WEEKDAYS.index(name)
    if relation == "this":
        return published + timedelta(days=target - published.weekday())
    if relation == "next":
        return published + timedelta(days=(target - published.weekday()) % 7 or 7)
    back = (published.weekday() - target) % 7
    return published - timedelta(days=back or (7 if relation == "last" else 0))


def _period(relation: str, unit: str, published: date) -> str:
    shift = _SHIFT.get(relation.split()[0], 0)
    if unit == "week":
        monday = published - timedelta(days=published.weekday()) + timedelta(weeks=shift)
        return f"week of {monday.isoformat()}"
    if unit == "month":
        index = published.year * 12 + published.month - 1 + shift
        first = date(index // 12, index % 12 + 1, 1)
        return f"{MONTHS[first.month - 1].title()} {first.year:04d}"
    return f"{date(published.year + shift, 1, 1).year:04d}"  # date() rejects years outside 1-9999


def _resolve(match: re.Match[str], published: date) -> str:
    if match["wday"]:
        return _weekday(match["wday"], match["wrel"], published).isoformat()
    if match["day"]:
        return (published + timedelta(days=_DAY_SHIFT[match["day"]])).isoformat()
    return _period(match["prel"], match["unit"], published)


def resolve_relative_dates(sentence: str, published: str) -> tuple[str, ...]:
    """Notes like ``"Thursday night" = 2021-09-09`` for the relative dates in ``sentence``.

    ``published`` is the article's ISO ``YYYY-MM-DD`` date; () when it is empty or
    invalid, or when nothing in the sentence is relative.  Phrases are quoted as
    written (whitespace collapsed); notes are deduplicated in order of appearance.
    """
    return tuple(dict.fromkeys(f'"{phrase}" = {resolved}' for phrase, resolved in relative_dates(sentence, published)))


def relative_dates(sentence: str, published: str) -> list[tuple[str, str]]:
    """(phrase as written, what it resolves to) for each relative date of ``sentence``: an ISO
    day, ``week of`` a Monday, a month ("September 2021") or a year; [] without a valid
    ``published`` date."""
    if not _ISO_DAY.fullmatch(published):
        return []
    try:
        day = date.fromisoformat(published)
    except ValueError:
        return []
    # ASCII-only lowercasing keeps every character in place, so quotes are cut from
    # the original; Unicode case folding could change lengths ("İ") or spellings.
    lowered = sentence.translate(_ASCII_LOWER)
    found: list[tuple[str, str]] = []
    for match in _PATTERN.finditer(lowered):
        if match["the"] and (match["wrel"] or match["prel"]):
            continue
        try:
            resolved = _resolve(match, day)
        except (OverflowError, ValueError):  # before year 1 or after 9999: no date to name
            continue
        phrase = " ".join(sentence[match.end("the") if match["the"] else match.start() : match.end()].split())
        found.append((phrase, resolved))
    return found
