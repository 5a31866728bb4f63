"""Feedback: one intact JSON line per record, even from many threads at once."""

from __future__ import annotations

import json
import threading
from datetime import datetime

import pytest

from assistant.errors import QueryError
from assistant.serve.feedback import MAX_COMMENT_CHARS, record_feedback
from assistant.types import Answer, Citation

QUOTE = "The talks lasted four hours."
ANSWER = Answer(
    question="How long did it last?",
    query="How long did the Geneva talks last?",
    text=f"{QUOTE} [1]",
    sentences=(),
    citations=(
        Citation(
            number=1, doc_id="upload-0123456789ab.txt", title="Envoys Meet in Geneva",
            publication="The Ledger", date="2021-03-18", text=QUOTE, start=10, end=10 + len(QUOTE),
            sentences=(1,),
        ),
    ),
    abstained=False,
    reason="",
    passages=(),
)  # fmt: skip
FIELDS = {"time", "question", "query", "history", "answer", "abstained", "outcome", "citations", "verdict", "comment"}


def lines_of(path):
    return path.read_text(encoding="utf-8").splitlines()


def test_two_records_are_two_json_lines(tmp_path):
    path = tmp_path / "nested" / "feedback.jsonl"
    record_feedback(path, question="How long did it last?", answer=ANSWER, verdict="up",
                    history=["Where did the envoys meet?"])  # fmt: skip
    record_feedback(path, question="Ça a duré?\nVraiment", answer=ANSWER, verdict="down",
                    comment="x" * (MAX_COMMENT_CHARS + 50))  # fmt: skip
    first, second = (json.loads(line) for line in lines_of(path))
    assert set(first) == set(second) == FIELDS
    assert datetime.fromisoformat(first["time"]).utcoffset().total_seconds() == 0
    assert first["question"] == "How long did it last?"
    assert first["query"] == ANSWER.query
    assert first["history"] == ["Where did the envoys meet?"]
    assert first["answer"] == ANSWER.text and first["abstained"] is False
    assert first["citations"] == [{
        "number": 1, "doc_id": "upload-0123456789ab.txt", "title": "Envoys Meet in Geneva",
        "publication": "The Ledger", "date": "2021-03-18", "start": 10, "end": 10 + len(QUOTE), "text": QUOTE,
    }]  # fmt: skip
    assert (first["verdict"], first["comment"]) == ("up", "")
    assert second["question"] == "Ça a duré?\nVraiment" and second["history"] == []
    assert (second["verdict"], len(second["comment"])) == ("down", MAX_COMMENT_CHARS)


@pytest.mark.parametrize("verdict", ["", "Up", "meh", "thumbs-down"])
def test_bad_verdict_is_refused_and_nothing_written(tmp_path, verdict):
    path = tmp_path / "feedback.jsonl"
    with pytest.raises(QueryError, match="verdict"):
        record_feedback(path, question="q", answer=ANSWER, verdict=verdict)
    assert not path.exists()


def test_concurrent_appends_never_interleave(tmp_path):
    path = tmp_path / "feedback.jsonl"
    threads_n, records_n = 8, 25
    long_comment = "y" * 1_900  # long lines make torn writes likelier

    def worker(t: int) -> None:
        for i in range(records_n):
            record_feedback(path, question=f"thread {t} record {i}", answer=ANSWER,
                            verdict="up" if i % 2 else "down", comment=long_comment)  # fmt: skip

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = [json.loads(line) for line in lines_of(path)]
    assert len(records) == threads_n * records_n
    assert {r["question"] for r in records} == {
        f"thread {t} record {i}" for t in range(threads_n) for i in range(records_n)
    }
    assert all(set(r) == FIELDS and r["comment"] == long_comment for r in records)
