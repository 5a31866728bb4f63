"""A timeline of what the articles date: each sentence that states when something happened,
in the order of the dates it states.

A sentence enters with every date it states:

* an explicit day ("March 18, 2021", "18 March 2021", "2021-03-18"), or one without its
  year ("on March 18"), which takes the year of the article's publication, or the year
  before when that would put it more than a month after publication, unless words before it
  put it ahead ("from April 1", "the quarter ending May 30"); "the week ended February 22"
  is that week;
* a month with its year ("in June 2020") or a year after "in", "since", "by", "until",
  "during" or "of" ("in 2019"): month and year precision;
* a relative date resolved against the article's publication date (``dates``:
  "Thursday night", "last week", "next month"), at the precision the phrase has.

A date that is a comparison's baseline ("up from 15 percent in 2019", "than last year's") is
not when the sentence's event happened, and is left out.  A date it cannot place is left out
rather than guessed: a relative one in an undated
article, a day without a year in an undated article.  When two articles state nearly the
same sentence (``same_words`` of its words) with different dates, both entries carry the
other's date as a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

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
#: A date after these words is a comparison's baseline, not when the sentence's event happened:
#: "up from 15 percent in 2019", "higher than last year's".
_BASELINE = re.compile(r"\b(?:up from|down from|than|compared (?:with|to)|versus|vs\.?)(?:\s+[^\s,;]+){0,5}\s*$", re.I)
#: A day without its year after these words lies ahead, so it keeps the article's year even when
#: that puts it months after publication: "quotas from April 1", "the quarter ending May 30".
_AHEAD = re.compile(r"\b(?:ending|from|until|till|through|to|before|starting|beginning|due|next)(?:\s+on)?\s*$", re.I)
#: A period named by its last day: the week before it, not the day.
_WEEK_ENDED = re.compile(r"\bweek (?:ended|ending)(?:\s+on)?\s*$", re.I)
#: How far before a date the words above are looked for.
_BEFORE = 60
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
    label: str = ""  # how the article is named to a reader (``Document.label``), the same everywhere

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


def sentence_date(sentence: Sentence, doc: Document) -> str:
    """The earliest date ``sentence`` states (ISO; a week, month or year by its first day), or ""."""
    return min((e.date for e in _dated(sentence, doc)), default="")


def _dated(sentence: Sentence, doc: Document) -> list[Event]:
    published = _day(doc.date)
    dated: dict[tuple[str, str], str] = {}
    text = sentence.text
    for match in _EXPLICIT.finditer(text):
        before = text[max(0, match.start() - _BEFORE) : match.start()]
        placed = None if _BASELINE.search(before) else _explicit(match, published, before)
        if placed:
            dated.setdefault(placed, " ".join(match.group().split()).rstrip("."))
    for phrase, resolved in relative_dates(text, doc.date):
        at = text.find(phrase)
        if at < 0 or not _BASELINE.search(text[max(0, at - _BEFORE) : at]):
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
            label=doc.label,
        )
        for (when, precision), phrase in dated.items()
    ]


def _explicit(match: re.Match[str], published: date | None, before: str) -> tuple[str, str] | None:
    """(ISO date, precision) of an explicit date, or None when it cannot be placed; ``before`` is
    the text before it ("the week ended …", "until …")."""
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
        placed = _placed(int(year), month, day)
    elif published is None:
        return None  # a day without its year in an undated article: left out
    else:
        placed = _placed(published.year, month, day)
        if placed and (date.fromisoformat(placed[0]) - published).days > 31 and not _AHEAD.search(before):
            placed = _placed(published.year - 1, month, day)  # "December 30" in a January article
    if placed and _WEEK_ENDED.search(before):
        return (date.fromisoformat(placed[0]) - timedelta(days=6)).isoformat(), "week"
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
