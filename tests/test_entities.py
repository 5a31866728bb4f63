"""The entity browser (``store.entities``): people, organisations and places with their
articles, found once per article and cached beside the index, and a chat filtered to one
entity's articles.  On the other-domain fixtures (a football transfer, a merger, peace talks)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from appserver import start_app

from assistant.store import entities as entity_module
from assistant.store.entities import ENTITIES, name_of

CORPORA = Path(__file__).resolve().parent / "corpora"


@pytest.fixture(scope="module")
def assistant(tmp_path_factory, settings, embedder):
    from assistant.pipeline import Assistant, build_index

    corpus = tmp_path_factory.mktemp("domains")
    for path in CORPORA.glob("*/*.txt"):
        shutil.copyfile(path, corpus / f"{path.parent.name}-{path.name}")
    index = tmp_path_factory.mktemp("index")
    build_index(corpus, index, settings, embedder=embedder)
    return Assistant.open(corpus, index, settings, embedder)


def test_people_organisations_and_places_are_listed_with_their_articles(assistant):
    """What the small English model finds in these articles (its own labels, errors included:
    it calls "Harbour United" a person)."""
    listed = {(e.name, e.kind): e for e in assistant.entities()}
    assert listed["Tomas Varga", "person"].articles == ("sport-reaction.txt", "sport-transfer.txt")
    assert listed["Valley Rangers", "organisation"].mentions == 3
    assert listed["Geneva", "place"].articles == ("conflict-talks.txt",)
    assert listed["Competition and Markets Authority", "organisation"].articles == ("business-merger.txt",)
    counts = [len(e.articles) for e in assistant.entities()]
    assert counts == sorted(counts, reverse=True)  # most articles first


def test_each_article_is_read_by_the_model_once(assistant, monkeypatch):
    assert (assistant.index_dir / ENTITIES).is_file()
    first = assistant.entities()

    def refuse(text):
        raise AssertionError("an article was read again")

    monkeypatch.setattr(entity_module, "_mentions", refuse)
    # A fresh assistant over the same index (one lists its entities once): from the cache on disk.
    fresh = type(assistant).open(assistant.corpus_dir, assistant.index_dir, assistant.settings, assistant.embedder)
    assert fresh.entities() == first


def test_a_chat_filtered_to_an_entity_searches_only_its_articles(assistant):
    geneva = next(e for e in assistant.entities() if e.name == "Geneva")
    answer = assistant.ask("Where will the foreign ministers meet?", articles=geneva.articles)
    assert not answer.abstained and "Geneva" in answer.text
    assert {c.doc_id for c in answer.citations} <= set(geneva.articles)
    sport = next(e for e in assistant.entities() if e.name == "Valley Rangers")
    elsewhere = assistant.ask("Where will the foreign ministers meet?", articles=sport.articles)
    assert {c.doc_id for c in elsewhere.citations} <= set(sport.articles)
    assert "Geneva" not in elsewhere.text


@pytest.mark.parametrize(
    "mention, name",
    [("Oakmart's", "Oakmart"), ("the  United\nStates", "United States"), ("“Harbour United”", "Harbour United")],
)
def test_names_are_listed_as_written_without_their_trimmings(mention, name):
    assert name_of(mention) == name


def test_the_entities_tab_lists_names_and_choosing_one_filters_the_chat(browser, tmp_path):
    from playwright.sync_api import expect

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in CORPORA.glob("*/*.txt"):
        shutil.copyfile(path, corpus / f"{path.parent.name}-{path.name}")
    process, url = start_app(corpus, tmp_path / "index", "--poll-minutes", "0")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_role("tab", name="Entities").click()
        table = page.locator("#nd-entities")
        expect(table).to_contain_text("Competition and Markets Authority", timeout=120_000)
        table.get_by_text("Geneva", exact=True).first.click()
        page.get_by_text("asks only the articles naming Geneva").wait_for(timeout=30_000)
        shots = Path(os.environ.get("NEWSDESK_SCREENSHOTS") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "entities.png"), full_page=True)
        page.get_by_role("tab", name="Chat").click()
        page.locator("#nd-question textarea").fill("Who did Harbour United sign?")  # not in Geneva's article
        page.locator("#nd-ask").click()
        chat = page.locator("#nd-chat")
        expect(chat).to_contain_text("do not answer", timeout=90_000)  # it names where they are said instead
        assert "nearest passages are in: Talks planned after border clashes." in chat.inner_text()
        page.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
