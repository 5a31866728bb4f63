"""The sentence splitter: news abbreviations, line rules, and spans that lose nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.ingest.sentences import split_sentences

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


def assert_valid_spans(text: str, spans: list[tuple[int, int]]) -> None:
    """Increasing, non-overlapping, stripped, non-empty, one line each, nothing lost."""
    previous_end = 0
    covered = set()
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() != ""
        assert not any(ch in LINE_BREAKS for ch in piece)
        covered.update(range(start, end))
        previous_end = end
    assert {i for i, ch in enumerate(text) if not ch.isspace()} <= covered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The U.S. and China met. Talks went on.", ["The U.S. and China met.", "Talks went on."]),
        (
            "Since Biden’s election they had only spoken once previously, on Feb. 10. The call ran long.",
            ["Since Biden’s election they had only spoken once previously, on Feb. 10.", "The call ran long."],
        ),
        (
            "Sen. Chuck Schumer spoke. Mr. Smith and Dr. Jones agreed.",
            ["Sen. Chuck Schumer spoke.", "Mr. Smith and Dr. Jones agreed."],
        ),
        (
            "Gen. Mark Milley and Lt. Col. Ray Ames met Gov. Ned Lamont and Rep. Ro Khanna.",
            ["Gen. Mark Milley and Lt. Col. Ray Ames met Gov. Ned Lamont and Rep. Ro Khanna."],
        ),
        (
            "Martin Luther King Jr. was born in Atlanta. He died in 1968.",
            ["Martin Luther King Jr. was born in Atlanta.", "He died in 1968."],
        ),
        (
            "The speech was given by Martin Luther King Jr. The crowd cheered.",
            ["The speech was given by Martin Luther King Jr.", "The crowd cheered."],
        ),
        (
            "John F. Kennedy met J.K. Rowling in Washington, D.C. Police were there.",
            ["John F. Kennedy met J.K. Rowling in Washington, D.C. Police were there."],
        ),
        ("He lives in Washington, D.C. The city is humid.", ["He lives in Washington, D.C.", "The city is humid."]),
        (
            "It was settled in the U.S. The next day, talks resumed.",
            ["It was settled in the U.S.", "The next day, talks resumed."],
        ),
        (
            "So said the Chinese ambassador to the U.S. Cui Tiankai. Nobody replied.",
            ["So said the Chinese ambassador to the U.S. Cui Tiankai.", "Nobody replied."],
        ),
        (
            "U.S.-China relations and the U.K. economy and the E.U. budget. U.N. officials agreed.",
            ["U.S.-China relations and the U.K. economy and the E.U. budget.", "U.N. officials agreed."],
        ),
        (
            "Growth was 3.5 percent. Debt hit $1.2 billion, axios.com reported. Mail a@b.co now.",
            ["Growth was 3.5 percent.", "Debt hit $1.2 billion, axios.com reported.", "Mail a@b.co now."],
        ),
        (
            "Apple Inc. rose 2%. Shares of Acme Corp. The company fell.",
            ["Apple Inc. rose 2%.", "Shares of Acme Corp.", "The company fell."],
        ),
        (
            "It ended at 5 p.m. The police left. They return at 9 a.m. Thursday.",
            ["It ended at 5 p.m.", "The police left.", "They return at 9 a.m. Thursday."],
        ),
        (
            "The Sept. 11 attacks and the No. 2 official and Roe v. Wade and Smith vs. Jones.",
            ["The Sept. 11 attacks and the No. 2 official and Roe v. Wade and Smith vs. Jones."],
        ),
        (
            "They sold apples, pears, etc. Biden said so. They sold figs, etc. and more.",
            ["They sold apples, pears, etc.", "Biden said so.", "They sold figs, etc. and more."],
        ),
        (
            "“We are ready,” the White House said. “They agreed.” Xi stressed unity.",
            ["“We are ready,” the White House said.", "“They agreed.”", "Xi stressed unity."],
        ),
        ("The official said.” The talks ended.", ["The official said.”", "The talks ended."]),
        ("Why bother coming?” he added. Then he left.", ["Why bother coming?” he added.", "Then he left."]),
        (
            "Wow! Really? Yes… It worked. Wait... Then it ended.",
            ["Wow!", "Really?", "Yes…", "It worked.", "Wait...", "Then it ended."],
        ),
        (
            "He was not misinterpreted as… somehow trying. Nor as... trying again.",
            ["He was not misinterpreted as… somehow trying.", "Nor as... trying again."],
        ),
        (
            "He left. (He was tired.) Then he slept. [Editor's note.] 2021 was hard.",
            ["He left.", "(He was tired.)", "Then he slept.", "[Editor's note.]", "2021 was hard."],
        ),
        ("Prices fell. the lowercase start continues it.", ["Prices fell. the lowercase start continues it."]),
        ("Unsurprisingly. The timing isn’t a surprise.", ["Unsurprisingly.", "The timing isn’t a surprise."]),
    ],
)
def test_news_examples(text, expected):
    assert sentences(text) == expected


def test_line_breaks_end_headlines_bullets_and_paragraphs():
    text = (
        "Biden Calls Xi In Attempt To Reset Relations\n\n"
        "  • Bullet without a period\n"
        "• Bullet two. Second sentence.\r\n"
        "Paragraph one ends here\u2028and this is another line\n"
        "Fri, 09/10/2021 – 08:25"
    )
    assert sentences(text) == [
        "Biden Calls Xi In Attempt To Reset Relations",
        "• Bullet without a period",
        "• Bullet two.",
        "Second sentence.",
        "Paragraph one ends here",
        "and this is another line",
        "Fri, 09/10/2021 – 08:25",
    ]


def test_spans_are_exact_offsets():
    text = "  Hi there.  Bye now. \n\n End"
    assert split_sentences(text) == [(2, 11), (13, 21), (25, 28)]


@pytest.mark.parametrize("text", ["", " ", "\n\n", " \t\u00a0\u2028 "])
def test_blank_text_has_no_sentences(text):
    assert split_sentences(text) == []


NEWS_WORDS = st.sampled_from(
    [
        "the",
        "The",
        "It",
        "said",
        "Biden",
        "a",
        "I",
        "U.S.",
        "U.K.",
        "D.C.",
        "F.",
        "J.K.",
        "Feb.",
        "Sept.",
        "Sen.",
        "Mr.",
        "Dr.",
        "Jr.",
        "Inc.",
        "St.",
        "No.",
        "vs.",
        "etc.",
        "p.m.",
        "3.5",
        "$1.2",
        "10",
        "axios.com",
        "said.”",
        "“Hello",
        "(yes)",
        "[x]",
        "…",
        "...",
        "?",
        "!",
        ".",
        "—",
        "'",
        '"',
        "”",
        "“",
        "coming?”",
        "ways…engagement",
        "É",
        "ß",
        "2021.",
    ]
)
SEPARATORS = st.sampled_from([" ", " ", " ", "  ", "", "\n", " \n ", "\r\n", "\t", "\u00a0", "\u2028"])
NEWS_LIKE = st.lists(st.tuples(NEWS_WORDS, SEPARATORS), max_size=40).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)


@settings(max_examples=200)
@given(st.one_of(st.text(), NEWS_LIKE))
def test_spans_are_valid_and_lose_nothing(text):
    assert_valid_spans(text, split_sentences(text))


@settings(max_examples=200)
@given(st.lists(NEWS_LIKE, max_size=5))
def test_each_line_is_split_on_its_own(lines):
    """A line break always ends a sentence, so lines split independently."""
    text = "\n".join(lines)
    expected, offset = [], 0
    for line in lines:
        expected += [(offset + start, offset + end) for start, end in split_sentences(line)]
        offset += len(line) + 1
    assert split_sentences(text) == expected


EXPECTED_IN_CORPUS = {
    "000_2925cdf53f121f79.txt": [
        "Speevr logo",
        "The Chinese readout of the call focused on Yang's demand for “the United States to rectify its "
        "mistakes made over a period of time.”",
        "Let's get started...",
    ],
    "001_68b3a834523f80c0.txt": [
        "( 4 mins)",
        "• After a rancorous start, closed-door talks in Alaska between top US and Chinese diplomats",
        "Read More »",
    ],
    "002_adecaa0cd3ff662e.txt": [
        "Unsurprisingly.",
        "“Xi has really centralized power in some pretty marked ways…engagement at the leader level is "
        "really what’s needed to move the ball forward.”",
        "Fri, 09/10/2021 – 08:25",
    ],
    "003_d5f9d1e1d44d55fb.txt": [
        "They arrived in a frozen Anchorage Wednesday night to “firmly defend (China’s) core national "
        "interests,” according to Chinese ambassador to the U.S. Cui Tiankai.",
        "Neither side is expecting much progress.",
        "Why bother coming?” he added.",
        "Ambassador Cui similarly downplayed expectations during his own briefing Wednesday, saying, “I hope "
        "that it will become a beginning and that the two sides will start a candid, constructive and "
        "rational process of dialogue and communication. … that the two sides will come with good will and "
        "leave with better mutual understanding.”",
    ],
    "004_89cb27701e274671.txt": [
        "Since Biden’s election they had only spoken once previously, on Feb. 10.",
        "(These Chinese officials had no problem, however, meeting a Taliban delegation in person just weeks earlier).",
        "• Biden sought to explain U.S. actions towards China “in a way that [is] not misinterpreted "
        "as…somehow trying to sort of undermine Beijing in particular ways.”",
        "And, candidly, we’ve not been very satisfied … with our interlocutors’ behavior.”",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_IN_CORPUS))
def test_real_articles(name):
    text = (CORPUS / name).read_text(encoding="utf-8")
    spans = split_sentences(text)
    assert_valid_spans(text, spans)
    found = [text[start:end] for start, end in spans]
    for expected in EXPECTED_IN_CORPUS[name]:
        assert expected in found
