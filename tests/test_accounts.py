"""Whose account a sentence reports, and which questions compare whose accounts: on news of
several domains (diplomacy, a war, aviation and its regulator, football), not one story."""

import pytest

from assistant.answer.accounts import account_source, side_of, sides_compared, speaks_for


@pytest.mark.parametrize(
    "sentence, source",
    [
        (
            "According to the official Chinese readout from the meeting, the two sides agreed to set up a group.",
            "China",
        ),
        (
            "On the other hand, the US readout was far shorter and contained no references to the areas of agreement.",
            "US",
        ),
        ("The two sides discussed visa policies, according to Beijing’s statement.", "China"),
        ("“We discussed areas where our interests converge,” the White House said in an account of the call.", "US"),
        ("Russia's foreign ministry said the talks were useful.", "Russia"),
        ("Ukraine's foreign ministry said nothing had been agreed.", "Ukraine"),
        ("The Kremlin said the convoy was humanitarian.", "Russia"),
        ("Downing Street said the sanctions would stay.", "UK"),
        ("Ryanair told reporters the fine was unjustified.", "Ryanair"),
        ("The regulator said the airline had ignored three warnings.", "the regulator"),
        ("The Bank of England said rates would rise.", "Bank of England"),
        ("“We were the better side,” said Coach Ana Silva.", "Coach Ana Silva"),
        ("Sergei Lavrov, Russia's foreign minister, said the talks were useful.", "Russia"),
        ("Amara Obi, head of the port authority, told reporters the cranes were idle.", "Amara Obi"),
        ("According to Okafor, the referee got every decision right.", "Okafor"),
        ("A senior official said the deal was close.", "unnamed"),
        ("Officials said the road would reopen on Monday.", "unnamed"),
        ("Markets were broadly optimistic about the call.", None),
        ("China and the US both face domestic pressure.", None),  # mentions, not attribution
        ("One of us said it was over.", None),  # "us" is a pronoun, not the US
        ("He said the plan would work.", None),  # a pronoun names no source
    ],
)
def test_the_source_is_what_the_attribution_names(sentence, source):
    assert side_of(sentence) == source


@pytest.mark.parametrize(
    "question, parties",
    [
        ("How do the US and Chinese accounts of the talks differ?", ["US", "China"]),
        ("Compare Beijing's and Washington's readouts of the call", ["China", "US"]),
        ("How do the Russian and Ukrainian accounts differ?", ["Russia", "Ukraine"]),
        ("How do Ryanair's and the regulator's accounts of the fine differ?", ["Ryanair", "the regulator"]),
        ("How did Silva and Okafor describe the match differently?", ["Silva", "Okafor"]),
        ("How does the administration sum up the relationship it wants with China?", []),  # no comparison
        ("How do the accounts of the talks differ?", []),  # no parties named
    ],
)
def test_a_comparison_question_names_its_parties(question, parties):
    assert sides_compared(question) == parties


def test_a_source_speaks_for_the_party_a_question_names():
    assert speaks_for("Coach Ana Silva", "Silva") and speaks_for("US", "US")
    assert not speaks_for("Coach Ana Silva", "Okafor") and not speaks_for(None, "US")


@pytest.mark.parametrize(
    "source, label",
    [
        ("China", "the Chinese side"),
        ("US", "the US side"),
        ("Ryanair", "Ryanair"),
        ("unnamed", "unnamed sources"),
        (None, "other reports"),
    ],
)
def test_how_a_source_is_named(source, label):
    assert account_source(source) == label
