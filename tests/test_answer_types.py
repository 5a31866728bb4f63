"""Expected answer types and whether sentences supply one."""

import pytest

from assistant.answer.answer_type import expected_type, supplies


@pytest.mark.parametrize(
    "question, kind",
    [
        ("Who represented China at the Anchorage talks?", "name"),
        ("And who met him?", "name"),
        ("Where did Blinken travel before Anchorage?", "name"),
        ("Which members of the European Parliament did China sanction?", "name"),
        ("When did Biden and Xi speak before the September call?", "time"),
        ("How many EU individuals were sanctioned?", "quantity"),
        ("How long did the call last?", "duration"),
        ("What did Kerry's China trip produce?", None),
        ("Which issues did they discuss?", None),
    ],
)
def test_expected_type(question, kind):
    assert expected_type(question) == kind


def test_supplies_needs_something_the_question_does_not_already_say():
    assert supplies("duration", "How long did the call last?", ["The call ran for around 90 minutes."])
    assert not supplies("duration", "How long did the call last?", ["The call was candid."])
    assert supplies("time", "When did they speak before September?", ["They spoke on Feb. 10."])
    assert not supplies("time", "When did they speak in September?", ["They spoke in September."])
    assert supplies("name", "Who met Kerry?", ["Kerry met Wang Yi by video call."])
    assert not supplies("name", "Who met Kerry?", ["They would only meet Kerry by video call."])
    assert supplies("quantity", "How many were sanctioned?", ["Beijing sanctioned ten EU individuals."])


def test_names_exclude_possessives_openings_and_nationality_words():
    # "Senate's" in the question is the Senate of the answer
    assert not supplies("name", "Which companies does the Senate's bill target?", ["The Senate wants tougher action."])
    # a capitalised word opening an aside is no name
    assert not supplies("name", "Where did Chinese officials meet the Taliban?", ["(These officials met the Taliban.)"])
    # a nationality word names nobody
    assert not supplies("name", "Who will lead the working group?", ["The Chinese readout announced a working group."])
    assert supplies("name", "Who will lead the working group?", ["Chinese envoy Xie Zhenhua will lead it."])
