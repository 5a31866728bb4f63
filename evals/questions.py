"""The fixed question set: its records and its loader (format: ``eval/README.md``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from assistant.answer.followup import resolve
from assistant.errors import AssistantError

CATEGORIES = ("single", "multi", "followup", "unanswerable")


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


def retrieval_query(q: Question) -> str:
    """The text searched for a question: follow-ups resolved against their history
    by the same rules the chat uses."""
    return resolve(q.question, q.history)
