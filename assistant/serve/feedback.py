"""Record a reader's verdict on an answer as one JSON line in a local file.

The file is meant to grow the question set: each line holds the question, the
conversation it was asked in (``history``, earlier user turns, oldest first, as in
``eval/README.md``), what was searched, the answer and its citations with exact
offsets.  A "down" verdict on an answerable question, or an answer where the
assistant should have abstained, is a candidate for a new ``eval/questions.jsonl``
entry: a person adds ``category``, ``evidence``, ``facts`` and ``docs`` by hand
following ``eval/README.md``.  Nothing leaves the machine: the record is appended to
the path the caller gives (the app uses ``feedback.jsonl`` in the project folder)
and is never sent anywhere.

Each record is written with a single ``write`` of one line while holding an
exclusive ``flock``, so concurrent chat sessions never interleave their lines.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import QueryError
from assistant.types import Answer, Citation

__all__ = ["VERDICTS", "MAX_COMMENT_CHARS", "record_feedback", "feedback_record"]

VERDICTS = ("up", "down")
MAX_COMMENT_CHARS = 2_000  # a comment, not an essay: longer ones are cut


def feedback_record(
    *,
    question: str,
    answer: Answer,
    verdict: str,
    comment: str = "",
    history: Sequence[str] = (),
    now: datetime | None = None,
) -> dict[str, Any]:
    """The JSON object ``record_feedback`` appends.  Raises ``QueryError`` for a bad verdict."""
    if verdict not in VERDICTS:
        raise QueryError(f"feedback verdict must be one of {', '.join(VERDICTS)}, got {verdict!r}")
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return {
        "time": when.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "question": question,
        "query": answer.query,
        "history": [str(turn) for turn in history],
        "answer": answer.text,
        "abstained": answer.abstained,
        "outcome": answer.outcome,
        "citations": [_citation(c) for c in answer.citations],
        "verdict": verdict,
        "comment": comment[:MAX_COMMENT_CHARS],
    }


def record_feedback(
    path: Path,
    *,
    question: str,
    answer: Answer,
    verdict: str,
    comment: str = "",
    history: Sequence[str] = (),
) -> None:
    """Append one feedback record to ``path`` (JSON Lines, UTF-8), creating its folders.

    ``verdict`` is "up" or "down"; anything else raises ``QueryError`` and writes
    nothing.  ``comment`` is cut to ``MAX_COMMENT_CHARS`` characters.
    """
    record = feedback_record(question=question, answer=answer, verdict=verdict, comment=comment, history=history)
    # json.dumps escapes newlines inside strings, so the record is exactly one line.
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            written = os.write(fd, line)
            while written < len(line):  # regular files write everything; guard anyway
                written += os.write(fd, line[written:])
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _citation(citation: Citation) -> dict[str, Any]:
    return {
        "number": citation.number,
        "doc_id": citation.doc_id,
        "title": citation.title,
        "publication": citation.publication,
        "date": citation.date,
        "start": citation.start,
        "end": citation.end,
        "text": citation.text,
    }
