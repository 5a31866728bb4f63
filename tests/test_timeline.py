"""The timeline (``answer.timeline``): dated sentences in date order, relative dates resolved
against the article's date, undated ones left out, and conflicts between articles shown.
Fixture articles about a river bridge and a school, not the bundled corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ARTICLES = {
    "bridge-a.txt": (
        "---\ntitle: Bridge reopens after repairs\npublication: Valley Courier\ndate: 2024-05-10\n---\n"
        "The Mill Lane bridge reopened on Thursday after six weeks of repairs.\n"
        "Engineers first closed it on 28 March, when cracks were found in the deck.\n"
        "The council said a full survey of the county's bridges will follow next month.\n"
        "The bridge was built in 1911 and last strengthened during 1987.\n"
    ),
    "bridge-b.txt": (
        "---\ntitle: Mill Lane crossing open again\npublication: County Times\ndate: 2024-05-12\n---\n"
        "The Mill Lane bridge reopened on 8 May after six weeks of repairs.\n"
        "Drivers had used a diversion through the industrial estate since the closure.\n"
    ),
    "school.txt": (
        "School choir tours the coast\n\n"
        "The school choir will sing in four harbour towns next week.\n"
        "Its first concert is on 3 June in the chapel by the quay.\n"
        "The choir was founded in 2009 by two music teachers.\n"
    ),
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, settings, embedder):
    from assistant.pipeline import Assistant, build_index

    corpus = tmp_path_factory.mktemp("timeline")
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    index = tmp_path_factory.mktemp("index")
    build_index(corpus, index, settings, embedder=embedder)
    return Assistant.open(corpus, index, settings, embedder)


def test_dated_sentences_come_in_date_order_at_their_precision(assistant):
    found = [(e.when, e.precision, e.phrase, e.doc_id) for e in assistant.timeline()]
    assert found == [
        ("1911", "year", "in 1911", "bridge-a.txt"),
        ("1987", "year", "during 1987", "bridge-a.txt"),
        ("2009", "year", "in 2009", "school.txt"),  # an undated article's explicit year still counts
        ("2024-03-28", "day", "28 March", "bridge-a.txt"),  # the year is the article's
        ("2024-05-08", "day", "8 May", "bridge-b.txt"),
        ("2024-05-09", "day", "Thursday", "bridge-a.txt"),  # the Thursday before 10 May 2024
        ("2024-06", "month", "next month", "bridge-a.txt"),
    ]
    # "next week" and "3 June" in the undated school article cannot be placed: left out
    assert not any(e.phrase in ("next week", "3 June") for e in assistant.timeline())


def test_two_articles_dating_the_same_statement_differently_are_flagged(assistant):
    dated = {e.doc_id: e for e in assistant.timeline() if "reopened" in e.text}
    assert dated["bridge-a.txt"].conflicts == ("bridge-b.txt: 2024-05-08",)
    assert dated["bridge-b.txt"].conflicts == ("bridge-a.txt: 2024-05-09",)
    assert all(not e.conflicts for e in assistant.timeline() if "reopened" not in e.text)


def test_the_timeline_is_filtered_by_words_dates_and_entity(assistant):
    assert {e.phrase for e in assistant.timeline(words="REOPENED")} == {"8 May", "Thursday"}
    assert [e.when for e in assistant.timeline(date_from="2024-05-01", date_to="2024-05-31")] == [
        "2024-05-08",
        "2024-05-09",
    ]
    mill_lane = {e.doc_id for e in assistant.timeline(about="Mill Lane")}
    assert mill_lane and mill_lane <= {"bridge-a.txt", "bridge-b.txt"}


def test_events_carry_their_exact_source(assistant):
    for e in assistant.timeline():
        assert assistant.article(e.doc_id).text[e.start : e.end] == e.text


def test_the_cli_prints_and_exports_the_timeline(assistant):
    folders = ["--corpus", str(assistant.corpus_dir), "--index", str(assistant.index_dir)]
    run = [sys.executable, "-m", "assistant.serve.cli", "timeline", *folders]
    shown = subprocess.run([*run, "--words", "reopened"], capture_output=True, text=True, timeout=300)
    assert shown.returncode == 0, shown.stderr
    assert '2024-05-08 (day, "8 May") — Mill Lane crossing open again, County Times' in shown.stdout
    assert "another article dates the same statement otherwise: bridge-a.txt: 2024-05-09" in shown.stdout
    exported = subprocess.run([*run, "--json"], capture_output=True, text=True, timeout=300)
    assert len(json.loads(exported.stdout)) == 7
    refused = subprocess.run([*run, "--from", "May 2024"], capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1 and "date_from must be a date" in refused.stderr


def test_the_timeline_tab_plots_lists_and_opens_the_source(browser, assistant, tmp_path):
    from appserver import start_app
    from playwright.sync_api import expect

    process, url = start_app(assistant.corpus_dir, tmp_path / "index", "--poll-minutes", "0")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(url)
        page.get_by_role("tab", name="Timeline").click()
        page.locator("#nd-timeline-words input, #nd-timeline-words textarea").first.fill("bridge")
        page.locator("#nd-timeline-show").click()
        table = page.locator("#nd-timeline")
        expect(table).to_contain_text("The Mill Lane bridge reopened on 8 May", timeout=60_000)
        expect(table).to_contain_text("bridge-a.txt: 2024-05-09")  # the conflict, beside the entry
        assert "choir" not in table.inner_text()
        page.locator("#nd-timeline-plot canvas, #nd-timeline-plot svg").first.wait_for(timeout=30_000)
        table.get_by_text("The Mill Lane bridge reopened on 8 May", exact=False).first.click()
        marked = page.locator("#nd-timeline-article mark#nd-cited")
        expect(marked).to_contain_text("reopened on 8 May", timeout=30_000)
        shots = Path(os.environ.get("NEWSDESK_SCREENSHOTS") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "timeline.png"), full_page=True)
        page.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_baseline_a_date_ahead_and_a_week_named_by_its_end_are_read_as_such():
    from assistant.answer.timeline import events
    from assistant.types import Document, Sentence

    texts = (
        "Ticket sales rose to 40 percent, up from 31 percent in 2022.",
        "Profits were higher than last year's.",
        "The harbour fees apply from March 3.",  # ahead: this year, though months after publication
        "Deliveries fell in the week ended January 9.",
        "The pier was painted on 20 December.",  # behind: last year
    )
    text, sentences, start = "", [], 0
    for i, t in enumerate(texts):
        sentences.append(Sentence("port.txt", i, start, start + len(t), t))
        text += t + " "
        start += len(t) + 1
    doc = Document("port.txt", "Port news", "Quay Post", "", "2024-01-12", text, "")
    found = {(e.text[:20], e.when) for e in events([doc], {"port.txt": sentences})}
    assert found == {
        ("The harbour fees app", "2024-03-03"),
        ("Deliveries fell in t", "week of 2024-01-03"),
        ("The pier was painted", "2023-12-20"),
    }
