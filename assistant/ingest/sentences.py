"""Rule-based sentence splitting into exact character spans.

Offline on purpose: NLTK's punkt model would have to be downloaded.  The rules
are written for cleaned news articles, which hold one paragraph per line:

1. A line break always ends a sentence: headlines, bylines and bullets carry
   no final period.
2. Within a line, a sentence ends after ``.``, ``!``, ``?``, ``…`` or ``...``
   and any closing quotes or brackets, when whitespace follows and the next
   sentence starts, after any opening quotes or brackets, with an uppercase
   letter or a digit.  Decimals (``3.5``), domains (``example.com``) and an
   ellipsis followed by a lowercase word inside a quotation never split.
3. A single ``.`` is then judged by the word it closes:

   * a title that precedes a name (``Mr.``, ``Sen.``, ``Gen.``, ``No.``,
     ``vs.``) never ends a sentence;
   * initials (``F.``, ``J.K.``, ``U.S.``, ``D.C.``, ``p.m.``) and
     abbreviations that may close a sentence (``Jr.``, ``Inc.``, ``Co.``,
     ``St.``, months, state names) end one only when the next word is a common
     sentence opener (``The``, ``But``, ``He``...): "in the U.S. The next day"
     splits, "ambassador to the U.S. Ana Ruiz" and "on Feb. 10" do not;
   * any other word ends the sentence, ``etc.`` included: it closes lists
     rather than preceding names, so "pears, etc. Ortiz said" splits.
"""

from __future__ import annotations

import re

# The characters ``str.splitlines`` breaks on; all of them are whitespace.
_LINE = re.compile(r"[^\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_OPENERS = "“\"‘'(["
# The lookahead sees only the current line: callers pass the line end as endpos.
_END = re.compile(r"(?P<term>[.!?…]+)[”\"’')\]]*(?=\s+[“\"‘'(\[]*(?P<first>\S))")
_INITIALS = re.compile(r"[A-Z]|[A-Za-z](?:\.[A-Za-z])+")
_NEXT_WORD = re.compile(r"[A-Z][a-z]*(?![\w.])")

_TITLES = frozenset(
    {
        "Mr",
        "Mrs",
        "Ms",
        "Mx",
        "Messrs",
        "Dr",
        "Prof",
        "Rev",
        "Fr",
        "Hon",
        "Pres",
        "Sen",
        "Sens",
        "Rep",
        "Reps",
        "Gov",
        "Amb",
        "Atty",
        "Supt",
        "Det",
        "Insp",
        "Gen",
        "Lt",
        "Col",
        "Maj",
        "Capt",
        "Cmdr",
        "Adm",
        "Sgt",
        "Cpl",
        "Pvt",
        "Mt",
        "Ft",
        "No",
        "Nos",
        "vs",
        "v",
    }
)
_CLOSING_ABBREVIATIONS = frozenset(
    {
        "Jr",
        "Sr",
        "Inc",
        "Corp",
        "Co",
        "Ltd",
        "Bros",
        "Ph.D",
        "St",
        "Ave",
        "Blvd",
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "Ala",
        "Ariz",
        "Ark",
        "Calif",
        "Colo",
        "Conn",
        "Del",
        "Fla",
        "Ga",
        "Ill",
        "Ind",
        "Kan",
        "Ky",
        "La",
        "Md",
        "Mass",
        "Mich",
        "Minn",
        "Miss",
        "Mo",
        "Mont",
        "Neb",
        "Nev",
        "Okla",
        "Ore",
        "Pa",
        "Tenn",
        "Tex",
        "Va",
        "Vt",
        "Wash",
        "Wis",
        "Wyo",
    }
)
_SENTENCE_OPENERS = frozenset(
    {
        "A",
        "An",
        "The",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Here",
        "I",
        "We",
        "You",
        "He",
        "She",
        "It",
        "They",
        "My",
        "Our",
        "Your",
        "His",
        "Her",
        "Its",
        "Their",
        "But",
        "And",
        "Or",
        "So",
        "Yet",
        "Still",
        "Also",
        "Then",
        "Now",
        "However",
        "Meanwhile",
        "Instead",
        "Earlier",
        "Later",
        "In",
        "On",
        "At",
        "As",
        "For",
        "From",
        "With",
        "Without",
        "By",
        "To",
        "Of",
        "After",
        "Before",
        "During",
        "Since",
        "Until",
        "Under",
        "Over",
        "Among",
        "While",
        "When",
        "Where",
        "What",
        "Why",
        "How",
        "Who",
        "Which",
        "If",
        "Although",
        "Though",
        "Because",
        "Despite",
        "Some",
        "Many",
        "Most",
        "Much",
        "Both",
        "Each",
        "Every",
        "All",
        "Any",
        "No",
        "Not",
        "One",
        "Another",
        "Other",
        "Such",
        "Even",
        "Only",
        "Just",
        "Last",
        "Next",
        "Yes",
    }
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of ``text`` as ``(start, end)`` character spans.

    Spans are increasing and non-overlapping; each ``text[start:end]`` is
    non-empty with no surrounding whitespace, and together they hold every
    non-whitespace character of ``text``.  The rules are in the module
    docstring.
    """
    spans: list[tuple[int, int]] = []
    for line in _LINE.finditer(text):
        start = line.start()
        for match in _END.finditer(text, line.start(), line.end()):
            if _ends_sentence(text, line.start(), match):
                _append_stripped(spans, text, start, match.end())
                start = match.end()
        _append_stripped(spans, text, start, line.end())
    return spans


def _ends_sentence(text: str, line_start: int, match: re.Match[str]) -> bool:
    first = match.group("first")
    if not (first.isupper() or first.isdigit()):
        return False
    if match.group("term") != ".":
        return True
    word = _word_before(text, line_start, match.start())
    if word in _TITLES:
        return False
    if word in _CLOSING_ABBREVIATIONS or _INITIALS.fullmatch(word):
        following = _NEXT_WORD.match(text, match.start("first"))
        return following is not None and following.group() in _SENTENCE_OPENERS
    return True


def _word_before(text: str, line_start: int, end: int) -> str:
    """The whitespace-delimited word ending at ``end``, without opening quotes."""
    start = end
    while start > line_start and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip(_OPENERS)


def stripped_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` narrowed to exclude surrounding whitespace; None when only whitespace."""
    segment = text[start:end]
    stripped = segment.strip()
    if not stripped:
        return None
    first = start + len(segment) - len(segment.lstrip())
    return first, first + len(stripped)


def _append_stripped(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    span = stripped_span(text, start, end)
    if span:
        spans.append(span)
