"""Answer metrics: pure functions scoring one answer against one ``Question``.

The definitions behind the *answer figures* of ``eval/README.md``:

* **fact coverage**: the share of a question's fact groups with at least one
  phrase in the answer (substring match, case-insensitive, after
  ``assistant.ingest.text.plain`` of both sides, so ``"Feb"`` also matches
  ``"February"``);
* **cited evidence**: some citation quotes an evidence string (see
  ``cited_evidence``);
* **abstention**: declining is right on unanswerable questions and wrong on
  answerable ones.

"Not applicable" is ``None``, never ``0.0``, so it cannot leak into a mean:
coverage, full coverage and cited evidence are ``None`` for unanswerable
questions, and ``summarise`` reports ``None`` for a rate with nothing to count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.ingest.text import normalise, plain
from evals.questions import CATEGORIES, Question

MIN_QUOTE_WORDS = 8  # a shorter citation inside an evidence string proves too little
_MARKER = re.compile(r"\[\d+\]")  # the answer's citation markers: "[1][2]"
_WORD = re.compile(r"\w")


def _covered(text: str, facts: Sequence[Sequence[str]]) -> int:
    folded = normalise(text)
    return sum(1 for group in facts if any(p and p in folded for p in map(normalise, group)))


def fact_coverage(text: str, facts: Sequence[Sequence[str]]) -> float:
    """Share of fact groups with at least one phrase in ``text``; 1.0 with no groups.

    Matching is by substring, case-insensitive, after ``plain`` of both
    sides.  An empty phrase matches nothing.
    """
    return _covered(text, facts) / len(facts) if facts else 1.0


def cited_evidence(citations: Sequence[str], evidence: Sequence[str]) -> bool:
    """Whether some citation quotes some evidence string.

    After ``plain`` of both sides (case is kept: evidence is verbatim), a
    citation counts when it contains an evidence string, or when it holds at
    least ``MIN_QUOTE_WORDS`` words and lies wholly inside an evidence string
    (it quotes part of the evidence).  A citation that merely overlaps an
    evidence string, neither containing the other, does not count.  Empty
    evidence strings are ignored rather than matching everything.
    """
    wanted = [e for e in map(plain, evidence) if e]
    for citation in map(plain, citations):
        if any(e in citation for e in wanted):
            return True
        if len(citation.split()) >= MIN_QUOTE_WORDS and any(citation in e for e in wanted):
            return True
    return False


def word_count(text: str) -> int:
    """Whitespace-delimited words holding a letter or digit; ``[n]`` markers and
    stray punctuation do not count."""
    return sum(1 for token in _MARKER.sub(" ", text).split() if _WORD.search(token))


@dataclass(frozen=True)
class AnswerScore:
    """One answer's scores.  ``coverage``, ``full_coverage`` and ``cited`` are
    ``None`` for unanswerable questions; an abstention on an answerable question
    scores 0.0 / False / False (it covers and cites nothing, even with no fact
    groups).  ``words`` is the answer text's length whatever it is."""

    id: str
    category: str
    answerable: bool
    abstained: bool
    coverage: float | None
    full_coverage: bool | None
    cited: bool | None
    words: int


def score_answer(question: Question, text: str, citation_texts: Sequence[str], abstained: bool) -> AnswerScore:
    """Score the answer ``text`` citing ``citation_texts`` (or an abstention) against ``question``."""
    words = word_count(text)
    if not question.answerable:
        return AnswerScore(question.id, question.category, False, abstained, None, None, None, words)
    if abstained:
        return AnswerScore(question.id, question.category, True, True, 0.0, False, False, words)
    covered = _covered(text, question.facts)
    total = len(question.facts)
    return AnswerScore(
        id=question.id,
        category=question.category,
        answerable=True,
        abstained=False,
        coverage=covered / total if total else 1.0,
        full_coverage=covered == total,
        cited=cited_evidence(citation_texts, question.evidence),
        words=words,
    )


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


@dataclass(frozen=True)
class Totals:
    """One system's figures over a group of questions; a rate is None when it has nothing to count."""

    n: int
    n_answerable: int
    n_unanswerable: int
    fact_coverage: float | None
    full_coverage_rate: float | None
    cited_evidence_rate: float | None
    abstention_rate: float | None
    false_abstention_rate: float | None
    mean_words: float | None


def _totals(scores: Sequence[AnswerScore]) -> Totals:
    answerable = [s for s in scores if s.answerable]
    unanswerable = [s for s in scores if not s.answerable]
    return Totals(
        n=len(scores),
        n_answerable=len(answerable),
        n_unanswerable=len(unanswerable),
        fact_coverage=_mean([s.coverage or 0.0 for s in answerable]),
        full_coverage_rate=_mean([float(bool(s.full_coverage)) for s in answerable]),
        cited_evidence_rate=_mean([float(bool(s.cited)) for s in answerable]),
        abstention_rate=_mean([float(s.abstained) for s in unanswerable]),
        false_abstention_rate=_mean([float(s.abstained) for s in answerable]),
        mean_words=_mean([float(s.words) for s in scores if not s.abstained]),
    )


def summarise(scores: Sequence[AnswerScore]) -> dict[str, Totals]:
    """Totals under ``"overall"`` and under each category of ``CATEGORIES`` (every one
    always present, in that order).

    Each holds ``n``, ``n_answerable``, ``n_unanswerable`` and the rates below;
    a rate is ``None`` when it has nothing to count (e.g. ``abstention_rate``
    of the ``single`` category):

    * ``fact_coverage``, ``full_coverage_rate``, ``cited_evidence_rate``,
      ``false_abstention_rate``: over answerable questions, abstentions included;
    * ``abstention_rate``: over unanswerable questions;
    * ``mean_words``: over answers that did not abstain, of any question.
    """
    unknown = sorted({s.category for s in scores} - set(CATEGORIES))
    if unknown:
        raise ValueError(f"unknown question categories {unknown}; expected one of {', '.join(CATEGORIES)}")
    summary = {"overall": _totals(scores)}
    for category in CATEGORIES:
        summary[category] = _totals([s for s in scores if s.category == category])
    return summary
