"""Follow-up questions, resolved against the conversation by deterministic rules.

"And who met him?" cannot be searched on its own.  A question *depends* on the
conversation when it refers back (a pronoun or "there"/"then"), continues
("and …", "what about …"), is too short to stand alone, or names nothing of its
own ("Do the first buyers get anything extra?").  Such a question is
searched together with the *entities* of the previous turn: its names, months
and numbers (which carry the time scope).  Carrying its other content words
as well was measured and only added noise.  Turns are resolved in order, so
entities carry through a chain of follow-ups.  "What about X?"
keeps the previous question and swaps its subject for X.  A self-contained
question is searched as typed: history never pollutes it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_WORD = re.compile(r"[A-Za-z][\w'’.-]*[\w]|[A-Za-z]|\d[\d,./-]*")
_REFERRING = frozenset(
    "he him his she her hers it its they them their theirs this that these those there then former latter".split()
)
_CONTINUATION = re.compile(r"^\s*(and|but|so|also|then|or)\b[\s,]*", re.IGNORECASE)
_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(.+?)[\s?.!]*$", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$")
_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*")
MAX_SWAP_WORDS = 5  # "what about X": X longer than this is a new question, not a swapped subject
_STOP = frozenset(
    "a an the and or but so of to in on at by for with from about as into over after before during "
    "is are was were be been being do does did done have has had can could will would should may might "
    "must shall what which who whom whose when where why how that this these those there then than "
    "it its he him his she her they them their we us our you your i me my not no yes any some all "
    "also just very more most much many tell me please say said says said anything something "
    "happen happened again else other another".split()
)
_QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how did do does is are was were can could will would should tell".split()
)
MIN_CONTENT_WORDS = 3  # fewer content words than this, and a question cannot stand alone


def content_words(text: str) -> list[str]:
    """Words that carry the topic: not stop words, in order, without repeats (case-insensitive)."""
    seen, out = set(), []
    for word in _WORD.findall(text):
        key = _POSSESSIVE.sub("", word.casefold()).rstrip(".")
        if key and key not in _STOP and key not in seen:
            seen.add(key)
            out.append(word)
    return out


def entities(text: str) -> list[str]:
    """Names, months and numbers: the content words that are capitalised or numeric."""
    return [w for w in content_words(text) if w[:1].isupper() or w[:1].isdigit()]


def depends_on_history(question: str) -> bool:
    words = [w.casefold() for w in _WORD.findall(question)]
    if _CONTINUATION.match(question) or _WHAT_ABOUT.match(question):
        return True
    if any(w in _REFERRING for w in words):
        return True
    # "Do the first buyers get anything extra?": in a conversation, a question that names
    # nothing of its own (no name, month or number) is about what the last turn named.
    return len(content_words(question)) < MIN_CONTENT_WORDS or not entities(question)


def _first_name(text: str) -> re.Match[str] | None:
    """The first run of capitalised words that is not a question word: the turn's subject."""
    for match in _NAME.finditer(text):
        if match.group().split()[0].casefold() not in _QUESTION_WORDS:
            return match
    return None


def resolve(question: str, history: Sequence[str]) -> str:
    """The text to search for ``question`` after the user turns ``history`` (oldest first)."""
    previous = ""
    for turn in history:
        previous = _resolve_one(turn, previous)
    return _resolve_one(question, previous)


def _resolve_one(question: str, previous: str) -> str:
    question = question.strip()
    if not previous or not depends_on_history(question):
        return question
    about = _WHAT_ABOUT.match(question)
    subject = _first_name(previous)
    if about and _swappable(about.group(1)):
        if subject is None:
            return f"{previous} {about.group(1)}"
        return previous[: subject.start()] + about.group(1) + previous[subject.end() :]
    topic = entities(previous)
    if about and subject is not None:  # a new subject: do not carry the old one
        topic = [w for w in topic if w not in subject.group().split()]
    own = {w.casefold() for w in content_words(question)}
    carried = [w for w in topic if w.casefold() not in own]
    return " ".join([question, *carried]) if carried else question


def _swappable(phrase: str) -> bool:
    words = phrase.split()
    return len(words) <= MAX_SWAP_WORDS and not any(w.casefold() in _QUESTION_WORDS for w in words)
