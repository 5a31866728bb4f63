"""Publication dates: day/month order decided by evidence on the page, never guessed by site."""

from __future__ import annotations

import pytest

from assistant import prompts
from assistant.ingest.corpus import read_corpus
from assistant.ingest.pubdate import day_first_evidence, is_date, parse_date


@pytest.mark.parametrize(
    "text, day_first, expected",
    [
        ("23/03/2021", None, "2021-03-23"),  # a part above 12 is the day
        ("03/23/2021", None, "2021-03-23"),
        ("Fri, 09/10/2021 – 08:25", None, "2021-09-10"),  # 10 September 2021 was a Friday
        ("Sat 09/10/2021", None, "2021-10-09"),  # 9 October 2021 was a Saturday
        ("05/05/2021", None, "2021-05-05"),  # both readings are the same day
        ("09/10/2021", None, ""),  # nothing decides: not guessed
        ("09/10/2021", True, "2021-10-09"),
        ("09/10/2021", False, "2021-09-10"),
        ("Sun 09/10/2021", None, ""),  # a weekday that fits neither reading
        ("31/02/2021", None, ""),
        ("23 March 2021", True, "2021-03-23"),  # named months need no evidence
        ("March 23, 2021", None, "2021-03-23"),
        ("Published 14/07/2023", None, "2023-07-14"),  # a date line's own label
        ("Last updated: March 3, 2022", None, "2022-03-03"),
        ("Posted on 2021-03-23 10:00", None, "2021-03-23"),
        ("Published by the sports desk", None, ""),
    ],
)
def test_numeric_dates_are_read_only_when_their_order_is_certain(text, day_first, expected):
    assert parse_date(text, day_first) == expected


def test_an_undecided_date_is_still_a_date():
    assert is_date("09/10/2021") and is_date("Mon, 09/10/2021 14:00") and not is_date("Chapter 09/10")


@pytest.mark.parametrize(
    "lines, expected",
    [
        (["Kick-off 09/10/2021", "Tickets on sale from 23/09/2021"], True),
        (["Filed 09/30/2021", "Q3 results on 10/14/2021"], False),
        (["Filed 09/10/2021"], None),
        (["Filed 23/09/2021", "Updated 09/30/2021"], None),  # the page contradicts itself: undecided
    ],
)
def test_the_page_decides_by_its_own_certain_dates(lines, expected):
    assert day_first_evidence(lines) is expected


BRITISH_MATCH_REPORT = """Rovers edge derby in stoppage time
09/10/2021
By Siobhan Kelly
Rovers beat City 2-1 on Saturday with a header in the 93rd minute, their first home derby win in years.
The return fixture, pencilled in for 26/02/2022, is already sold out, the club said.
"""

US_EARNINGS_NOTE = """Harbor Freight Lines misses on revenue
10/14/2021
Harbor Freight Lines reported third-quarter revenue of $2.1 billion, short of the $2.3 billion analysts expected.
The company repeated its full-year outlook and said port congestion eased in late September.
"""

UNDECIDED_NOTICE = """Library extends weekend opening
09/10/2021
The central library will open on Sundays from next month, the council said, after a consultation drew 4,000 replies.
Opening hours on weekdays are unchanged.
"""


def test_pages_from_other_domains_get_their_dates_by_evidence(tmp_path):
    (tmp_path / "match.txt").write_text(BRITISH_MATCH_REPORT, encoding="utf-8")
    (tmp_path / "earnings.txt").write_text(US_EARNINGS_NOTE, encoding="utf-8")
    (tmp_path / "notice.txt").write_text(UNDECIDED_NOTICE, encoding="utf-8")
    scan = read_corpus(tmp_path)
    docs = {a.document.doc_id: a for a in scan.articles}
    assert docs["match.txt"].document.date == "2021-10-09"  # the page's 26/02/2022 is day-first
    assert docs["earnings.txt"].document.date == "2021-10-14"
    notice = docs["notice.txt"]
    assert notice.document.date == "" and notice.document.date_written == "09/10/2021"
    assert "09/10/2021" not in notice.document.text  # still removed as a date line, with its reason
    assert any(r.text == "09/10/2021" and "undecided" in r.reason for r in notice.removed)
    assert prompts.date_label(notice.document.date, notice.document.date_written) == (
        "09/10/2021 (day and month order unknown)"
    )


def test_front_matter_with_an_undecided_date_names_the_problem(tmp_path):
    (tmp_path / "a.md").write_text("---\ndate: 09/10/2021\n---\nA story of enough words to be an article.\n")
    (skipped,) = read_corpus(tmp_path).skipped
    assert "no certain day/month order" in skipped.reason and "YYYY-MM-DD" in skipped.reason
