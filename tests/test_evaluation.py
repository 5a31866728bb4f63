"""The question sets are valid (the bundled one against the cleaned corpus), split by
article, their corpora written as a user would save them, and the metrics are right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.errors import AssistantError
from assistant.ingest.text import plain as normalise
from evals.corpora import write_corpus
from evals.questions import CATEGORIES, SETS, Article, Question, QuestionSet, load_questions, load_set, load_sets
from evals.retrieval import first_hit, mrr_at, recall_at
from evals.tune import calibrate

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl"


@pytest.mark.parametrize("name", list(SETS))
def test_question_sets_meet_the_mix_in_both_splits(name):
    (question_set,) = load_sets([name])
    questions = question_set.questions
    counts = {c: sum(q.category == c for q in questions) for c in CATEGORIES}
    assert len(questions) >= 60
    assert counts["unanswerable"] >= 12 and counts["followup"] >= 6 and counts["multi"] >= 8
    assert all(q.history for q in questions if q.category == "followup")
    assert all(not q.answerable for q in questions if q.category == "unanswerable")
    assert all(len(q.docs) >= 2 for q in questions if q.category == "multi")
    for split in ("dev", "test"):
        assert {q.category for q in question_set.split(split)} == set(CATEGORIES), split


def test_the_news_set_asks_what_covered_articles_do_not_say():
    """At least 15 unanswerable questions, most of them about articles of the set (not off-corpus)."""
    (news,) = load_sets(["news"])
    unanswerable = [q for q in news.questions if not q.answerable]
    assert len(unanswerable) >= 15
    assert all(q.about for q in unanswerable)


def test_a_question_is_dev_only_when_every_article_it_draws_on_is():
    articles = (Article("a.txt", "dev", "x"), Article("b.txt", "test", "y"))
    both = Question("q1", "multi", "?", True, ("e",), docs=("a.txt", "b.txt"))
    dev = Question("q2", "single", "?", True, ("e",), docs=("a.txt",))
    near = Question("q3", "unanswerable", "?", False, about=("a.txt",))
    question_set = QuestionSet("s", (both, dev, near), articles)
    assert question_set.split("dev") == [dev, near]
    assert question_set.split("test") == [both]


def test_a_question_naming_no_listed_article_is_refused(tmp_path):
    questions, articles = tmp_path / "q.jsonl", tmp_path / "articles.tsv"
    articles.write_text("article\tsplit\tsource\na.txt\tdev\tcorpus/a.txt\n", encoding="utf-8")
    questions.write_text(json.dumps({"id": "u", "category": "unanswerable", "question": "?", "answerable": False}))
    with pytest.raises(AssistantError, match="names no article"):
        load_set("s", questions, articles)
    row = {"id": "s", "category": "single", "question": "?", "answerable": True, "evidence": ["x"], "docs": ["b.txt"]}
    questions.write_text(json.dumps(row))
    with pytest.raises(AssistantError, match="not in"):
        load_set("s", questions, articles)
    articles.write_text("article\tsplit\tsource\na.txt\ttrain\tcorpus/a.txt\n", encoding="utf-8")
    with pytest.raises(AssistantError, match="articles.tsv:2"):
        load_set("s", questions, articles)


def test_shared_data_articles_are_written_as_a_user_would_save_them(tmp_path):
    """A BBC file keeps its text under front matter; a Reuters record's hard-wrapped lines
    become paragraphs again (else each teleprinter line would be a paragraph of its own)."""
    data = tmp_path / "data"
    (data / "bbc" / "articles" / "tech").mkdir(parents=True)
    (data / "bbc" / "articles" / "tech" / "007.txt").write_text("Title here\n\nFirst paragraph.\n", encoding="utf-8")
    body = "Showers continued in\nthe zone, it said.\n    The dry period\nmeans a late crop.\n Reuter\n\x03"
    record = {"newid": 5, "date": "26-FEB-1987 15:01:01.79", "title": "COCOA REVIEW", "body": body}
    (data / "reuters21578.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    articles = [Article("bbc_tech_007.txt", "dev", "bbc/articles/tech/007.txt")]
    articles += [Article("reuters_5.txt", "test", "reuters21578.jsonl#5")]
    folder = write_corpus(articles, tmp_path / "corpus", data)
    assert (folder / "bbc_tech_007.txt").read_text(encoding="utf-8").endswith("Title here\n\nFirst paragraph.\n")
    reuters = (folder / "reuters_5.txt").read_text(encoding="utf-8")
    assert "date: 1987-02-26" in reuters and "title: COCOA REVIEW" in reuters
    assert reuters.endswith("Showers continued in the zone, it said.\n\nThe dry period means a late crop.\n")
    with pytest.raises(AssistantError, match="reuters_6.txt"):
        write_corpus([Article("reuters_6.txt", "dev", "reuters21578.jsonl#6")], tmp_path / "other", data)


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
    assert calibration.abstention == 1.0 and calibration.false_abstention == 0.0


def test_calibration_spends_no_answerable_question_when_the_scores_do_not_separate():
    """Unanswerable scores above most answerable ones: no threshold within the 5 % budget
    refuses any of them, so the threshold goes below every answerable question."""
    questions, best = _scored([-7.0 + i for i in range(20)], [6.0, 7.0, None])
    calibration = calibrate(questions, best)
    assert calibration.suggested < -7.0
    assert calibration.false_abstention == 0.0
    assert calibration.abstention == pytest.approx(1 / 3)  # the one no article names


def test_calibration_spends_the_budget_when_it_buys_abstention():
    questions, best = _scored([-5.0] + [float(i) for i in range(1, 20)], [-4.0])
    calibration = calibrate(questions, best)
    assert -4.0 < calibration.suggested < 1.0
    assert calibration.false_abstention == 0.05
