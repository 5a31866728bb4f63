"""How many articles state an answer's fact: a reader weighs a claim that five outlets report
against one resting on a single unnamed official.

Another article states the same fact as a sentence when the figures both state agree ("12 killed"
and "15 killed" are two claims, however alike the rest) and its sentence is a near copy
(``same_words`` of the shorter one's words are in the other: wire copy run by several outlets, a
quote repeated) or says it in other words: the sentence vectors' cosine is at least ``same_cosine``.
On the news set's dev pairs no cosine told the same fact from the same story (``eval/corroboration.json``),
so the default is chosen so high that in practice only near copies count.
Candidates are the sentences nearest by vector in the whole corpus, whatever the question's
filters: corroboration is about the archive, not the slice a question searched.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.answer.accounts import stated_by
from assistant.settings import Settings
from assistant.types import Sentence, Statement

if TYPE_CHECKING:
    from assistant.retrieve.search import Retriever

_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


def word_overlap(a: str, b: str) -> float:
    """Share of the shorter sentence's words found in the other (case-folded)."""
    words_a, words_b = set(a.casefold().split()), set(b.casefold().split())
    return len(words_a & words_b) / max(1, min(len(words_a), len(words_b)))


def same_fact(a: str, b: str, cosine: float, settings: Settings) -> bool:
    """Whether sentences ``a`` and ``b`` (vectors' ``cosine``) state the same fact (module docstring)."""
    figures_a, figures_b = set(_FIGURE.findall(a)), set(_FIGURE.findall(b))
    if figures_a and figures_b and figures_a != figures_b:
        return False  # "Rain closed 12 roads" and "Rain closed 15 roads": alike, two claims
    return word_overlap(a, b) >= settings.same_words or cosine >= settings.same_cosine


def statements(retriever: Retriever, settings: Settings, sentence: Sentence) -> tuple[Statement, ...]:
    """``sentence`` and, one per article, the nearest sentence of each other article stating the same fact."""
    index = retriever.index
    row = retriever.sentence_row(sentence.doc_id, sentence.index)
    found = {sentence.doc_id: sentence}
    for other_row, cosine in retriever.nearest_sentences(row, settings.corroboration_neighbours):
        other = index.sentence_rows[other_row]
        if other.doc_id not in found and same_fact(sentence.text, other.text, cosine, settings):
            found[other.doc_id] = other
    return tuple(_statement(retriever, s) for s in found.values())


def _statement(retriever: Retriever, sentence: Sentence) -> Statement:
    doc = retriever.index.documents[sentence.doc_id]
    return Statement(
        sentence.doc_id,
        sentence.index,
        sentence.start,
        sentence.end,
        sentence.text,
        doc.title,
        doc.publication,
        doc.date,
        stated_by(sentence.text),
        doc.label,
    )
