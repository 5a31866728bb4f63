"""Answer metrics: hand-computed examples for each metric and the summary, and properties."""

from __future__ import annotations

from dataclasses import asdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals.answers import (
    MIN_QUOTE_WORDS,
    AnswerScore,
    cited_evidence,
    fact_coverage,
    score_answer,
    summarise,
    word_count,
)
from evals.questions import CATEGORIES, Question

READOUT = (
    "According to the official Chinese readout from the meeting, the two sides agreed to set up a "
    "joint working group on climate change, and to hold talks on facilitating reciprocal access for "
    "journalists, diplomats, and consular officials."
)
EVIDENCE = "the two sides agreed to set up a joint working group on climate change"
FACTS = (("joint working group", "working group on climate change"), ("journalists",))


# fact_coverage


def test_coverage_is_one_without_fact_groups():
    assert fact_coverage("", ()) == 1.0
    assert fact_coverage("anything at all", ()) == 1.0


def test_coverage_counts_groups_not_phrases():
    assert fact_coverage(READOUT, FACTS) == 1.0
    # both phrases of the first group present: still one group of two
    assert fact_coverage("a joint working group on climate change", FACTS) == 0.5
    assert fact_coverage("nothing relevant", FACTS) == 0.0
    assert fact_coverage("journalists", FACTS) == 0.5


def test_coverage_ignores_case_whitespace_and_quote_style():
    assert fact_coverage("A JOINT  Working\nGroup", (("joint working group",),)) == 1.0
    assert fact_coverage("according to Beijing's statement", (("Beijing’s statement",),)) == 1.0
    assert fact_coverage("he called it “substantive”", (('"substantive"',),)) == 1.0


def test_coverage_matches_substrings_and_empty_phrases_match_nothing():
    assert fact_coverage("on February 10", (("Feb",),)) == 1.0  # documented: substring, not whole word
    assert fact_coverage("some text", (("",),)) == 0.0
    assert fact_coverage("some text", (("", "text"),)) == 1.0


phrases = st.text(alphabet="ab ’'Σς\n", min_size=0, max_size=6)
groups = st.lists(st.lists(phrases, min_size=1, max_size=3).map(tuple), max_size=4).map(tuple)
texts = st.text(alphabet="abAB ’'Σσς\n\t", max_size=30)


@given(texts, groups)
def test_coverage_is_a_share(text, facts):
    value = fact_coverage(text, facts)
    assert 0.0 <= value <= 1.0
    if not facts:
        assert value == 1.0


@given(texts, texts, groups)
def test_adding_text_never_lowers_coverage(text, extra, facts):
    before = fact_coverage(text, facts)
    assert fact_coverage(text + extra, facts) >= before
    assert fact_coverage(extra + text, facts) >= before


# cited_evidence


def test_citation_containing_evidence_counts():
    assert cited_evidence(["unrelated sentence.", READOUT], [EVIDENCE])
    assert cited_evidence([READOUT], ["not in any citation", EVIDENCE])


def test_citation_quoting_part_of_the_evidence_needs_enough_words():
    eight = "agreed to set up a joint working group"
    assert len(eight.split()) == MIN_QUOTE_WORDS == 8
    assert cited_evidence([eight], [EVIDENCE])
    assert not cited_evidence(["to set up a joint working group"], [EVIDENCE])  # 7 words


def test_citation_comparison_folds_whitespace_and_quotes_but_keeps_case():
    evidence = "the readout did not directly reference last year’s journalist expulsions"
    assert cited_evidence(
        ["The  readout did not directly reference last year's\njournalist expulsions."],
        ["readout did not directly reference last year's journalist expulsions"],
    )
    assert cited_evidence([f"Yet {evidence}."], [evidence.replace("’", "'")])
    assert not cited_evidence([READOUT.upper()], [EVIDENCE])


def test_overlap_without_containment_does_not_count():
    left = "to set up a joint working group on climate change, and to hold talks on facilitating"
    assert not cited_evidence([left], [EVIDENCE])


def test_no_citations_or_empty_evidence_cite_nothing():
    assert not cited_evidence([], [EVIDENCE])
    assert not cited_evidence([READOUT], [])
    assert not cited_evidence([READOUT], [""])
    assert not cited_evidence([""], [EVIDENCE])


# word_count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("   \n ", 0),
        ("It lasted two days.", 4),
        ("Talks ended.[1] They resumed [2][3] later.", 5),
        ("Sherman met Wang Yi in Tianjin — briefly.", 7),
        ("tit-for-tat U.S. 3.5%", 3),
    ],
)
def test_word_count(text, expected):
    assert word_count(text) == expected


# score_answer


def question(qid="q1", category="single", facts=FACTS, evidence=(EVIDENCE,)) -> Question:
    answerable = category != "unanswerable"
    return Question(
        qid,
        category,
        "What came of it?",
        answerable,
        evidence=evidence if answerable else (),
        facts=facts if answerable else (),
    )


def test_score_of_a_partial_cited_answer():
    score = score_answer(question(), "They agreed on a joint working group. [1]", [READOUT], abstained=False)
    assert score == AnswerScore("q1", "single", True, False, 0.5, False, True, 7)


def test_abstaining_on_an_answerable_question_covers_and_cites_nothing():
    # even when the refusal happens to hold a fact phrase, or there are no fact groups
    score = score_answer(question(), "No article mentions journalists.", [READOUT], abstained=True)
    assert (score.coverage, score.full_coverage, score.cited, score.abstained) == (0.0, False, False, True)
    no_facts = score_answer(question(facts=()), "I could not find that.", [], abstained=True)
    assert (no_facts.coverage, no_facts.full_coverage, no_facts.cited) == (0.0, False, False)


def test_answered_question_without_facts_is_fully_covered():
    score = score_answer(question(facts=()), "It lasted two days.", ["It lasted two days."], abstained=False)
    assert (score.coverage, score.full_coverage, score.cited) == (1.0, True, False)


def test_unanswerable_question_has_no_coverage_or_citation_score():
    answered = score_answer(question("q9", "unanswerable"), "Sherman met Wang Yi.", [READOUT], abstained=False)
    assert answered == AnswerScore("q9", "unanswerable", False, False, None, None, None, 4)
    declined = score_answer(question("q9", "unanswerable"), "Not in the articles.", [], abstained=True)
    assert (declined.abstained, declined.coverage, declined.cited) == (True, None, None)


# summarise


def scored_set() -> list[AnswerScore]:
    return [
        # 0.5 coverage, cited, 13 words
        score_answer(
            question("q1"),
            "China said the two sides agreed to set up a joint working group. [1]",
            [READOUT],
            abstained=False,
        ),
        # false abstention
        score_answer(question("q2", facts=(("journalists",),)), "Not found.", [], abstained=True),
        # full coverage, cited through an 8-word quote of the evidence, 10 words
        score_answer(
            question("q3", "multi", facts=(("journalists",), ("working group",))),
            "Journalists will get access [1][2] and the joint working group meets.",
            ["sides agreed to set up a joint working group"],
            abstained=False,
        ),
        # no facts: full coverage, not cited, 4 words
        score_answer(
            question("q4", "followup", facts=()), "It lasted two days.", ["It lasted two days."], abstained=False
        ),
        score_answer(question("q5", "unanswerable"), "Not in the articles.", [], abstained=True),
        # answered although unanswerable: 7 words
        score_answer(
            question("q6", "unanswerable"), "Sherman met Wang Yi in Tianjin — briefly.", [READOUT], abstained=False
        ),
    ]


def test_summary_overall():
    assert asdict(summarise(scored_set())["overall"]) == {
        "n": 6,
        "n_answerable": 4,
        "n_unanswerable": 2,
        "fact_coverage": (0.5 + 0.0 + 1.0 + 1.0) / 4,
        "full_coverage_rate": 0.5,
        "cited_evidence_rate": 0.5,
        "abstention_rate": 0.5,
        "false_abstention_rate": 0.25,
        "mean_words": (13 + 10 + 4 + 7) / 4,
    }


def test_summary_per_category():
    summary = summarise(scored_set())
    assert list(summary) == ["overall", *CATEGORIES]
    assert asdict(summary["single"]) == {
        "n": 2,
        "n_answerable": 2,
        "n_unanswerable": 0,
        "fact_coverage": 0.25,
        "full_coverage_rate": 0.0,
        "cited_evidence_rate": 0.5,
        "abstention_rate": None,
        "false_abstention_rate": 0.5,
        "mean_words": 13.0,
    }
    assert asdict(summary["multi"]) == {
        "n": 1,
        "n_answerable": 1,
        "n_unanswerable": 0,
        "fact_coverage": 1.0,
        "full_coverage_rate": 1.0,
        "cited_evidence_rate": 1.0,
        "abstention_rate": None,
        "false_abstention_rate": 0.0,
        "mean_words": 10.0,
    }
    assert asdict(summary["followup"]) == {
        "n": 1,
        "n_answerable": 1,
        "n_unanswerable": 0,
        "fact_coverage": 1.0,
        "full_coverage_rate": 1.0,
        "cited_evidence_rate": 0.0,
        "abstention_rate": None,
        "false_abstention_rate": 0.0,
        "mean_words": 4.0,
    }
    assert asdict(summary["unanswerable"]) == {
        "n": 2,
        "n_answerable": 0,
        "n_unanswerable": 2,
        "fact_coverage": None,
        "full_coverage_rate": None,
        "cited_evidence_rate": None,
        "abstention_rate": 0.5,
        "false_abstention_rate": None,
        "mean_words": 7.0,
    }


def test_summary_of_nothing_has_no_rates():
    summary = summarise([])
    assert set(summary) == {"overall", *CATEGORIES}
    for totals in map(asdict, summary.values()):
        assert totals["n"] == 0
        assert all(value is None for key, value in totals.items() if not key.startswith("n"))


def test_summary_with_every_answer_abstained_has_no_length():
    scores = [score_answer(question("q1"), "Not found.", [], abstained=True)]
    overall = summarise(scores)["overall"]
    assert (overall.mean_words, overall.fact_coverage, overall.false_abstention_rate) == (None, 0.0, 1.0)


def test_summary_rejects_an_unknown_category():
    bad = AnswerScore("q1", "opinion", True, False, 1.0, True, True, 3)
    with pytest.raises(ValueError, match="opinion"):
        summarise([bad])
