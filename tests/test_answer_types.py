"""Expected answer types from the question's form, and whether sentences supply one (real NER),
on questions of many domains rather than one question set."""

import pytest

from assistant.answer.answer_type import expected_type, supplies


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Who represented the government at the talks?", "agent"),
        ("And who met him?", "agent"),
        ("Whose proposal was adopted?", "agent"),
        ("Which players did the club sell in January?", "person"),
        ("Which company bought the airline?", "organisation"),
        ("Which members of parliament were sanctioned?", "person"),
        ("Where did the minister travel after the summit?", "place"),
        ("In which city was the final played?", "place"),
        ("What country hosted the games?", "place"),
        ("When did the two leaders last speak?", "date"),
        ("What year did the band release its first album?", "date"),
        ("How many people were evacuated?", "number"),
        ("How much did the stadium cost?", "number"),
        ("What percentage of voters backed the plan?", "number"),
        ("How long did the strike last?", "duration"),
        ("What did the trip produce?", None),
        ("Which issues did they discuss?", None),
        ("Why did the talks fail?", None),
    ],
)
def test_the_type_comes_from_the_question_form(question, kind):
    assert expected_type(question) == kind


@pytest.mark.parametrize(
    "kind, question, sentence, supplied",
    [
        ("duration", "How long did the strike last?", "The strike ran for around 90 minutes.", True),
        ("duration", "How long did the strike last?", "The strike was peaceful.", False),
        ("date", "When did they speak before September?", "They spoke on Feb. 10.", True),
        ("date", "When did they speak in September?", "They spoke in September.", False),  # only what was asked
        ("agent", "Who met the envoy?", "The envoy met Amina Yusuf, the foreign minister, by video call.", True),
        ("agent", "Who met the envoy?", "They would only meet the envoy by video call.", False),
        ("person", "Which players did the club sell?", "The club sold three players in January.", False),
        ("person", "Which players did the club sell?", "The club sold Tomas Berg and two others.", True),
        ("organisation", "Which company bought Skylark Air?", "Skylark Air was bought by Northwind Holdings.", True),
        ("place", "In which city was the final played?", "The final was played in Lisbon in May.", True),
        ("place", "In which city was the final played?", "The final was played in May.", False),
        ("number", "How many people were evacuated?", "Officials evacuated 4,000 residents overnight.", True),
        ("number", "What percentage of voters backed the plan?", "Most voters backed the plan.", False),
    ],
)
def test_a_sentence_supplies_the_type_only_with_an_entity_the_question_lacks(kind, question, sentence, supplied):
    assert supplies(kind, question, [sentence]) is supplied


def test_a_month_or_an_opening_word_is_no_agent():
    # "March" and "The" are capitalised but name no one
    assert not supplies("agent", "Who chaired the inquiry?", ["In March, the inquiry published its report."])


def test_the_squad_measurement_scores_a_tiny_set(tmp_path):
    """The measurement behind the README's answer-type table, on a hand-made SQuAD-format file."""
    import json

    from evals.answer_types import answer_type_scores

    context = "The bridge was opened by Queen Elizabeth in 1966 and cost 12 million pounds."
    qas = [
        {"question": "Who opened the bridge?", "answers": [{"text": "Queen Elizabeth", "answer_start": 25}]},
        {"question": "When was the bridge opened?", "answers": [{"text": "1966", "answer_start": 44}]},
        {"question": "How much did the bridge cost?", "answers": [{"text": "12 million pounds", "answer_start": 58}]},
        {"question": "What was opened?", "answers": [{"text": "The bridge", "answer_start": 0}]},
    ]
    path = tmp_path / "squad.json"
    path.write_text(json.dumps({"data": [{"title": "Bridge", "paragraphs": [{"context": context, "qas": qas}]}]}))
    scores = answer_type_scores(path)
    assert scores["questions"] == 4 and scores["typed_answers"] == 3
    assert scores["precision"]["agent"] == {"predicted": 1, "precision": 1.0}
    assert scores["recall"]["date"] == {"questions": 1, "recall": 1.0}
    assert scores["recall"]["number"] == {"questions": 1, "recall": 1.0}
