"""The timeline's evaluation (``evals.timeline``): entries meet their labels by a stable key, what
cannot be paired is counted, and precision and relative-date accuracy come out right on small
hand-made entries and labels, including ones that must score badly."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

import pytest

from assistant.errors import AssistantError
from evals.timeline import (
    LABELS,
    Entry,
    Label,
    load_labels,
    match,
    reuters_pool,
    reuters_split,
    score,
    scores,
    sentence_sha,
)

SENTENCES = {
    "a1": "The bridge reopened on Thursday.",
    "a2": "It was built in 1911.",
    "b1": "Sales rose from last year's level.",
    "b2": "The fair opens next week.",
}


def entry(article: str, sentence: str, date: str, precision: str, phrase: str, *, pool: str = "p") -> Entry:
    text = SENTENCES[sentence]
    split = "dev" if article == "a.txt" else "test"
    return Entry(pool, article, split, 0 if sentence.endswith("1") else 40, 40 + len(text), date, precision, phrase,
                 "2024-05-10", sentence_sha(text), text)  # fmt: skip


def label(e: Entry, verdict: str, dated_by: str, *, resolved: bool = True, error: str = "") -> Label:
    return Label(e.pool, e.article, e.start, e.end, e.date, e.precision, e.phrase, e.sentence_sha, verdict, dated_by,
                 resolved, error or ("" if verdict == "correct" else "some error"))  # fmt: skip


THURSDAY = entry("a.txt", "a1", "2024-05-09", "day", "Thursday")
BUILT = entry("a.txt", "a2", "1911-01-01", "year", "in 1911")
LAST_YEAR = entry("b.txt", "b1", "2023-01-01", "year", "last year")
NEXT_WEEK = entry("b.txt", "b2", "2024-05-13", "week", "next week")


def test_a_labelled_entry_is_scored_and_the_rest_is_counted_not_skipped():
    gone = label(replace(THURSDAY, date="2024-05-02"), "correct", "relative")  # the system now dates it otherwise
    labels = [label(BUILT, "correct", "explicit"), label(LAST_YEAR, "not_event_date", "relative"), gone]
    matched = match([THURSDAY, BUILT, LAST_YEAR, NEXT_WEEK], labels)
    assert [e.phrase for e, _ in matched.pairs] == ["in 1911", "last year"]
    assert [e.phrase for e in matched.unlabelled] == ["Thursday", "next week"]
    assert matched.disappeared == (gone,)
    s = score(matched)
    assert (s.entries, s.labelled, s.unlabelled, s.disappeared) == (4, 2, 2, 1)
    assert (s.correct, s.precision) == (1, 0.5)
    assert (s.relative, s.relative_correct, s.relative_accuracy) == (1, 0, 0.0)


def test_a_label_whose_sentence_changed_is_stale_not_scored():
    changed = replace(label(BUILT, "correct", "explicit"), sentence_sha=sentence_sha("It was built in 1912."))
    matched = match([BUILT], [changed])
    assert matched.pairs == () and matched.stale == ((BUILT, changed),)
    s = score(matched)
    assert (s.entries, s.labelled, s.stale, s.precision) == (1, 0, 1, None)


def test_every_entry_wrong_scores_zero_and_background_dates_count_only_in_the_lenient_figure():
    labels = [
        label(THURSDAY, "wrong_date", "relative", resolved=False),
        label(BUILT, "not_event_date", "explicit", error="background"),
        label(LAST_YEAR, "not_event_date", "relative", error="comparison"),
        label(NEXT_WEEK, "wrong_precision", "relative"),
    ]
    s = score(match([THURSDAY, BUILT, LAST_YEAR, NEXT_WEEK], labels))
    assert (s.correct, s.precision, s.with_background) == (0, 0.0, 0.25)
    assert (s.relative, s.relative_accuracy) == (3, 0.0)
    assert (s.relative_resolved, s.relative_resolution) == (2, pytest.approx(2 / 3))
    assert s.verdicts == {"not_event_date": 2, "wrong_date": 1, "wrong_precision": 1}
    assert s.by_dated["explicit"] == {"labelled": 1, "correct": 0, "resolved": 1}


def test_scores_by_pool_and_split_keep_a_vanished_articles_labels_in_their_split():
    other = entry("c.txt", "a2", "1911-01-01", "year", "in 1911", pool="q")
    labels = [label(THURSDAY, "correct", "relative"), label(LAST_YEAR, "wrong_date", "relative"),
              label(other, "correct", "explicit")]  # fmt: skip
    split_of = {("p", "a.txt"): "dev", ("p", "b.txt"): "test", ("q", "c.txt"): "test"}
    results = scores([THURSDAY, LAST_YEAR], labels, split_of)  # c.txt now gives no entry at all
    assert list(results) == ["p", "q", "all"]
    assert (results["p"]["dev"].precision, results["p"]["test"].precision, results["p"]["all"].precision) == (
        1.0,
        0.0,
        0.5,
    )
    assert results["q"]["test"].disappeared == 1 and results["q"]["dev"].disappeared == 0
    assert (results["all"]["all"].labelled, results["all"]["all"].disappeared) == (2, 1)
    del split_of["q", "c.txt"]  # the article left its pool
    results = scores([THURSDAY, LAST_YEAR], labels, split_of)
    gone = (results["q"]["all"].disappeared, results["q"]["test"].disappeared, results["all"]["all"].disappeared)
    assert gone == (1, 0, 1)


def test_the_label_file_is_checked(tmp_path):
    good = asdict(label(BUILT, "correct", "explicit"))
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(good) + "\n", encoding="utf-8")
    assert load_labels(path) == [label(BUILT, "correct", "explicit")]
    for bad, message in [
        ({**good, "verdict": "fine"}, "verdict"),
        ({**good, "dated_by": "guessed"}, "dated_by"),
        ({**good, "verdict": "wrong_date", "error": ""}, "kind of error"),
        ({**good, "colour": "red"}, "not a valid label"),
    ]:
        path.write_text(json.dumps(bad) + "\n", encoding="utf-8")
        with pytest.raises(AssistantError, match=message):
            load_labels(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "note": "again"}) + "\n", encoding="utf-8")
    with pytest.raises(AssistantError, match="second label"):
        load_labels(path)


def test_the_committed_labels_parse():
    assert len(load_labels(LABELS)) >= 50


def test_the_reuters_pool_takes_the_first_records_by_newid_holding_a_relative_word(tmp_path):
    rows = [
        {"newid": 12, "body": "Output rose last week."},
        {"newid": 3, "body": "Prices fell on Tuesday."},
        {"newid": 5, "body": "Nothing dated here."},
        {"newid": 7, "body": ""},
        {"newid": 9, "body": "Shares climbed YESTERDAY."},
        {"newid": 4, "body": "Talks resume tomorrow."},
        {"newid": 20, "body": "Profits fell this  year."},
    ]
    path = tmp_path / "reuters21578.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pool = reuters_pool(path, size=3, exclude={"4"})
    assert [a.name for a in pool] == ["reuters_3.txt", "reuters_9.txt", "reuters_12.txt"]
    assert [a.source for a in pool][0] == "reuters21578.jsonl#3"
    assert [a.split for a in pool] == [reuters_split("3"), reuters_split("9"), reuters_split("12")]
    assert len(reuters_pool(path, size=10)) == 5


def test_the_reuters_split_is_fixed_and_uses_both_splits():
    splits = [reuters_split(str(n)) for n in range(40)]
    assert splits == [reuters_split(str(n)) for n in range(40)]
    assert set(splits) == {"dev", "test"}
