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
#: Verbs that come after the speaker ("Sony has touted", "the official described ... as").
_VERBS = (
    "said|says|say|told|tells|added|adds|stressed|noted|warned|insisted|argued|claimed|announced|stated|"
    "confirmed|denied|wrote|explained|acknowledged|countered|replied|responded|described|touted|thanked"
)
#: Verbs whose speaker may follow them ("…,” said Coach Ana Silva); the others take an object or a
#: listener there ("denied Smith's claim", "told Reuters"), which is not who is speaking.
_INVERTED_VERBS = "said|says|added|adds|stated|wrote|explained|insisted|argued|countered|replied|responded"
_AUXILIARY = "(?:has |have |had )?"
_ATTRIBUTION = re.compile(
    r"(?i:according) to (?P<according>[^,.;:“\"]+)"
    r"|(?P<document>(?:the |an? )?(?:[\w.’'-]+ ){0,4}?(?:readout|statement|account|press release)\b)"
    # "Sergei Lavrov, Russia's foreign minister, said": the role says whom the speaker speaks for
    rf"|(?P<appositive>(?:[A-Z][\w.’'-]+ ){{0,3}}[A-Z][\w.’'-]+, [^,;“\"]{{3,60}},) {_AUXILIARY}(?:{_VERBS})\b"
    # "The minister, who flew in overnight, said": the speaker is before the clause
    rf"|(?P<relative>(?:[\w.’'-]+ ){{0,8}}?[\w.’'-]+), (?:who|which|whose) [^,;“\"]{{3,120}}, "
    rf"{_AUXILIARY}(?:{_VERBS})\b"
    # "Its director, Ana Lima, said": the name set off after the role is the speaker
    rf"|(?:[\w.’'-]+ ){{0,4}}?[\w.’'-]+, (?P<named>[A-Z][\w.’'-]+(?: [A-Z][\w.’'-]+){{1,3}}), "
    rf"{_AUXILIARY}(?:{_VERBS})\b"
    # a speaker does not end in a conjunction: "He thanked Okafor and described" is one speaker's two verbs
    rf"|(?P<speaker>(?:[\w.’'-]+ ){{0,4}}?(?!(?:and|or|but|then) )[\w.’'-]+) {_AUXILIARY}(?:{_VERBS})\b"
    # the name closes the clause: "said Smith's plan was" names what was said, not who said it
    rf"|\b(?:{_INVERTED_VERBS}) (?P<inverted>[A-Z][\w.’'-]*(?: [A-Z][\w.’'-]*){{0,3}})"
    r"(?=\s*(?:[,.;:!?”\")]|’(?!\w)|$)| (?:in|at|on|of|from|who|during|after|before|when)\b)",
)
#: Newswire markup around company names and their tickers: "<Trilby Corp> said", "Acme Co <ACM> said".
_MARKUP = re.compile(r"(?<=\S) <[A-Z0-9.]{1,8}>|[<>]")
_UNNAMED = re.compile(
    r"\b(?:unnamed|anonymous|an? (?:senior |top |government |administration |\w+ )?(?:official|spokesperson|"
    r"spokesman|spokeswoman|source|diplomat|aide)|officials|sources|people familiar)\b"
    # an unnamed one referred to again: "the official", "the same senior ministry official"
    r"|^(?:the|one) (?:[\w-]+ ){0,3}?(?:official|spokesperson|spokesman|spokeswoman|source|diplomat|aide)$",
    re.IGNORECASE,
)
#: A role, with what it is a role of left out: "the organisers of the tournament" are "the organisers".
_ROLE = re.compile(r"^(?:the|a|an) (?:\w+ ){0,2}?(?P<role>\w+)(?: (?:of|for|at|in) .*)?$", re.IGNORECASE)
_CAPITALISED = re.compile(r"[A-Z][\w.’'-]*(?: (?:[A-Z][\w.’'-]*|(?:of|de|van|von|der|al)\b))*")
_JOINERS = frozenset("of de van von der al".split())
#: A phrase that is one capitalised name throughout, "and" included: "the Competition and Markets Authority".
_ONE_NAME = re.compile(r"(?:[Tt]he )?([A-Z][\w.’'-]*(?: (?:and|&|of|for|[A-Z][\w.’'-]*))* [A-Z][\w.’'-]*)")
#: Capitalised words that open a phrase or a question rather than name someone.
_NOT_NAMES = frozenset(
    "The A An According In On At For But And Or So Yet How What Which Who Whom Whose When Where Why Compare "
    "Contrast Do Does Did Is Are Was Were He She It They We I You His Her Its Their Our This That These Those "
    "One Some Many Most Several Both Each All Any Other Another Such Officials Sources Analysts Experts Critics "
    "Witnesses Residents People While Although Though After Before Since As If Because Until Unless Once "
    "Meanwhile However Still Also Now Then Earlier Later Instead Despite Even".split()
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
    for match in _ATTRIBUTION.finditer(_MARKUP.sub("", sentence)):
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


_SAID_ABOUT = re.compile(
    r"^\W*what (?:did|does|do|has|have|had|was|were|is|are) (?P<speaker>.+?) (?:"
    r"say|said|saying|tell|told|telling|think|thought|claim|claimed|announce|announced|argue|argued|write|wrote|"
    r"state|stated|comment|commented|reveal|revealed)"
    r"(?:(?: (?:\w+ ){0,2}?)?\s*(?:about|on|of|regarding|concerning|over) (?P<topic>.+?))?\W*$",
    re.IGNORECASE,
)


def said_about(question: str) -> tuple[tuple[str, ...], str] | None:
    """(the parties, the subject) of a question asking what someone said about something ("What
    did Coach Ana Silva say about the referee?" -> (("Ana Silva",), "the referee"); "What have
    Okafor and Brandt each said about the fine?" -> (("Okafor", "Brandt"), "the fine"); "What did
    Usdaw say?" -> (("Usdaw",), "")); each party
    named as ``side_of`` names sources, so ``speaks_for`` compares them.  None for any other
    question, or when a party is not named ("What did he say about it?")."""
    match = _SAID_ABOUT.match(question.strip())
    if not match:
        return None
    parties = tuple(_source(p) for p in re.split(r",\s*|\s+(?:and|&)\s+", match["speaker"]) if p.strip())
    if not parties or any(p is None or p == UNNAMED for p in parties):
        return None
    return tuple(dict.fromkeys(parties)), match["topic"] or ""
