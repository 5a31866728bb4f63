"""Text helpers every stage shares, so that "the same line" and "a month" mean one thing.

* ``plain``: quote marks unified and whitespace collapsed, case kept (evidence
  matching, where case is part of the quote);
* ``normalise``: ``plain`` and case-folded (duplicate articles, repeated lines);
* ``MONTHS``, ``month_number`` and ``MONTH_PATTERN``: month names and their
  abbreviations, for reading dates and spotting times.
"""

from __future__ import annotations

import re

#: Curly, low and prime quote marks -> straight ones.
QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'})
_SPACE = re.compile(r"\s+")

MONTHS = ("january", "february", "march", "april", "may", "june", "july",
          "august", "september", "october", "november", "december")  # fmt: skip
#: A month's name or its abbreviation ("jan", "sept"), lower-case, for regular expressions;
#: "sept" comes first so that "sep" does not end the match early.
MONTH_PATTERN = "|".join(["sept", *(f"{name[:3]}(?:{name[3:]})?" for name in MONTHS)])


def plain(text: str) -> str:
    """Quote marks unified (curly to straight) and whitespace collapsed; case kept."""
    return _SPACE.sub(" ", text.translate(QUOTES)).strip()


def normalise(text: str) -> str:
    """``plain`` and case-folded: how two lines or two articles are compared."""
    return plain(text).casefold()


def month_number(word: str) -> int:
    """1-12 for a month name or abbreviation ("sept" included), 0 otherwise."""
    word = word.casefold()
    return next((i for i, name in enumerate(MONTHS, 1) if len(word) >= 3 and name.startswith(word)), 0)
