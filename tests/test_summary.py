"""Summaries across articles for broad questions, "What did X say about Y?", and corroboration
(``answer.summary``, ``answer.accounts.said_about``, ``answer.corroboration``).  Fixture articles
about a harbour flood, a supermarket merger and a football transfer: not the bundled corpus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import prompts
from assistant.answer.accounts import said_about
from assistant.answer.corroboration import same_fact
from assistant.answer.summary import budget, date_order, is_broad, spread, subject
from assistant.errors import QueryError
from assistant.settings import Settings
from assistant.types import AnswerSentence, Document, Sentence, Statement

CORPORA = Path(__file__).parent / "corpora"

FLOOD = {
    "flood-1.txt": (
        "---\ntitle: Storm floods harbour town\npublication: Coast Herald\ndate: 2024-01-10\n---\n"
        "Storm Ilse flooded the harbour town of Kelmouth on Monday night, forcing 300 residents from their homes.\n"
        "The river burst its banks shortly before midnight after two days of heavy rain.\n"
        "Emergency crews used boats to reach families trapped on the upper floors of houses by the quay.\n"
    ),
    "flood-2.txt": (
        "---\ntitle: Kelmouth counts the cost of the flood\npublication: Western Daily\ndate: 2024-01-12\n---\n"
        "Storm Ilse flooded the harbour town of Kelmouth on Monday night, forcing 300 residents from their homes.\n"
        "Insurers estimated the damage to homes and shops at 40 million pounds.\n"
        "Mayor Rhona Bell said the town's flood wall had been promised for ten years and never built.\n"
    ),
    "flood-3.txt": (
        "---\ntitle: Flood defence plan approved\npublication: Coast Herald\ndate: 2024-03-02\n---\n"
        "The regional council approved a 25 million pound flood wall for Kelmouth on 28 February.\n"
        "Work on the wall will begin in the summer and take two years.\n"
        "A council official said the contract had been promised to a local builder.\n"
    ),
}


@pytest.fixture(scope="module")
def flood_dirs(tmp_path_factory, settings, embedder):
    from assistant.pipeline import build_index

    corpus = tmp_path_factory.mktemp("flood")
    for name, text in FLOOD.items():
        (corpus / name).write_text(text, encoding="utf-8")
    index = tmp_path_factory.mktemp("flood-index")
    build_index(corpus, index, settings, embedder=embedder)
    return corpus, index


@pytest.fixture(scope="module")
def flood(flood_dirs, settings, embedder):
    from assistant.pipeline import Assistant

    return Assistant.open(*flood_dirs, settings, embedder)


@pytest.fixture(scope="module")
def business(tmp_path_factory, settings, embedder):
    from assistant.pipeline import Assistant, build_index

    index = tmp_path_factory.mktemp("business-index")
    build_index(CORPORA / "business", index, settings, embedder=embedder)
    return Assistant.open(CORPORA / "business", index, settings, embedder)


@pytest.mark.parametrize(
    "question",
    [
        "Summarize the flood in Kelmouth",
        "What happened in Kelmouth?",
        "How did the merger talks develop?",
        "What is known about the new striker?",
        "Give me an overview of the transfer",
        "Tell me about the regulator's review",
        "What do the reports tell us about the striker?",
    ],
)
def test_broad_questions_are_recognised(question):
    assert is_broad(question)


@pytest.mark.parametrize(
    "question",
    ["Who did Harbour United sign?", "When is the decision due?", "How many stores would the group run?"],
)
def test_narrow_questions_are_not_broad(question):
    assert not is_broad(question)


def test_the_subject_of_a_broad_question_drops_the_request():
    assert subject("Summarize how the merger developed in 2024") == "the merger developed in 2024"
    assert subject("Give me an overview of the transfer?") == "the transfer"
    assert subject("What happened in Kelmouth?") == "What happened in Kelmouth"  # the question is the subject
    assert subject("What do the reports tell us about the striker?") == "the striker"


def test_a_summary_takes_each_articles_best_in_turn_and_grows_with_the_articles():
    scored = [("a", 9), ("a", 8), ("a", 7), ("b", 6), ("c", 5), ("b", 4)]
    assert spread(scored, lambda x: x[0]) == [("a", 9), ("b", 6), ("c", 5), ("a", 8), ("b", 4), ("a", 7)]
    assert budget(1, 2, 10, 40).sentences == 3  # never fewer than three
    assert budget(4, 2, 10, 40).sentences == 8
    assert budget(9, 2, 10, 40).sentences == 10  # capped
    assert budget(4, 2, 10, 40).words == 320


def _doc(doc_id: str, date: str, *texts: str) -> tuple[Document, list[Sentence]]:
    text, sentences, start = "", [], 0
    for i, t in enumerate(texts):
        sentences.append(Sentence(doc_id, i, start, start + len(t), t))
        text += t + " "
        start += len(t) + 1
    return Document(doc_id, "", "", "", date, text, ""), sentences


def test_sentences_are_ordered_by_the_dates_they_report_and_undated_ones_follow_by_article():
    late, late_s = _doc("late.txt", "2024-06-01", "The bridge reopened on 3 June.", "It cost more than planned.")
    early, early_s = _doc("early.txt", "2024-05-01", "Cracks were found in the deck.", "The work began in 2023.")
    undated, undated_s = _doc("undated.txt", "", "The choir sang by the quay.", "Its founder retired.")
    documents = {d.doc_id: d for d in (late, early, undated)}
    chosen = [undated_s[1], late_s[0], late_s[1], early_s[0], undated_s[0], early_s[1]]
    ordered = [(s.doc_id, s.index) for s in date_order(chosen, documents)]
    # early's run states 2023 ("in 2023"); late's states 3 June 2024; consecutive sentences of one
    # article stay together as a run; nothing dates the undated article's: they follow, in order
    assert ordered == [
        ("early.txt", 0),
        ("early.txt", 1),
        ("late.txt", 0),
        ("late.txt", 1),
        ("undated.txt", 0),
        ("undated.txt", 1),
    ]


def test_a_run_of_consecutive_sentences_is_kept_together_in_date_order():
    doc, s = _doc("a.txt", "2024-05-01", "The talks opened in 2022.", "They stalled at once.", "A deal came on 2 May.")
    other, t = _doc("b.txt", "2023-01-01", "The first offer was made in 2021.")
    documents = {"a.txt": doc, "b.txt": other}
    ordered = [(x.doc_id, x.index) for x in date_order([s[2], t[0], s[0], s[1]], documents)]
    # b's 2021 first; a's three consecutive sentences are one run, dated by its earliest date (2022)
    assert ordered == [("b.txt", 0), ("a.txt", 0), ("a.txt", 1), ("a.txt", 2)]


@pytest.mark.parametrize(
    "question, party, topic",
    [
        ("What did Usdaw say about the merger?", ("Usdaw",), "the merger"),
        ("What did coach Ana Silva tell reporters about the referee?", ("Ana Silva",), "the referee"),
        ("What has Azerbaijan's foreign ministry said about the ceasefire?", ("Azerbaijan",), "the ceasefire"),
        ("What did the regulator say about smaller towns?", ("the regulator",), "smaller towns"),
        ("What have Okafor and Brandt each said about the fine?", ("Okafor", "Brandt"), "the fine"),
        ("What did Usdaw say?", ("Usdaw",), ""),
    ],
)
def test_questions_about_what_someone_said_name_the_party_and_the_subject(question, party, topic):
    assert said_about(question) == (party, topic)


@pytest.mark.parametrize(
    "question",
    ["What did the merger cost?", "Who said the deal was good?", "What happened?", "What did he say about it?"],
)
def test_other_questions_are_not_about_what_someone_said(question):
    assert said_about(question) is None


def test_a_near_copy_or_the_same_claim_in_other_words_states_the_same_fact():
    settings = Settings()
    a = "Storm Ilse forced 300 residents of Kelmouth from their homes on Monday."
    assert same_fact(a, "On Monday Storm Ilse forced 300 residents of Kelmouth from their homes.", 0.5, settings)
    assert same_fact(a, "Three hundred people left their houses as the storm hit the town.", 0.99, settings)
    # alike but for the figure: two claims
    assert not same_fact(a, "Storm Ilse drove 500 people out of their homes in Kelmouth.", 0.99, settings)
    assert not same_fact(a, "The council approved a new flood wall.", settings.same_cosine - 0.01, settings)


def _statement(doc_id: str, publication: str, stated_by: str = "") -> Statement:
    return Statement(doc_id, 0, 0, 1, "x", "", publication, "", stated_by)


def test_counts_of_articles_and_publications_and_a_single_unnamed_source():
    three = [_statement("a", "Herald"), _statement("b", "Herald"), _statement("c", "")]
    counted = AnswerSentence("x", "a", 0, 0, 1, (1,), 1.0, tuple(three))
    assert (counted.articles, counted.publications) == (3, 2)  # an unknown publication counts as its own
    alone = AnswerSentence("x", "a", 0, 0, 1, (1,), 1.0, (_statement("a", "Herald", "unnamed sources"),))
    assert alone.single_unnamed and not counted.single_unnamed
    named = AnswerSentence("x", "a", 0, 0, 1, (1,), 1.0, (_statement("a", "Herald", "Rhona Bell"),))
    assert not named.single_unnamed


def test_a_broad_question_gets_a_cited_summary_from_several_articles(flood):
    answer = flood.ask("Summarize what happened in Kelmouth")
    assert answer.summary and not answer.abstained, answer.text
    assert answer.text.startswith(prompts.render("summary", articles=len({s.doc_id for s in answer.sentences}),
                                                 plural="s"))  # fmt: skip
    assert len({s.doc_id for s in answer.sentences}) >= 2, answer.text
    documents = {d: flood.article(d) for d in FLOOD}
    for s in answer.sentences:  # every sentence verbatim from its article and cited
        assert documents[s.doc_id].text[s.start : s.end] == s.text and s.citations
    # the same sentence in two articles is said once
    assert sum("forcing 300 residents" in s.text for s in answer.sentences) == 1
    # ordered by the dates reported: the flood (January) before the wall's approval (28 February)
    texts = [s.text for s in answer.sentences]
    flooded = next(i for i, t in enumerate(texts) if "flooded" in t)
    approved = next((i for i, t in enumerate(texts) if "approved" in t), None)
    assert approved is None or flooded < approved, texts


def test_a_narrow_question_is_not_summarised(flood):
    answer = flood.ask("How much damage did insurers estimate?")
    assert not answer.summary and "40 million" in answer.text, answer.text


def test_each_answer_sentence_counts_the_articles_and_publications_stating_it(flood):
    answer = flood.ask("How many residents had to leave their homes in Kelmouth?")
    first = next(s for s in answer.sentences if "300 residents" in s.text)
    assert first.articles == 2 and first.publications == 2, first.stated_in
    assert {t.doc_id for t in first.stated_in} == {"flood-1.txt", "flood-2.txt"}


def test_a_claim_resting_on_one_unnamed_source_is_noted(flood):
    answer = flood.ask("Who was the flood wall contract promised to?")
    quoted = next(s for s in answer.sentences if "council official" in s.text)
    assert quoted.single_unnamed, quoted.stated_in


def test_what_someone_said_is_answered_with_their_statements_only(business):
    answer = business.ask("What did Usdaw say about the merger?")
    assert not answer.abstained and answer.citations, answer.text
    assert answer.text.startswith(prompts.render("said_only", speaker="Usdaw"))
    assert {c.stated_by for c in answer.citations} == {"Usdaw"}, [(c.text, c.stated_by) for c in answer.citations]


def test_it_says_so_when_someone_said_nothing_about_the_subject(business):
    answer = business.ask("What did Usdaw say about share prices?")
    assert answer.abstained and answer.outcome == "not_in_articles" and not answer.citations, answer.text
    assert answer.text == prompts.render("said_nothing", speaker="Usdaw", topic="share prices")


def test_the_cli_lists_corroboration_on_demand_and_json_carries_it(flood_dirs):
    corpus, index = flood_dirs
    question = "How many residents had to leave their homes in Kelmouth?"
    command = [sys.executable, "-m", "assistant.serve.cli", "ask", "--corpus", str(corpus), "--index", str(index)]
    plain = subprocess.run([*command, question], capture_output=True, text=True, timeout=300, check=True).stdout
    listed = subprocess.run(
        [*command, "--corroboration", question], capture_output=True, text=True, timeout=300, check=True
    ).stdout
    label = prompts.render("corroborated", articles=2, articles_plural="s", publications=2, publications_plural="s")
    assert label not in plain and label in listed, listed
    assert "flood-1.txt" in listed and "flood-2.txt" in listed
    answer = json.loads(
        subprocess.run([*command, "--json", question], capture_output=True, text=True, timeout=300, check=True).stdout
    )
    first = next(s for s in answer["sentences"] if "300 residents" in s["text"])
    assert {t["doc_id"] for t in first["stated_in"]} == {"flood-1.txt", "flood-2.txt"}


def test_the_page_shows_a_summary_whose_sentences_open_to_their_corroboration(browser, flood, tmp_path):
    from appserver import start_app
    from playwright.sync_api import expect

    process, url = start_app(flood.corpus_dir, tmp_path / "index", "--poll-minutes", "0")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(url)
        page.locator("#nd-question textarea").fill("Summarize what happened in Kelmouth")
        page.locator("#nd-ask").click()
        chat = page.locator("#nd-chat")
        expect(chat).to_contain_text("A summary from", timeout=90_000)
        label = prompts.render("corroborated", articles=2, articles_plural="s", publications=2, publications_plural="s")
        details = page.locator("#nd-sources details.nd-corroboration", has_text=label).first
        expect(details).to_be_visible(timeout=30_000)
        listed = details.locator("li").first
        expect(listed).to_be_hidden()  # listed on demand
        details.locator("summary").click()
        expect(details.locator("li")).to_have_count(2)
        expect(details).to_contain_text("Western Daily")
        shots = Path(os.environ.get("NEWSDESK_SCREENSHOTS") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "summary.png"), full_page=True)
        page.locator("#nd-pick label").first.click()  # the whole article of citation [1], under its summary
        expect(page.locator("#nd-article-box .nd-brief li")).to_have_count(3, timeout=30_000)
        page.locator("#nd-question textarea").fill("What did Rhona Bell say about the flood wall?")
        page.locator("#nd-ask").click()
        expect(chat).to_contain_text(prompts.render("said_only", speaker="Rhona Bell"), timeout=90_000)
        expect(page.locator("#nd-sources")).to_contain_text(prompts.render("stated_by", source="Mayor Rhona Bell"))
        page.screenshot(path=str(shots / "who-said-it.png"), full_page=True)
        page.close()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_an_article_summary_is_its_central_sentences_verbatim_in_order(flood, flood_dirs):
    chosen = flood.summarize("flood-2.txt", 2)
    doc = flood.article("flood-2.txt")
    assert len(chosen) == 2 and [s.index for s in chosen] == sorted(s.index for s in chosen)
    assert all(doc.text[s.start : s.end] == s.text for s in chosen)
    with pytest.raises(QueryError, match="no indexed article"):
        flood.summarize("missing.txt")
    corpus, index = flood_dirs
    command = [sys.executable, "-m", "assistant.serve.cli", "summarize", "flood-1.txt", "-n", "1", "--json"]
    printed = subprocess.run(
        [*command, "--corpus", str(corpus), "--index", str(index)], capture_output=True, text=True, timeout=300
    )
    assert printed.returncode == 0, printed.stderr
    (only,) = json.loads(printed.stdout)
    assert flood.article("flood-1.txt").text[only["start"] : only["end"]] == only["text"]


def test_a_follow_up_asking_what_someone_said_about_it_reads_the_subject_from_the_conversation(business):
    answer = business.ask("What did Usdaw say about it?", ["Tell me about the Greenfield and Oakmart merger"])
    assert not answer.abstained and {c.stated_by for c in answer.citations} == {"Usdaw"}, answer.text


def test_what_someone_said_without_a_subject_is_only_their_statements(business):
    answer = business.ask("What did Usdaw say?")
    assert {c.stated_by for c in answer.citations} == {"Usdaw"}, [(c.text, c.stated_by) for c in answer.citations]
    silent = business.ask("What did Oakmart say?")
    assert silent.abstained and silent.text == prompts.render("said_nothing_at_all", speaker="Oakmart"), silent.text
