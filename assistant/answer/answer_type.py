"""Expected answer types: a "who", "where", "when" or "how many" question needs an answer that
supplies one.

A cross-encoder scores topical relevance, so "Which players did the club
sell?" scores high against "The club sold three players in January, including
two of its youngest" although no player is named.  Classic QA systems check the answer type; so does this: when the
question asks for a name, a place, a time or a quantity and no chosen sentence
offers one *beyond what the question already says*, the answer abstains.  A
nationality word ("Chinese", "European") or a word opening a sentence or an
aside is no name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.ingest.text import MONTH_PATTERN

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|hundred|thousand|million|billion"
    "|dozen|half"
)
_TIME = re.compile(
    rf"\b(?:{MONTH_PATTERN})\b|\b(?:1[89]|20)\d\d\b"
    r"|\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"\b(?:yesterday|today|tomorrow|last|next|earlier|later|ago|since|until|before|after)\b|\d",
    re.IGNORECASE,
)
_QUANTITY = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b|%|\bpercent\b", re.IGNORECASE)
_DURATION = re.compile(
    rf"(?:\d+|\b(?:{_NUMBER_WORDS})\b)\s*(?:-\s*)?(?:second|minute|hour|day|week|month|year)s?\b", re.IGNORECASE
)
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'.-]*[a-z][\w’'.-]*")

#: (pattern on the question, type) — first match wins; None means no type is expected.
_QUESTIONS = (
    (re.compile(r"^\W*(?:and\s+)?how\s+long\b", re.IGNORECASE), "duration"),
    (re.compile(r"^\W*(?:and\s+)?how\s+(?:much|many)\b", re.IGNORECASE), "quantity"),
    (re.compile(r"^\W*(?:and\s+)?when\b", re.IGNORECASE), "time"),
    (re.compile(r"^\W*(?:and\s+)?where\b", re.IGNORECASE), "name"),
    (re.compile(r"^\W*(?:and\s+)?(?:who|whom)\b", re.IGNORECASE), "name"),
    (
        re.compile(
            r"^\W*(?:and\s+)?which\s+(?:\w+\s+)?(?:members?|people|persons?|officials?|companies|firms|"
            r"countries|individuals|leaders?|diplomats?)\b",
            re.IGNORECASE,
        ),
        "name",
    ),
)


def expected_type(question: str) -> str | None:
    """ "name", "time", "quantity", "duration", or None when the question fixes no type."""
    for pattern, kind in _QUESTIONS:
        if pattern.search(question):
            return kind
    return None


#: Capitalised words that open a sentence or a bracketed or quoted aside ("(These Chinese …", "“We …").
_OPENING = re.compile(r"(?:^|[.!?]\s+)[\W_]*$")
#: Nationality and regional adjectives modify names; they answer no "who" or "which members"
#: question by themselves.  A list, not a suffix rule: "-ian" would also drop Brian and Julian.
_DEMONYMS = frozenset(
    "chinese american european british english french german japanese korean russian indian asian african "
    "australian canadian italian spanish iranian afghan taiwanese tibetan uyghur western eastern "
    "soviet israeli palestinian arab turkish mexican brazilian".split()
)
_POSSESSIVE = re.compile(r"[’']s$")


def _names(text: str) -> set[str]:
    """Capitalised words that may name someone or something, case-folded, possessives dropped
    ("Senate's" is the Senate)."""
    names = set()
    for m in _CAPITALISED.finditer(text):
        if _OPENING.search(text[: m.start()]):
            continue
        name = _POSSESSIVE.sub("", m.group().rstrip(".’'")).casefold()
        if name not in _DEMONYMS:
            names.add(name)
    return names


def supplies(kind: str, question: str, sentences: Iterable[str]) -> bool:
    """Whether the sentences offer an answer of ``kind`` that the question does not already hold."""
    text = " ".join(sentences)
    if kind == "name":
        return bool(_names(text) - _names(question))
    pattern = {"time": _TIME, "quantity": _QUANTITY, "duration": _DURATION}[kind]
    asked = {m.group().casefold() for m in pattern.finditer(question)}
    return any(m.group().casefold() not in asked for m in pattern.finditer(text))
