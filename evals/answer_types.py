"""How well the question's form predicts the answer's type, measured on SQuAD v1.1.

Truth: the named-entity type of the gold answer span, read by the same NER model in
the span's own paragraph (the entity overlapping the span most; no entity, or a
nationality, means the answer has no type).  Prediction: ``expected_type`` of the
question.  ``agent`` (who / whom / whose) is right for a person, an organisation or
a place; ``duration`` (how long) is right for a date or time.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from assistant.answer.answer_type import expected_type
from assistant.models.ner import entities

TYPES = ("person", "organisation", "place", "date", "number")
_TRUTH = {
    "PERSON": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "DATE": "date",
    "TIME": "date",
    "CARDINAL": "number",
    "QUANTITY": "number",
    "MONEY": "number",
    "PERCENT": "number",
    "ORDINAL": "number",
}
_COMPATIBLE = {"agent": {"person", "organisation", "place"}, "duration": {"date"}}


def truth_type(found: list[tuple[str, str, int, int]], start: int, end: int) -> str | None:
    overlap = [(min(end, e) - max(start, s), label) for _, label, s, e in found if s < end and start < e]
    best = max(overlap, default=(0, ""))
    return _TRUTH.get(best[1]) if best[0] > 0 else None


def compatible(predicted: str | None, truth: str | None) -> bool:
    return predicted is not None and truth is not None and truth in _COMPATIBLE.get(predicted, {predicted})


def answer_type_scores(data_file: Path) -> dict[str, object]:
    """Per predicted type its precision; per true type its recall; and the confusion counts."""
    articles = json.loads(data_file.read_text(encoding="utf-8"))["data"]
    pairs: list[tuple[str | None, str | None]] = []
    for article in articles:
        paragraphs = article["paragraphs"]
        for paragraph, found in zip(paragraphs, entities([p["context"] for p in paragraphs]), strict=True):
            for qa in paragraph["qas"]:
                answer = qa["answers"][0]
                start = answer["answer_start"]
                pairs.append((expected_type(qa["question"]), truth_type(found, start, start + len(answer["text"]))))
    predicted = Counter(p for p, _ in pairs if p)
    precision = {
        kind: {"predicted": n, "precision": sum(compatible(p, t) for p, t in pairs if p == kind) / n}
        for kind, n in sorted(predicted.items())
    }
    recall = {}
    for kind in TYPES:
        of_kind = [p for p, t in pairs if t == kind]
        if of_kind:
            recall[kind] = {
                "questions": len(of_kind),
                "recall": sum(compatible(p, kind) for p in of_kind) / len(of_kind),
            }
    return {
        "questions": len(pairs),
        "typed_answers": sum(1 for _, t in pairs if t),
        "precision": precision,
        "recall": recall,
    }
