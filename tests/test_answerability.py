"""Saying what the articles do not say: the answerability model's window, unmentioned names,
and the three outcomes on a corpus that is not the bundled one (a city library, a museum, a
ferry line and a railway)."""

from __future__ import annotations

import pytest

from assistant import prompts
from assistant.models.answerability import WINDOW_WORDS, evidence
from assistant.serve.cli import format_answer

LIBRARY = """Council approves riverside library
June 2, 2023
The city council voted on Tuesday to build a new public library beside the river.
Mayor Lena Okafor said the library would give students a quiet place to work in the evenings.
The congressional delegation for the district welcomed the decision.
The library will have a children's floor and a reading garden.
The library's director, Ana Silva, said the reading garden would open first.
Construction is expected to begin next spring and to take two years.
"""

FERRY = """Bluewater Ferries adds a night crossing
April 4, 2024
Bluewater Ferries will run a night crossing to the islands from May.
Its chief executive, Priya Nair, said fares would stay the same all summer.
The company carried two million passengers last year.
"""

RAIL = """Harbour Rail orders new trains
April 5, 2024
Harbour Rail has ordered twelve new trains for the coast line.
The chief executive of Harbour Rail, Omar Haddad, said the trains would arrive in 2026.
Passengers have complained about delays on the line for years.
"""

MUSEUM = """Harbour museum reopens after flood repairs
March 9, 2024
The harbour museum reopened on Saturday after eight months of repairs to its flooded basement.
Its director, Tomas Reyes, said the ship models had been restored by volunteers.
Visitors queued along the quay before the doors opened at ten.
"""


@pytest.fixture(scope="module")
def town(tmp_path_factory, settings, embedder):
    from assistant.pipeline import Assistant, build_index

    root = tmp_path_factory.mktemp("town")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "library.txt").write_text(LIBRARY, encoding="utf-8")
    for name, text in (("museum", MUSEUM), ("ferry", FERRY), ("rail", RAIL)):
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
    build_index(corpus, root / "index", settings, embedder=embedder)
    return Assistant.open(corpus, root / "index", settings, embedder)


def test_the_window_is_the_centre_and_its_nearest_neighbours_in_order_within_the_budget():
    sentences = [f"S{i} has exactly five words." for i in range(40)]
    window = evidence("Title", sentences, 20)
    assert window.startswith("Title. ")
    kept = [int(w[1:]) for w in window.split() if w.startswith("S")]
    assert kept == list(range(kept[0], kept[-1] + 1)) and abs((20 - kept[0]) - (kept[-1] - 20)) <= 1
    assert len(kept) * 5 <= WINDOW_WORDS < (len(kept) + 1) * 5
    assert evidence(None, ["First one.", "Second one."], 1) == "First one. Second one."
    long = " ".join(["word"] * (WINDOW_WORDS + 10))
    assert evidence(None, [long, "Next."], 0) == long  # a centre over the budget is kept whole, alone


def test_unmentioned_names_count_prefixes_and_never_months(town):
    retriever = town.retriever
    assert retriever.unmentioned(["Congress", "Okafor", "September", "Reyes"]) == []  # "congressional"
    assert retriever.unmentioned(["Greenpeace", "2022", "US"]) == ["Greenpeace", "2022", "US"]


def test_a_question_naming_what_no_article_mentions_is_never_answered(town):
    """Another name of the question matches (Okafor): before, only a question *all* of whose
    names were unknown was refused, and this one got the mayor's quote."""
    answer = town.ask("What did Lena Okafor and Greenpeace agree about the riverside library?")
    assert answer.outcome == "not_in_articles" and answer.abstained and not answer.citations
    assert "Greenpeace" in answer.reason and "Greenpeace" in answer.text


def test_the_outcome_is_labelled_in_the_cli_and_an_answer_carries_no_label(town):
    answered = town.ask("What will the riverside library have for children?")
    assert answered.outcome == "answered", answered.reason
    assert not format_answer(answered).startswith("[")
    refused = town.ask("Who won the chess final?")
    assert format_answer(refused).startswith(f"[{prompts.outcome_label('not_in_articles')}]")


def test_the_model_reads_whether_the_window_answers_not_whether_it_is_relevant(town):
    model = town.retriever.answerability
    window = "Harbour museum reopens after flood repairs. " + MUSEUM.splitlines()[3]
    assert model.score("Who restored the ship models?", window) > model.score(
        "How were the ship models insured against the flood?", window
    )


def _between(town, answering: tuple[str, str], not_answering: tuple[str, str]):
    """``town`` with ``answerable_below`` halfway between the model's logits for a question
    whose window answers and one whose window does not (asserting the model tells them apart),
    so that these tests check what the product does with the judgement, whatever the
    threshold ``make tune`` placed."""
    from dataclasses import replace

    model = town.retriever.answerability
    high, low = model.score(*answering), model.score(*not_answering)
    assert high > low + 2.0, (high, low)
    return town.with_settings(replace(town.settings, answerable_below=(high + low) / 2))


def _window(text: str, centre: int) -> str:
    lines = text.splitlines()
    return evidence(lines[0], lines[2:], centre)


def test_an_on_topic_question_the_articles_do_not_answer_is_partial_and_says_so(town):
    """No answer type to miss ("what were they paid?"): with the model off, as before, the
    director's quote on the subject is given as the answer."""
    from dataclasses import replace

    unanswered = "What were the volunteers paid for restoring the ship models?"
    answered = "Who restored the ship models of the harbour museum?"
    judged = _between(town, (answered, _window(MUSEUM, 1)), (unanswered, _window(MUSEUM, 1)))
    answer = judged.ask(unanswered)
    assert answer.outcome == "partial" and answer.abstained, answer.reason
    assert answer.text.startswith(prompts.render("partial_unstated")) and answer.citations
    assert "Tomas Reyes" in answer.text and "answerability model" in answer.reason
    assert judged.ask(answered).outcome == "answered"
    before = town.with_settings(replace(town.settings, answerable_below=float("-inf"))).ask(unanswered)
    assert before.outcome == "answered" and before.answerability is None


def test_a_follow_up_gets_the_same_judgement_on_its_resolved_query(town):
    history = ["Who restored the ship models of the harbour museum?"]
    follow_up = "And what about their pay?"
    query = town.ask(follow_up, history).query
    assert query != follow_up and "ship models" in query
    judged = _between(town, (history[0], _window(MUSEUM, 1)), (query, _window(MUSEUM, 1)))
    answer = judged.ask(follow_up, history)
    assert answer.outcome == "partial" and "answerability model" in answer.reason, answer.reason
    assert judged.ask(history[0]).outcome == "answered"


def test_a_sentence_about_another_company_does_not_join_the_answer(town):
    """Harbour Rail's chief executive is relevant to "chief executive" but does not answer who
    runs Bluewater Ferries; with the model off it joins the answer."""
    from dataclasses import replace

    from assistant.answer.compose import Scored, _select

    question = "Who is the chief executive of Bluewater Ferries?"
    judged = _between(town, (question, _window(FERRY, 1)), (question, _window(RAIL, 1)))
    sentences = town.retriever.index.sentences
    ferry = next(s for doc in sentences.values() for s in doc if "Priya Nair" in s.text)
    rail = next(s for doc in sentences.values() for s in doc if "Omar Haddad" in s.text)
    scored = [Scored(ferry, 6.0, 6.0), Scored(rail, 5.0, 5.0)]
    chosen = _select(judged.retriever, judged.settings, scored, (), question)
    assert ferry in chosen and rail not in chosen
    off = replace(town.settings, answerable_below=float("-inf"))
    assert rail in _select(town.retriever, off, scored, (), question)


def test_a_missing_model_file_is_named_with_its_fix(monkeypatch, tmp_path):
    from assistant.errors import ModelError
    from assistant.models import answerability

    monkeypatch.setattr(answerability, "MODEL_FILE", tmp_path / "answerability.onnx")
    with pytest.raises(ModelError, match="answerability.onnx is missing; train it with: python -m evals.train"):
        answerability.model_info()
