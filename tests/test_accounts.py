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


@pytest.mark.parametrize(
    "sentence, source",
    [
        # an opening word of the sentence is not a speaker
        ("While officials said the port would reopen, the ferries stayed in harbour.", "unnamed"),
        # the name set off after the role is the speaker
        ("Its director, Tomas Reyes, said the ship models had been restored by volunteers.", "Tomas Reyes"),
        ("The club's new coach, Ana Silva, told reporters the team was ready.", "Ana Silva"),
        # an unnamed official referred to again is still unnamed
        ("The official said the cranes had been idle since May.", "unnamed"),
        ("The source said the bid had been withdrawn.", "unnamed"),
        ("The fee was agreed on Friday, according to the same senior club official.", "unnamed"),
        ("“The pitch is not ready,” one official told reporters.", "unnamed"),
        # a clause between the speaker and the verb
        ("The official, who asked not to be named because the talks were private, said the deal was close.", "unnamed"),
        (
            "The organisers of the regatta, which starts on Friday, said the course had been shortened.",
            "the organisers",
        ),
        # verbs of speech after an auxiliary, and verbs that describe or praise
        ("Nimbus has touted the phone as the fastest on sale.", "Nimbus"),
        ("Harlow Foods has denied that it plans to close the plant.", "Harlow Foods"),
        ("The official described the mood at the port as tense.", "unnamed"),
        ("Okafor thanked the fans, who had “carried the team all season”.", "Okafor"),
        # newswire markup around a company's name and its ticker
        ("<Trilby Corp> said it completed the sale of its paper unit.", "Trilby Corp"),
        ("Harlow Foods Inc <HFI> said first-quarter profit rose.", "Harlow Foods Inc"),
        # the inverted speaker ends its clause
        ("“The fee is fair,” said Tunde Okafor on Sunday.", "Tunde Okafor"),
    ],
)
def test_attribution_phrases_of_news_wires_and_sport(sentence, source):
    assert side_of(sentence) == source


@pytest.mark.parametrize(
    "sentence",
    [
        "The manager, speaking after the match, said Harlow’s offer was too low.",  # what was said, not who
        "The club, in a short note, denied Harlow’s claim.",  # the object of a denial
        "She thanked Okafor and described the season as “a long climb”.",  # one speaker's two verbs
    ],
)
def test_a_name_after_the_verb_that_is_not_its_speaker(sentence):
    assert side_of(sentence) not in {"Harlow", "Okafor"}
