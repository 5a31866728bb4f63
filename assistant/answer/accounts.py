"""Whose account a sentence reports, read from the attribution the text itself states.

News reports an event through its parties' accounts: "according to the official
readout", "the ministry said", "Ryanair told reporters", "a senior official said".
A sentence's *source* is read from such a phrase only: a sentence that merely
mentions a country or a company is nobody's account.  The source is

* a country or international body, when the phrase speaks for one by any of its
  names, its capital or its seat of government (``countries.py``: "Russia's foreign
  ministry", "the Kremlin", "the official Chinese readout");
* otherwise the person or organisation the phrase names ("Ryanair", "Coach Ana
  Silva");
* otherwise "unnamed sources" for an official, a spokesperson or sources left unnamed;
* otherwise the role the phrase names ("the regulator", "the union").

A question that asks how accounts differ names its parties the same ways ("How do
the Russian and Ukrainian accounts differ?", "Compare Ryanair's and the regulator's
statements"); the answer then gives each party's own statement first and shows the
statements grouped by source.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from assistant.answer.countries import COUNTRIES

UNNAMED = "unnamed"
_VERBS = (
    "said|says|say|told|tells|added|adds|stressed|noted|warned|insisted|argued|claimed|announced|stated|"
    "confirmed|denied|wrote|explained|acknowledged|countered|replied|responded"
)
_ATTRIBUTION = re.compile(
    r"(?i:according) to (?P<according>[^,.;:“\"]+)"
    r"|(?P<document>(?:the |an? )?(?:[\w.’'-]+ ){0,4}?(?:readout|statement|account|press release)\b)"
    # "Sergei Lavrov, Russia's foreign minister, said": the role says whom the speaker speaks for
    rf"|(?P<appositive>(?:[A-Z][\w.’'-]+ ){{0,3}}[A-Z][\w.’'-]+, [^,;“\"]{{3,60}},) (?:{_VERBS})\b"
    rf"|(?P<speaker>(?:[\w.’'-]+ ){{0,4}}?[\w.’'-]+) (?:{_VERBS})\b"
    rf"|\b(?:{_VERBS}) (?P<inverted>(?:[A-Z][\w.’'-]+ ?){{1,4}})",
)
_UNNAMED = re.compile(
    r"\b(?:unnamed|anonymous|an? (?:senior |top |government |administration |\w+ )?(?:official|spokesperson|"
    r"spokesman|spokeswoman|source|diplomat|aide)|officials|sources|people familiar)\b",
    re.IGNORECASE,
)
_ROLE = re.compile(r"^(?:the|a|an) (?:\w+ ){0,2}?(?P<role>\w+)$", re.IGNORECASE)
_CAPITALISED = re.compile(r"[A-Z][\w.’'-]*(?: (?:[A-Z][\w.’'-]*|(?:of|de|van|von|der|al)\b))*")
_JOINERS = frozenset("of de van von der al".split())
#: A phrase that is one capitalised name throughout, "and" included: "the Competition and Markets Authority".
_ONE_NAME = re.compile(r"(?:[Tt]he )?([A-Z][\w.’'-]*(?: (?:and|&|of|for|[A-Z][\w.’'-]*))* [A-Z][\w.’'-]*)")
#: Capitalised words that open a phrase or a question rather than name someone.
_NOT_NAMES = frozenset(
    "The A An According In On At For But And Or So Yet How What Which Who Whom Whose When Where Why Compare "
    "Contrast Do Does Did Is Are Was Were He She It They We I You His Her Its Their Our This That These Those "
    "One Some Many Most Several Both Each All Any Other Another Such Officials Sources Analysts Experts Critics "
    "Witnesses Residents People".split()
)
_PRONOUNS = frozenset("he she it they we i you one this that who which there".split())
_COMPARISON = re.compile(
    r"\b(differ\w*|difference\w*|compar\w*|contrast\w*|disagree\w*|versus|vs\.?|accounts?|readouts?|"
    r"each side|both sides|sides?'? (?:view|version)s?)\b",
    re.IGNORECASE,
)
_POSSESSIVE_ROLE = re.compile(r"\bthe (\w+)['’]s?\b")


@cache
def _country_pattern() -> re.Pattern[str]:
    names = sorted({n for party, adjective, others in COUNTRIES for n in (party, adjective, *others)}, key=len,
                   reverse=True)  # fmt: skip
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, names)) + r")(?:['’]s)?(?![\w])")


@cache
def _country_of() -> dict[str, str]:
    return {n: party for party, adjective, others in COUNTRIES for n in (party, adjective, *others)}


def _country(text: str) -> str | None:
    match = _country_pattern().search(text)
    return _country_of()[match.group(1)] if match else None


def _names(text: str) -> list[str]:
    """The capitalised runs of ``text`` that name someone, without openers ("The", "How")."""
    found = []
    for match in _CAPITALISED.finditer(text):
        words = match.group().rstrip(".").split()
        while words and (words[0] in _NOT_NAMES or words[0] in _JOINERS):
            words.pop(0)
        while words and words[-1] in _JOINERS:
            words.pop()
        if words:
            found.append(re.sub(r"['’]s$", "", " ".join(words)))
    return found


def _source(phrase: str) -> str | None:
    """The source a phrase of attribution speaks for (see the module docstring)."""
    phrase = phrase.strip()
    if country := _country(phrase):
        return country
    if whole := _ONE_NAME.fullmatch(phrase):
        return whole[1].rstrip(".")
    if named := _names(phrase):
        return named[-1]  # the name nearest the verb: "Rovers coach Ana Silva said" is Ana Silva
    if _UNNAMED.search(phrase):
        return UNNAMED
    role = _ROLE.match(phrase)
    if role and role["role"].casefold() not in _PRONOUNS:
        return f"the {role['role'].casefold()}"
    return None


@lru_cache(maxsize=4096)
def side_of(sentence: str) -> str | None:
    """The source whose account the sentence reports, or None when it attributes to none.
    Cached: one answer asks it of the same sentences several times (scoring candidates for
    each party, choosing each party's first statement, grouping the chosen ones)."""
    for match in _ATTRIBUTION.finditer(sentence):
        phrase = next(g for g in match.groups() if g)
        if match.lastgroup == "appositive":  # the country the role names, else the speaker before the comma
            phrase = _country(phrase) or phrase.partition(",")[0]
        if source := _source(phrase):
            return source
    return None


def sides_compared(question: str) -> list[str]:
    """The parties a question asks to compare ("How do the US and Chinese accounts differ?" ->
    ["US", "China"]); empty unless it asks for a comparison of accounts *and* names two or more."""
    if not _COMPARISON.search(question):
        return []
    found: list[str] = []
    rest = question
    for match in _country_pattern().finditer(question):
        found.append(_country_of()[match.group(1)])
        rest = rest.replace(match.group(), " ")
    found += _names(rest)
    found += [f"the {m.group(1).casefold()}" for m in _POSSESSIVE_ROLE.finditer(question)]
    parties = list(dict.fromkeys(found))
    return parties if len(parties) >= 2 else []


def speaks_for(source: str | None, party: str) -> bool:
    """Whether a statement's source is the party a question names: the same country or role,
    or a name holding the party's words ("Coach Ana Silva" speaks for "Silva")."""
    if source is None:
        return False
    if source == party:
        return True
    return set(party.casefold().split()) <= set(source.casefold().split())


def is_country(source: str | None) -> bool:
    return source in {party for party, _, _ in COUNTRIES}


def account_source(side: str | None) -> str:
    """How an account is named in "According to …": the country's side, the source, or other reports."""
    if side is None:
        return "other reports"
    adjective = next((adj for party, adj, _ in COUNTRIES if party == side), None)
    if adjective:
        return f"the {adjective} side"
    return "unnamed sources" if side == UNNAMED else side


def stated_by(text: str) -> str:
    """Who ``text`` says is speaking, as a reader is told: the source ``side_of`` reads ("Usdaw",
    "Armenia"), "unnamed sources" for an unnamed official, "" when the text attributes to no one."""
    side = side_of(text)
    return "" if side is None else "unnamed sources" if side == UNNAMED else side
