"""The fixed question set and the metrics that score retrieval against it.

Metrics are pure functions over ranks; ``evaluate_retrieval`` runs a search
function over the set.  The file format is documented in ``eval/README.md``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .errors import AssistantError
from .followup import resolve

CATEGORIES = ("single", "multi", "followup", "unanswerable")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'})
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    question: str
    answerable: bool
    evidence: tuple[str, ...] = ()
    facts: tuple[tuple[str, ...], ...] = ()
    history: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()


def load_questions(path: Path) -> list[Question]:
    """Parse and validate a question file; errors name the line and the problem."""
    questions, seen = [], set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AssistantError(f"cannot read question set {path}: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
            q = Question(
                id=str(row["id"]),
                category=row["category"],
                question=row["question"],
                answerable=bool(row["answerable"]),
                evidence=tuple(row.get("evidence", ())),
                facts=tuple(tuple(group) for group in row.get("facts", ())),
                history=tuple(row.get("history", ())),
                docs=tuple(row.get("docs", ())),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AssistantError(f"{where}: not a valid question ({exc!r}); see eval/README.md") from exc
        if q.category not in CATEGORIES:
            raise AssistantError(f"{where}: category {q.category!r} is not one of {', '.join(CATEGORIES)}")
        if q.answerable and not q.evidence:
            raise AssistantError(f"{where}: an answerable question needs evidence")
        if q.id in seen:
            raise AssistantError(f"{where}: duplicate id {q.id!r}")
        seen.add(q.id)
        questions.append(q)
    if not questions:
        raise AssistantError(f"{path} holds no questions")
    return questions


def normalise(text: str) -> str:
    """Whitespace and quote marks folded, so evidence matches however the text was typed."""
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip()


def first_hit(texts: Iterable[str], evidence: Sequence[str]) -> int | None:
    """1-based rank of the first text containing any evidence string, or None."""
    wanted = [normalise(e) for e in evidence]
    for rank, text in enumerate(texts, start=1):
        folded = normalise(text)
        if any(w in folded for w in wanted):
            return rank
    return None


def recall_at(ranks: Sequence[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def mrr_at(ranks: Sequence[int | None], k: int) -> float:
    return sum(1.0 / r for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def retrieval_query(q: Question) -> str:
    """The text searched for a question: follow-ups resolved against their history
    by the same rules the chat uses."""
    return resolve(q.question, q.history)


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
    return RetrievalScores(mode, recall_at(values, 1), recall_at(values, 3), recall_at(values, 5),
                           mrr_at(values, 10), ranks)
