"""The question set is valid against the cleaned corpus, and the metrics are right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.errors import AssistantError
from assistant.ingest.text import plain as normalise
from evals.questions import CATEGORIES, Question, load_questions
from evals.report import calibrate
from evals.retrieval import first_hit, mrr_at, recall_at

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl"


def test_question_set_meets_the_mix():
    questions = load_questions(QUESTIONS)
    counts = {c: sum(q.category == c for q in questions) for c in CATEGORIES}
    assert len(questions) >= 40
    assert counts["unanswerable"] >= 6 and counts["followup"] >= 6 and counts["multi"] >= 8
    assert all(q.history for q in questions if q.category == "followup")
    assert all(not q.answerable for q in questions if q.category == "unanswerable")
    assert all(len(q.docs) >= 2 for q in questions if q.category == "multi")


def test_every_evidence_string_survives_cleaning(assistant):
    """Evidence must be findable in the *cleaned* article it names, or retrieval scores lie."""
    documents = assistant.retriever.index.documents
    for q in load_questions(QUESTIONS):
        texts = [normalise(documents[d].text) for d in q.docs]
        for evidence in q.evidence:
            assert any(normalise(evidence) in t for t in texts), (q.id, evidence)
        for group in q.facts:
            assert any(p.lower() in normalise(e).lower() for p in group for e in q.evidence), (q.id, group)


def test_loader_names_the_bad_line(tmp_path):
    bad = tmp_path / "q.jsonl"
    bad.write_text(
        json.dumps({"id": "a", "category": "single", "question": "?", "answerable": True, "evidence": ["x"]})
        + "\n"
        + '{"id": "b"}\n',
        encoding="utf-8",
    )
    with pytest.raises(AssistantError, match=r"q.jsonl:2"):
        load_questions(bad)
    bad.write_text(json.dumps({"id": "a", "category": "trivia", "question": "?", "answerable": False}))
    with pytest.raises(AssistantError, match="category 'trivia'"):
        load_questions(bad)


def test_hits_ignore_quote_style_and_spacing():
    assert first_hit(["nothing here", "Biden’s  call\nwith Xi"], ["Biden's call with Xi"]) == 2
    assert first_hit(["a", "b"], ["c"]) is None


@given(st.lists(st.one_of(st.none(), st.integers(1, 20)), min_size=1, max_size=50))
def test_metric_properties(ranks):
    assert 0.0 <= recall_at(ranks, 1) <= recall_at(ranks, 3) <= recall_at(ranks, 5) <= 1.0
    assert 0.0 <= mrr_at(ranks, 10) <= recall_at(ranks, 10)
    assert recall_at(ranks, 1) <= mrr_at(ranks, 10)


def test_metrics_by_hand():
    ranks = [1, 2, None, 6]
    assert recall_at(ranks, 1) == 0.25 and recall_at(ranks, 5) == 0.5
    assert mrr_at(ranks, 10) == pytest.approx((1 + 0.5 + 1 / 6) / 4)


def _scored(answerable: list[float | None], unanswerable: list[float | None]):
    questions = [Question(f"a{i}", "single", "?", True) for i in range(len(answerable))]
    questions += [Question(f"u{i}", "unanswerable", "?", False) for i in range(len(unanswerable))]
    return questions, dict(zip((q.id for q in questions), answerable + unanswerable, strict=False))


def test_calibration_separates_when_the_scores_do():
    questions, best = _scored([5.0, 6.0, 7.0, 8.0], [-3.0, -2.0])
    calibration = calibrate(questions, best)
    assert -2.0 < calibration.suggested < 5.0
    assert calibration.abstention_at_suggested == 1.0 and calibration.false_abstention_at_suggested == 0.0


def test_calibration_spends_no_answerable_question_when_the_scores_do_not_separate():
    """Unanswerable scores above most answerable ones: no threshold within the 5 % budget
    refuses any of them, so the threshold goes below every answerable question."""
    questions, best = _scored([-7.0 + i for i in range(20)], [6.0, 7.0, None])
    calibration = calibrate(questions, best)
    assert calibration.suggested < -7.0
    assert calibration.false_abstention_at_suggested == 0.0
    assert calibration.abstention_at_suggested == pytest.approx(1 / 3)  # the one no article names


def test_calibration_spends_the_budget_when_it_buys_abstention():
    questions, best = _scored([-5.0] + [float(i) for i in range(1, 20)], [-4.0])
    calibration = calibrate(questions, best)
    assert -4.0 < calibration.suggested < 1.0
    assert calibration.false_abstention_at_suggested == 0.05
