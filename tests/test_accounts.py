"""Whose account a sentence reports, and which questions compare accounts."""

import pytest

from assistant.answer.accounts import side_of, sides_compared


@pytest.mark.parametrize(
    "sentence, side",
    [
        (
            "According to the official Chinese readout from the meeting, the two sides agreed to set up a group.",
            "Chinese",
        ),
        (
            "On the other hand, the US readout was far shorter and contained no references to the areas of agreement.",
            "US",
        ),
        ("The two sides discussed visa policies, according to Beijing’s statement.", "Chinese"),
        ("“We discussed areas where our interests converge,” the White House said in an account of the call.", "US"),
        ("Markets were broadly optimistic about the call.", None),
        ("China and the US both face domestic pressure.", None),  # mentions, not attribution
    ],
)
def test_side_of(sentence, side):
    assert side_of(sentence) == side


@pytest.mark.parametrize(
    "question, sides",
    [
        ("How do the US and Chinese accounts of the Alaska talks differ?", ["Chinese", "US"]),
        ("Compare Beijing's and Washington's readouts of the call", ["Chinese", "US"]),
        ("How does the Biden administration sum up the relationship it wants with China?", []),
        ("How do the accounts of the Alaska talks differ?", []),
    ],
)
def test_sides_compared(question, sides):
    assert sides_compared(question) == sides
