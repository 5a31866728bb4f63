"""Expected answer types: a who, where, when or how-many question needs an answer that supplies one.

A cross-encoder scores topical relevance, so "Which players did the club sell?"
scores high against "The club sold three players in January, including two of
its youngest" although no player is named.  Classic QA systems check the answer
type; so does this.  The type comes from the question's form, in general:

* who / whom / whose -> ``agent`` (a person, an organisation or a state);
* which / what + a noun for people ("which players") -> ``person``, for organisations
  ("which company") -> ``organisation``;
* where, or which / what + a noun for places ("in which city") -> ``place``;
* when, or which / what + a noun for times ("what year") -> ``date``;
* how many / how much, or which / what + a noun for amounts ("what percentage") -> ``number``;
* how long -> ``duration``.

Nouns are classed by a general lexicon (``_NOUN_CLASSES``), not by any question
set.  A chosen sentence *supplies* the type when it holds a named entity of that
kind (``models/ner.py``) that the question does not already state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.models.ner import entities

#: Entity labels (spaCy's, OntoNotes) that answer each type.
LABELS: dict[str, frozenset[str]] = {
    "agent": frozenset({"PERSON", "ORG", "GPE"}),
    "person": frozenset({"PERSON"}),
    "organisation": frozenset({"ORG"}),
    "place": frozenset({"GPE", "LOC", "FAC"}),
    "date": frozenset({"DATE", "TIME"}),
    "number": frozenset({"CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}),  # "how many times": "the fifth"
    "duration": frozenset({"DATE", "TIME"}),
}
#: Nouns that name a class of answer, whatever the topic (plural forms by an "s").
_NOUN_CLASSES: dict[str, str] = {
    **dict.fromkeys(
        "person people man men woman women player coach manager leader president minister official member "
        "actor actress author writer singer artist scientist king queen emperor pope chief executive director "
        "founder owner ruler general soldier senator judge lawyer candidate winner chairman spokesperson "
        "diplomat individual character composer architect inventor philosopher".split(),
        "person",
    ),
    **dict.fromkeys(
        "company companies firm team club party organisation organization agency bank band group university "
        "school college newspaper network airline union government army institution department ministry "
        "church dynasty family tribe".split(),
        "organisation",
    ),
    **dict.fromkeys(
        "city cities country countries state town region island continent river mountain place area location "
        "nation province county street building stadium venue capital district village port airport".split(),
        "place",
    ),
    **dict.fromkeys("year date day month century decade time season era".split(), "date"),
    **dict.fromkeys(
        "percentage percent number amount proportion share population price cost total size height length "
        "age temperature rate".split(),
        "number",
    ),
}
_QUESTIONS = (
    (re.compile(r"\bhow\s+long\b", re.IGNORECASE), "duration"),
    (re.compile(r"\bhow\s+(?:much|many|old|far|big|high)\b", re.IGNORECASE), "number"),
    (re.compile(r"^\W*(?:and\s+)?(?:who|whom|whose)\b", re.IGNORECASE), "agent"),
    (re.compile(r"^\W*(?:and\s+)?when\b", re.IGNORECASE), "date"),
    (re.compile(r"^\W*(?:and\s+)?where\b", re.IGNORECASE), "place"),
)
#: "which company", "what year", "in which city", "of what country": the noun after which / what,
#: past up to two modifiers ("which European city").
_WHICH = re.compile(r"\b(?:which|what)\s+((?:[\w-]+\s+){0,2}?)([a-z]+?)(?:e?s)?\b(?!\s+(?:of|to)\b)", re.IGNORECASE)
_DURATION_UNIT = re.compile(r"\b(?:second|minute|hour|day|week|month|year|decade|century)s?\b", re.IGNORECASE)


def expected_type(question: str) -> str | None:
    """``agent``, ``person``, ``organisation``, ``place``, ``date``, ``number``, ``duration``, or None
    when the question fixes no type."""
    for pattern, kind in _QUESTIONS:
        if pattern.search(question):
            return kind
    for match in _WHICH.finditer(question):
        words = [*match.group(1).split(), match.group(2)]
        for word in reversed(words):  # the head noun is the last word; a modifier may be a class too
            kind = _NOUN_CLASSES.get(word.casefold()) or _NOUN_CLASSES.get(word.casefold().rstrip("s"))
            if kind:
                return kind
    return None


def supplies(kind: str, question: str, sentences: Iterable[str]) -> bool:
    """Whether the sentences name an entity of ``kind`` that the question does not already state."""
    asked = question.casefold()
    for found in entities([" ".join(sentences)]):
        for text, label, _, _ in found:
            if label not in LABELS[kind] or text.casefold() in asked:
                continue
            if kind != "duration" or _DURATION_UNIT.search(text):
                return True
    return False
