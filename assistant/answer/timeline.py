"""A timeline of what the articles date: each sentence that states when something happened,
in the order of the dates it states.

A sentence enters with every date it states:

* an explicit day ("March 18, 2021", "18 March 2021", "2021-03-18"), or one without its
  year ("on March 18"), which takes the year of the article's publication, or the year
  before when that would put it more than a month after publication;
* a month with its year ("in June 2020") or a year after "in", "since", "by", "until",
  "during" or "of" ("in 2019"): month and year precision;
* a relative date resolved against the article's publication date (``dates``:
  "Thursday night", "last week", "next month"), at the precision the phrase has.

A date it cannot place is left out rather than guessed: a relative one in an undated
article, a day without a year in an undated article.  When two articles state nearly the
same sentence (``same_words`` of its words) with different dates, both entries carry the
other's date as a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from assistant.answer.dates import relative_dates
from assistant.ingest.text import MONTH_PATTERN, MONTHS, month_number
from assistant.types import Document, Sentence

_DAY = r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?"
_MONTH = rf"(?P<month>{MONTH_PATTERN})\.?"
_YEARS = r"1[89][0-9]{2}|20[0-9]{2}"
_LEAD = r"in|since|by|until|during|of"
_EXPLICIT = re.compile(
    rf"""(?<![\w-])(?:
        (?P<iso>(?P<iy>[0-9]{{4}})-(?P<im>[0-9]{{2}})-(?P<id>[0-9]{{2}}))
      | {_MONTH}\s+{_DAY}(?:,?\s+(?P<year>{_YEARS}))?
      | (?P<day2>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month2>{MONTH_PATTERN})\.?(?:,?\s+(?P<year2>{_YEARS}))?
      | (?:{_LEAD})\s+(?P<month3>{MONTH_PATTERN})\.?\s+(?P<year3>{_YEARS})
      | (?:{_LEAD})\s+(?P<year4>{_YEARS})
    )(?![\w-])""",
    re.IGNORECASE | re.VERBOSE,
)
PRECISIONS = ("day", "week", "month", "year")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Event:
    """One dated sentence: the date it states (ISO; a week, month or year starts its period),
    that date's precision, the phrase that stated it, and the sentence with its source."""

    date: str
    precision: str
    phrase: str
    text: str
    doc_id: str
    start: int
    end: int
    title: str
    publication: str
    published: str
    conflicts: tuple[str, ...] = field(default=())  # doc_id: date of the same sentence dated otherwise

    @property
    def when(self) -> str:
        """The date at its precision: "2024-05-09", "week of 2024-05-06", "2024-05", "2024"."""
        return {"day": self.date, "week": f"week of {self.date}", "month": self.date[:7]}.get(
            self.precision, self.date[:4]
        )


def events(
    documents: Iterable[Document], sentences: Mapping[str, Sequence[Sentence]], *, same_words: float = 0.7
) -> list[Event]:
    """Every dated sentence of ``documents`` (``sentences``: each document's, by doc id), in date
    order, then precision (finer first), then article and position."""
    found: list[Event] = []
    for doc in documents:
        for sentence in sentences[doc.doc_id]:
            found.extend(_dated(sentence, doc))
    found.sort(key=lambda e: (e.date, PRECISIONS.index(e.precision), e.doc_id, e.start))
    return _with_conflicts(found, same_words)


def _dated(sentence: Sentence, doc: Document) -> list[Event]:
    published = _day(doc.date)
    dated: dict[tuple[str, str], str] = {}
    for match in _EXPLICIT.finditer(sentence.text):
        placed = _explicit(match, published)
        if placed:
            dated.setdefault(placed, " ".join(match.group().split()).rstrip("."))
    for phrase, resolved in relative_dates(sentence.text, doc.date):
        dated.setdefault(_relative(resolved), phrase)
    return [
        Event(
            when,
            precision,
            phrase,
            sentence.text,
            doc.doc_id,
            sentence.start,
            sentence.end,
            doc.title,
            doc.publication,
            doc.date,
        )
        for (when, precision), phrase in dated.items()
    ]


def _explicit(match: re.Match[str], published: date | None) -> tuple[str, str] | None:
    """(ISO date, precision) of an explicit date, or None when it cannot be placed."""
    if match["iso"]:
        return _placed(int(match["iy"]), int(match["im"]), int(match["id"]))
    if match["year4"]:
        return f"{match['year4']}-01-01", "year"
    if match["month3"]:
        return f"{match['year3']}-{month_number(match['month3']):02d}-01", "month"
    month = month_number(match["month"] or match["month2"])
    day = int(match["day"] or match["day2"])
    year = match["year"] or match["year2"]
    if year:
        return _placed(int(year), month, day)
    if published is None:
        return None  # a day without its year in an undated article: left out
    placed = _placed(published.year, month, day)
    if placed and (date.fromisoformat(placed[0]) - published).days > 31:
        placed = _placed(published.year - 1, month, day)  # "December 30" in a January article
    return placed


def _placed(year: int, month: int, day: int) -> tuple[str, str] | None:
    try:
        return date(year, month, day).isoformat(), "day"
    except ValueError:
        return None


def _relative(resolved: str) -> tuple[str, str]:
    """``dates.relative_dates``'s resolution as (ISO date, precision)."""
    if resolved.startswith("week of "):
        return resolved[len("week of ") :], "week"
    if resolved[:1].isdigit():
        return (resolved, "day") if len(resolved) == 10 else (f"{resolved}-01-01", "year")
    name, year = resolved.rsplit(" ", 1)
    return f"{year}-{MONTHS.index(name.casefold()) + 1:02d}-01", "month"


def _day(iso: str) -> date | None:
    try:
        return date.fromisoformat(iso) if iso else None
    except ValueError:
        return None


#: A word in more events than this says nothing of which event a sentence reports.
COMMON_WORD_EVENTS = 50


def _with_conflicts(found: list[Event], same_words: float) -> list[Event]:
    """Each event with the dates another article gives nearly the same sentence (``same_words``
    of the shorter one's words of four letters or more), when none of their dates agree."""
    words = [frozenset(w.casefold() for w in _WORD.findall(e.text) if len(w) > 3) for e in found]
    dates: dict[tuple[str, int], set[str]] = {}
    for e in found:
        dates.setdefault((e.doc_id, e.start), set()).add(e.date)
    by_word: dict[str, list[int]] = {}
    for i, bag in enumerate(words):
        for word in bag:
            by_word.setdefault(word, []).append(i)
    conflicts: dict[int, set[str]] = {}
    for i, bag in enumerate(words):
        near = {j for word in bag if len(by_word[word]) <= COMMON_WORD_EVENTS for j in by_word[word] if j > i}
        for j in near:
            a, b = found[i], found[j]
            if a.doc_id == b.doc_id or not dates[a.doc_id, a.start].isdisjoint(dates[b.doc_id, b.start]):
                continue
            if len(bag & words[j]) / min(len(bag), len(words[j])) >= same_words:
                conflicts.setdefault(i, set()).add(f"{b.doc_id}: {b.date}")
                conflicts.setdefault(j, set()).add(f"{a.doc_id}: {a.date}")
    return [replace(e, conflicts=tuple(sorted(conflicts[i]))) if i in conflicts else e for i, e in enumerate(found)]
