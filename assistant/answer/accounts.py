"""Whose account a sentence reports: the sides of a story, read from attribution phrases.

News reports the same event through parties' accounts ("according to the
official Chinese readout", "the US readout", "the White House said").  When
the sentences chosen for an answer carry two or more sides, the answer shows
them grouped by side instead of blending them into one voice.  Only explicit
attribution counts: a sentence that merely mentions China is nobody's account.
"""

from __future__ import annotations

import re

#: Side -> words that, inside an attribution phrase, name that side.
SIDES: dict[str, tuple[str, ...]] = {
    "Chinese": (
        "chinese",
        "china",
        "china’s",
        "china's",
        "beijing",
        "beijing’s",
        "beijing's",
        "xi",
        "cctv",
        "state broadcaster",
        "foreign ministry",
        "zhao lijian",
        "yang",
        "wang yi",
    ),
    "US": (
        "us",
        "u.s.",
        "united states",
        "american",
        "white house",
        "washington",
        "washington’s",
        "washington's",
        "biden administration",
        "state department",
        "psaki",
        "blinken",
        "sullivan",
    ),
}

_ATTRIBUTION = re.compile(
    r"according to (?P<according>[^,.;:]+)"
    r"|(?P<document>(?:the |an? )?(?:[\w.’'-]+ ){0,4}?(?:readout|statement|account|press)\b)"
    r"|(?P<speaker>(?:the |an? )?(?:[\w.’'-]+ ){0,3}?[\w.’'-]+) (?:said|says|stressed|told)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w.’'-]+")


def _words(text: str) -> str:
    return " " + " ".join(w.rstrip(".") if w != "u.s." else w for w in _WORD.findall(text.casefold())) + " "


_COMPARISON = re.compile(
    r"\b(differ\w*|difference\w*|compar\w*|contrast\w*|disagree\w*|versus|vs\.?|"
    r"accounts?|readouts?|each side|both sides|sides?'? (?:view|version)s?)\b",
    re.IGNORECASE,
)


def sides_compared(question: str) -> list[str]:
    """The sides a question asks to compare ("How do the US and Chinese accounts differ?" ->
    both); empty unless it names two sides *and* asks for a comparison of accounts."""
    if not _COMPARISON.search(question):
        return []
    words = _words(question)
    named = [side for side, names in SIDES.items() if any(f" {name} " in words for name in names)]
    return named if len(named) >= 2 else []


def account_source(side: str | None) -> str:
    """How an account is named in "According to …": its side, or other reports."""
    return f"the {side} side" if side else "other reports"


def side_of(sentence: str) -> str | None:
    """The side whose account the sentence reports, or None when it attributes to no side."""
    for match in _ATTRIBUTION.finditer(sentence):
        words = _words(next(g for g in match.groups() if g))
        for side, names in SIDES.items():
            if any(f" {name} " in words for name in names):
                return side
    return None
