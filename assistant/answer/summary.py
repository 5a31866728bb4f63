"""Broad questions ("Summarize how …", "What happened …", "What is known about …") get a summary
across articles instead of the few best sentences.

A narrow question is answered by its best sentences, and those usually come from the one
article that ranks first.  A broad one asks for the story, which news tells across several
articles: each article's best sentences come first, in turn (``spread``); near-repeats
are skipped as for any answer; the length grows with the number of articles that speak to
the question (``budget``), up to a cap; the sentences are then set in the order of the
dates they report (``date_order``), or of their article's date, and sentences nothing
dates follow, grouped by article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from assistant.answer.timeline import sentence_date
from assistant.types import Document, Sentence

_POLITE = r"^\W*(?:please\s+|can you\s+|could you\s+)?"
#: Requests for an overview whose words say nothing of the subject ("Give me an overview of X"):
#: taken out before the subject is scored.
_REQUEST = (
    r"(?:summari[sz]e|sum up|recap|outline|review|describe|explain|brief me on|catch me up on|tell me about"
    r"|(?:give|write)(?: me)? (?:an? )?(?:summary|overview|recap|round-?up|rundown|brief|timeline) (?:of|on|about)"
    r"|what(?:'s|\s+is|\s+has been)? the (?:story|background|latest|news) (?:on|of|about|with)"
    r"|what (?:is|was|do we|does the corpus|do the articles) (?:known|say|report)s? about"
    r"|what do (?:the |these )?(?:reports|articles|stories|papers|news|sources) (?:say|tell (?:us|me)|report) about)"
)
#: Openings of a request for an overview: the requests above, and questions that ask for the story
#: in their own words ("What happened in X?", "How did X develop?"), which stay their own subject.
_BROAD = re.compile(
    _POLITE + rf"(?:{_REQUEST}"
    r"|what (?:happened|has happened|went on|is happening|has been happening)(?: (?:with|to|in|at|on|over|after))?"
    r"|how (?:did|has|have|do|does|is|are|were|was) .{3,}? (?:develop(?:ed|ing)?|evolv(?:e|ed|ing)|unfold(?:ed)?|"
    r"change(?:d)?|progress(?:ed)?|go|gone|going)\b)",
    re.IGNORECASE,
)
_FILLER = re.compile(_POLITE + _REQUEST + r"\s*(?:for me\s+|briefly\s+)?(?:how\s+|what\s+)?", re.IGNORECASE)

T = TypeVar("T")


def is_broad(question: str) -> bool:
    """Whether ``question`` asks for an overview rather than a fact."""
    return bool(_BROAD.search(question))


def subject(question: str) -> str:
    """What a broad question is about, for scoring sentences: "Summarize how X developed" reads as
    "X developed" (a sentence about X is relevant; none is about "summarize")."""
    rest = _FILLER.sub("", question, count=1).strip(" ?.!")
    return rest or question


@dataclass(frozen=True)
class Budget:
    sentences: int
    words: int


def budget(articles: int, per_article: int, most: int, words_per_sentence: int) -> Budget:
    """A summary's length: ``per_article`` sentences for each article that speaks to the question,
    at least three and at most ``most``."""
    sentences = max(3, min(most, per_article * articles))
    return Budget(sentences, sentences * words_per_sentence)


def spread(scored: Sequence[T], doc_of: Callable[[T], str]) -> list[T]:
    """``scored`` (best first) reordered to take each article's best in turn: every article's first,
    then every article's second, and so on; articles in the order of their best."""
    queues: dict[str, list[T]] = {}
    for item in scored:
        queues.setdefault(doc_of(item), []).append(item)
    order: list[T] = []
    depth = 0
    while len(order) < len(scored):
        order += [q[depth] for q in queues.values() if depth < len(q)]
        depth += 1
    return order


def date_order(chosen: Sequence[Sentence], documents: Mapping[str, Document]) -> list[Sentence]:
    """``chosen`` in the order of the dates their runs report: a run (consecutive sentences of one
    article, which must stay together) takes the earliest date its sentences state, else its
    article's date; runs with neither follow, grouped by article in the order first chosen."""
    first_seen = {d: i for i, d in enumerate(dict.fromkeys(s.doc_id for s in chosen))}
    runs: list[list[Sentence]] = []
    for s in sorted(chosen, key=lambda s: (first_seen[s.doc_id], s.index)):
        if runs and runs[-1][-1].doc_id == s.doc_id and runs[-1][-1].index + 1 == s.index:
            runs[-1].append(s)
        else:
            runs.append([s])

    def key(run: list[Sentence]) -> tuple:
        doc = documents[run[0].doc_id]
        stated = [d for d in (sentence_date(s, doc) for s in run) if d]
        when = min(stated) if stated else doc.date
        return (0 if when else 1, when, first_seen[doc.doc_id], run[0].index)

    return [s for run in sorted(runs, key=key) for s in run]
