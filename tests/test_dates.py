"""Relative dates resolved against publication dates, on sentences from the bundled corpus."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.answer.dates import resolve_relative_dates

BIDEN_XI_CALL = "2021-09-10"  # a Friday: 002_adecaa0cd3ff662e.txt
ALASKA_READOUTS = "2021-03-23"  # a Tuesday: 001_68b3a834523f80c0.txt


@pytest.mark.parametrize(
    ("sentence", "published", "notes"),
    [
        (
            "President Xi and his American counterpart held their second call since Biden’s inauguration on "
            "Thursday night.",
            BIDEN_XI_CALL,
            ('"Thursday night" = 2021-09-09',),
        ),
        (
            "Wendy Sherman, deputy secretary of state, held a meeting with Wang in Tianjin last month.",
            BIDEN_XI_CALL,
            ('"last month" = August 2021',),
        ),
        (
            "And just last week, Biden’s climate envoy John Kerry held talks with Chinese Foreign Minister Wang Yi.",
            BIDEN_XI_CALL,
            ('"last week" = week of 2021-08-30',),
        ),
        (
            "This commitment evidently reflects an effort to reverse the damage from tit-for-tat retaliations under "
            "the Trump administration, though the readout did not directly reference last year’s journalist "
            "expulsions and consulate closures.",
            ALASKA_READOUTS,
            ('"last year" = 2020',),
        ),
        (
            "Later on Friday, China’s Foreign Ministry spokesman Zhao Lijian said Xi stressed that officials from "
            "both countries should seek to “inject more positive dynamics into the relationship.”",
            BIDEN_XI_CALL,
            ('"Friday" = 2021-09-10',),
        ),
    ],
)
def test_corpus_sentences(sentence, published, notes):
    assert resolve_relative_dates(sentence, published) == notes


def test_weekday_of_publication_is_the_publication_day():
    # 2021-03-18 was a Thursday: the day the Anchorage talks opened.
    assert resolve_relative_dates("They meet in Anchorage on Thursday.", "2021-03-18") == ('"Thursday" = 2021-03-18',)


def test_weekdays_look_back_except_next_last_and_this():
    sentence = (
        "They arrived Wednesday night after a briefing Tuesday; Blinken flies next Friday, "
        "spoke last Friday and lands this Sunday."
    )
    assert resolve_relative_dates(sentence, BIDEN_XI_CALL) == (
        '"Wednesday night" = 2021-09-08',
        '"Tuesday" = 2021-09-07',
        '"next Friday" = 2021-09-17',
        '"last Friday" = 2021-09-03',
        '"this Sunday" = 2021-09-12',
    )


def test_days_weeks_months_and_years():
    sentence = "Yesterday, today and tomorrow; this week and next week; earlier this month; this year and next year."
    assert resolve_relative_dates(sentence, BIDEN_XI_CALL) == (
        '"Yesterday" = 2021-09-09',
        '"today" = 2021-09-10',
        '"tomorrow" = 2021-09-11',
        '"this week" = week of 2021-09-06',
        '"next week" = week of 2021-09-13',
        '"earlier this month" = September 2021',
        '"this year" = 2021',
        '"next year" = 2022',
    )


def test_week_is_named_by_its_monday_across_a_year_boundary():
    assert resolve_relative_dates("Talks resumed last week.", "2021-01-03") == ('"last week" = week of 2020-12-21',)


@pytest.mark.parametrize(
    "sentence",
    [
        "Nearly half of Americans say China is their greatest enemy, a figure that has doubled in the last year.",
        "Officials expect no progress over the next week.",
        "The summit is held on the last Thursday of March.",
        "The talks opened Thursday, March 18, in Anchorage.",
        "The talks opened Thursday 18 March in Anchorage.",
        "The talks opened Thursday morning, March 18, in Anchorage.",
        "Markets were quiet over Good Friday.",
        "Thursdays are busy; the Mondayisation of holidays; Sundayschool.",
        "Since Biden’s election they had only spoken once previously, on Feb. 10.",
    ],
)
def test_spans_explicit_dates_and_other_words_are_left_alone(sentence):
    assert resolve_relative_dates(sentence, BIDEN_XI_CALL) == ()


def test_phrases_are_quoted_as_written_and_deduplicated_in_order():
    sentence = "LAST WEEK, on Thursday, and again on Thursday\nnight; Thursday again; last week."
    assert resolve_relative_dates(sentence, BIDEN_XI_CALL) == (
        '"LAST WEEK" = week of 2021-08-30',
        '"Thursday" = 2021-09-09',
        '"Thursday night" = 2021-09-09',
        '"last week" = week of 2021-08-30',
    )


@pytest.mark.parametrize("published", ["", "2021-02-30", "20210910", "Fri, 09/10/2021", "2021-09-10T08:25"])
def test_unknown_or_invalid_publication_date_gives_no_notes(published):
    assert resolve_relative_dates("They spoke on Thursday night.", published) == ()


def test_sentence_without_relative_date_gives_no_notes():
    assert resolve_relative_dates("The call ran for around 90 minutes.", BIDEN_XI_CALL) == ()


def test_dates_beyond_the_calendar_are_dropped():
    assert resolve_relative_dates("last week, yesterday, last year; this week", "0001-01-01") == (
        '"this week" = week of 0001-01-01',
    )
    assert resolve_relative_dates("next year, tomorrow, next month", "9999-12-31") == ()


_NOTE = re.compile(r'"(?P<phrase>[^"\n]+)" = (?:week of )?(?P<value>.+)')
_PHRASES = st.sampled_from(
    [
        "Thursday",
        "on Friday night",
        "next Monday",
        "last Sunday",
        "this Saturday",
        "yesterday",
        "Today",
        "tomorrow",
        "last week",
        "this week’s",
        "next week",
        "last month",
        "earlier this month",
        "next month",
        "last year’s",
        "this year",
        "next year",
        "in the last year",
        "Tuesday, March 18",
        " ",
        ", ",
        "the ",
        "-",
    ]
)


def _is_valid(value: str) -> bool:
    for parse in (date.fromisoformat, lambda v: datetime.strptime(v, "%B %Y"), lambda v: date(int(v), 1, 1)):
        try:
            parse(value)
            return True
        except ValueError:
            continue
    return False


@given(
    text=st.lists(st.one_of(_PHRASES, st.text()), max_size=12).map("".join),
    published=st.dates(),
)
def test_any_text_and_date_gives_well_formed_notes(text, published):
    notes = resolve_relative_dates(text, published.isoformat())
    assert len(notes) == len(set(notes))
    for note in notes:
        match = _NOTE.fullmatch(note)
        assert match, note
        assert match["phrase"] == match["phrase"].strip()
        assert _is_valid(match["value"]), note
