"""The corroboration eval's arithmetic on hand-made inputs whose right figures are known
(``evals.corroboration``): the comparison of counts with labels, the threshold grid and choice,
and the label checks.  No model runs."""

from __future__ import annotations

import json

import pytest

from assistant.errors import AssistantError
from assistant.settings import Settings
from evals.corroboration import Label, Said, choose, compare, confusion, grid, load_labels, sentence_sha
from evals.questions import EVAL_DIR

PUBLICATION = {"a": "Daily Post", "b": "Daily Post", "c": "Evening Star", "d": ""}


def said(question: str, doc: str, start: int, stated: tuple[str, ...], publications: int, text: str = "x") -> Said:
    return Said(question, doc, start, start + 10, sentence_sha(text), stated, publications, False)


def label(question: str, doc: str, start: int, articles: tuple[str, ...], text: str = "x", **kw) -> Label:
    return Label(question, doc, start, start + 10, sentence_sha(text), articles, **kw)


def test_every_count_right_scores_full_marks():
    rows = [said("q1", "a", 0, ("a", "c"), 2), said("q1", "a", 20, ("a",), 1), said("q2", "b", 0, ("b", "a"), 1)]
    labels = [label("q1", "a", 0, ("a", "c")), label("q1", "a", 20, ("a",)), label("q2", "b", 0, ("b", "a"))]
    out = compare(rows, labels, PUBLICATION)
    assert (out["answers_scored"], out["answers_matching"], out["answers_matching_publications"]) == (2, 2, 2)
    assert out["sentence_agreement"] == 1.0 and out["sentence_publication_agreement"] == 1.0
    assert (out["over_counts"], out["under_counts"]) == (0, 0)
    assert out["hand_corroborated"] == out["system_corroborated"] == 2
    assert out["answers_matching_if_always_one"] == 0


def test_wrong_counts_score_badly_and_are_listed():
    # q1: the system finds one article where the hand check found three; q2: two where one is right.
    rows = [said("q1", "a", 0, ("a",), 1), said("q2", "b", 0, ("b", "d"), 2), said("q2", "b", 20, ("b",), 1)]
    labels = [label("q1", "a", 0, ("a", "c", "d")), label("q2", "b", 0, ("b",)), label("q2", "b", 20, ("b",))]
    out = compare(rows, labels, PUBLICATION)
    assert out["answers_matching"] == 0 and out["answer_match_rate"] == 0.0
    assert out["sentence_agreement"] == pytest.approx(1 / 3)
    assert (out["over_counts"], out["under_counts"]) == (1, 1)
    # "d" has no publication: it counts as its own, so the hand check of q1 has three publications
    assert [r["publications_hand"] for r in out["disagreements"]] == [3, 1]
    assert [(r["missed"], r["extra"]) for r in out["disagreements"]] == [(["c", "d"], []), ([], ["d"])]


def test_same_count_of_other_articles_matches_the_count_not_the_articles():
    """The measure is the count the reader sees; the articles themselves are reported apart."""
    out = compare([said("q1", "a", 0, ("a", "b"), 1)], [label("q1", "a", 0, ("a", "c"))], PUBLICATION)
    assert out["answers_matching"] == 1
    assert out["sentence_same_articles"] == 0.0
    assert out["answers_matching_publications"] == 0  # Daily Post twice is one; Post and Star are two


def test_unlabelled_and_stale_sentences_are_counted_and_unscore_their_answer():
    rows = [said("q1", "a", 0, ("a",), 1), said("q1", "a", 20, ("a",), 1), said("q2", "b", 0, ("b",), 1, "new")]
    labels = [label("q1", "a", 0, ("a",)), label("q2", "b", 0, ("b",), "old")]
    out = compare(rows, labels, PUBLICATION)
    assert (out["sentences_unlabelled"], out["sentences_stale"]) == (1, 1)
    assert out["answers"] == 2 and out["answers_scored"] == 0 and out["answer_match_rate"] is None
    assert out["unlabelled"] == [["q1", "a", 20, 30]] and out["stale"] == [["q2", "b", 0, 10]]


def test_single_unnamed_is_checked_against_the_hand_reading():
    flagged = Said("q1", "a", 0, 10, sentence_sha("x"), ("a",), 1, True)
    missed = said("q2", "b", 0, ("b",), 1)
    labels = [label("q1", "a", 0, ("a", "c"), unnamed=True), label("q2", "b", 0, ("b",), unnamed=True)]
    out = compare([flagged, missed], labels, PUBLICATION)
    # q1 is flagged but another article states it; q2 rests on one unnamed source and is not flagged
    assert (out["single_unnamed_sentences"], out["single_unnamed_right"], out["single_unnamed_missed"]) == (1, 0, 1)


def test_confusion_and_choice():
    c = confusion(0.9, [(True, True), (True, False), (False, True), (False, False), (False, False)])
    assert (c.tp, c.fp, c.fn, c.tn) == (1, 1, 1, 2)
    assert c.accuracy == 0.6 and c.precision == 0.5 and c.recall == 0.5 and c.f1 == 0.5
    low, high = confusion(0.8, [(True, True), (True, False)]), confusion(0.9, [(True, True), (False, False)])
    assert choose([low, high]) is high
    # equal accuracy: the higher precision wins, then the higher threshold
    a, b = confusion(0.8, [(True, True), (True, False)]), confusion(0.85, [(False, True), (False, False)])
    assert a.accuracy == b.accuracy and choose([b, a]) is a
    assert choose([confusion(0.9, []), confusion(0.95, [])]).threshold == 0.95


def test_grid_applies_the_cosine_and_the_figures_rule():
    pairs = [
        ("The ferry sank with 40 aboard.", "Forty people were on the ferry that went down.", 0.95, True),
        ("The bridge opened in May.", "Tolls on the bridge rose in June.", 0.91, False),
        ("Storms closed 12 roads in the north.", "In all, 15 roads were shut by the storms.", 0.97, False),
    ]
    by_threshold = {c.threshold: c for c in grid(pairs, Settings(), (0.90, 0.93))}  # the figures differ in the third
    assert (by_threshold[0.90].tp, by_threshold[0.90].fp) == (1, 1)
    assert (by_threshold[0.93].tp, by_threshold[0.93].fp, by_threshold[0.93].tn) == (1, 0, 2)


def test_labels_are_checked(tmp_path):
    path = tmp_path / "labels.jsonl"
    row = {"question": "q1", "doc": "a", "start": 0, "end": 10, "sha": "0", "articles": ["b"]}
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(AssistantError, match="own article"):
        load_labels(path)
    path.write_text((json.dumps({**row, "articles": ["a"]}) + "\n") * 2, encoding="utf-8")
    with pytest.raises(AssistantError, match="second label"):
        load_labels(path)


def test_the_default_cosine_is_the_one_chosen_on_the_dev_pairs():
    chosen = json.loads((EVAL_DIR / "corroboration.json").read_text(encoding="utf-8"))["dev"]["chosen"]
    assert Settings().same_cosine == chosen, "set same_cosine to eval/corroboration.json's choice"
