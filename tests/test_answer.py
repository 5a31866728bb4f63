"""Answers on the real index: verbatim, cited, budgeted, honest about what the corpus lacks."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answer.compose import DEPENDENT, _answers_alone, ask
from assistant.errors import QueryError
from assistant.settings import Settings
from evals.questions import load_questions

QUESTIONS = Path(__file__).resolve().parent.parent / "eval" / "questions.jsonl"


@pytest.fixture(scope="module")
def answers(assistant):
    """Every question of the set, answered once (with its history), keyed by id."""
    return {q.id: assistant.ask(q.question, list(q.history)) for q in load_questions(QUESTIONS)}


def test_every_answer_sentence_is_verbatim_at_its_offsets(assistant, answers):
    documents = assistant.retriever.index.documents
    checked = 0
    for answer in answers.values():
        numbers = {c.number for c in answer.citations}
        for sentence in answer.sentences:
            assert documents[sentence.doc_id].text[sentence.start : sentence.end] == sentence.text
            assert sentence.text in answer.text
            assert sentence.citations and set(sentence.citations) <= numbers
            checked += 1
        for citation in answer.citations:
            assert documents[citation.doc_id].text[citation.start : citation.end] == citation.text
            assert f"[{citation.number}]" in answer.text
    assert checked > 50


def test_answers_stay_within_budget(assistant, answers):
    """An answer's budget, or a summary's (a broad question's: ``answer.summary``)."""
    settings = assistant.settings
    summaries = 0
    for answer in answers.values():
        most = settings.summary_max_sentences if answer.summary else settings.max_sentences
        most_words = most * settings.summary_words_per_sentence if answer.summary else settings.max_words
        summaries += answer.summary
        assert len(answer.sentences) <= most
        words = sum(len(s.text.split()) for s in answer.sentences)
        assert words <= most_words or len(answer.sentences) == 1 or answer.sentences[0].score is None
    assert 0 < summaries < len(answers)


def test_kerry_question_quotes_the_snub(answers, assistant):
    answer = assistant.ask("What did Kerry's China trip produce?")
    assert not answer.abstained
    assert "video call" in answer.text and "junior official" in answer.text
    assert answer.citations[0].publication == "Axios"


def test_dependent_sentence_brings_its_predecessor(assistant):
    answer = assistant.ask("What did Kerry's China trip produce?")
    quoted = [s.text for s in answer.sentences]
    worse = next(i for i, s in enumerate(quoted) if s.startswith("Worse,"))
    assert worse > 0 and "Kerry visited China" in quoted[worse - 1]


def test_unanswerable_question_abstains_and_names_what_is_missing(assistant):
    answer = assistant.ask("What did Janet Yellen discuss with Liu He?")
    assert answer.abstained and not answer.sentences and not answer.citations
    assert "Yellen" in answer.text and answer.reason


def test_abstention_names_where_a_known_entity_appears(assistant):
    strict = replace(assistant.settings, abstain_below=100.0)
    answer = ask(assistant.retriever, strict, "What did Kerry pledge on coal emissions?")
    assert answer.abstained
    assert "mention Kerry only in" in answer.text


def test_follow_up_is_resolved_and_shown(assistant):
    answer = assistant.ask("How long did it last?", ["Tell me about Biden's September call with Xi."])
    assert answer.query != answer.question and "Biden" in answer.query and "Xi" in answer.query


def test_self_contained_question_ignores_history(assistant):
    answer = assistant.ask("Who represented China at the Anchorage talks?", ["What did Kerry's China trip produce?"])
    assert answer.query == "Who represented China at the Anchorage talks?"


def test_relative_dates_are_resolved_against_the_article_date(assistant):
    answer = assistant.ask("When did Biden and Xi hold their second call?")
    notes = [n for c in answer.citations for n in c.date_notes]
    assert any("Thursday night" in n and "2021-09-09" in n for n in notes), notes


def test_sides_that_disagree_are_grouped(assistant):
    """Each party the question names gets its own paragraph, in the question's order."""
    answer = assistant.ask("How do the US and Chinese accounts of the Alaska talks differ?")
    assert answer.disagreement
    paragraphs = answer.text.split("\n\n")
    us = next(p for p in paragraphs if p.startswith("According to the US side:"))
    chinese = next(p for p in paragraphs if p.startswith("According to the Chinese side:"))
    assert paragraphs.index(us) < paragraphs.index(chinese)
    assert "joint working group" in chinese and "no formal agreements" in us


@pytest.mark.parametrize("question", ["", "   ", "x" * 5000])
def test_bad_questions_are_refused(assistant, question):
    with pytest.raises(QueryError):
        assistant.ask(question)


def test_filters_apply_to_answers(assistant):
    answer = assistant.ask("What did Kerry's China trip produce?", sources=["Axios"])
    assert {c.publication for c in answer.citations} == {"Axios"}
    nothing = assistant.ask("What did Kerry's China trip produce?", date_to="1990-01-01")
    assert nothing.abstained and "filters" in nothing.reason


def test_no_answer_quotes_a_fragment_on_its_own(answers):
    """A bare "Unsurprisingly." or a heading reads well to the cross-encoder after its title,
    but answers nothing: every sentence an answer quotes without its predecessor is complete."""
    quoted = [s.text for a in answers.values() for s in a.sentences]
    assert quoted
    for text in quoted:
        assert _answers_alone(text, Settings().min_answer_words) or DEPENDENT.match(text), text


def test_sentence_lexical_scores_every_sentence_row_by_its_words(assistant):
    """The prefilter's BM25 signal: one score per sentence row, positive exactly where a
    sentence (or its title) holds a query word."""
    retriever = assistant.retriever
    rows = retriever.index.sentence_rows
    scores = retriever.sentence_lexical("Kerry")
    assert len(scores) == len(rows)
    holding = {i for i, row in enumerate(rows) if "Kerry" in row.text}
    assert holding and holding <= {i for i, s in enumerate(scores) if s > 0}


def test_a_question_naming_nothing_of_its_own_takes_the_last_turns_names():
    from assistant.answer.followup import resolve

    history = ["When does the Nova handheld console go on sale in Brazil?"]
    assert resolve("Do the first buyers get anything extra?", history).endswith("Nova Brazil")
    assert resolve("What did the Lisbon summit agree?", history) == "What did the Lisbon summit agree?"
