"""Retrieval metrics over the question set: pure functions over ranks, and
``evaluate_retrieval``, which runs a search function over the set."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from assistant.ingest.text import plain
from evals.questions import Question, retrieval_query


def first_hit(texts: Iterable[str], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first text containing any evidence string, or None."""
    wanted = [plain(e) for e in evidence]
    for rank, text in enumerate(texts, start=1):
        folded = plain(text)
        if any(w in folded for w in wanted):
            return rank
    return None


def recall_at(ranks: Sequence[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mrr_at(ranks: Sequence[int | None], k: int) -> float:
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


@dataclass(frozen=True)
class RetrievalScores:
    mode: str
    recall_1: float
    recall_3: float
    recall_5: float
    mrr_10: float
    ranks: dict[str, int | None]  # question id -> first hit rank within 10


def evaluate_retrieval(
    search: Callable[[str, int, str], Sequence[str]],
    questions: Sequence[Question],
    mode: str,
) -> RetrievalScores:
    """Score ``search(query, k, mode) -> passage texts`` on the answerable questions."""
    answerable = [q for q in questions if q.answerable]
    ranks = {q.id: first_hit(search(retrieval_query(q), 10, mode), q.evidence) for q in answerable}
    values = list(ranks.values())
    return RetrievalScores(
        mode, recall_at(values, 1), recall_at(values, 3), recall_at(values, 5), mrr_at(values, 10), ranks
    )
