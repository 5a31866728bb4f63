"""The chat's example questions come from the corpus served: the bundled corpus keeps
``prompts/examples.txt`` because its index answers them; another corpus is offered questions
built from its own names and titles, each answered when asked.  Kept beside the index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant import prompts
from assistant.answer.examples import (
    EXAMPLES,
    TRIES,
    Candidate,
    answered,
    askable,
    cache_key,
    cached,
    called,
    choose,
    introduces,
    passes,
)
from assistant.settings import Settings
from assistant.store.entities import Entity
from assistant.types import Answer, AnswerSentence, Citation

CORPORA = Path(__file__).resolve().parent / "corpora"
DOMAINS = ("sport", "business", "conflict")


@pytest.fixture(scope="module")
def assistants(tmp_path_factory, settings, embedder):
    from assistant.pipeline import Assistant, build_index

    opened = {}
    for domain in DOMAINS:
        index = tmp_path_factory.mktemp(f"examples-{domain}") / "index"
        build_index(CORPORA / domain, index, settings, embedder=embedder)
        opened[domain] = Assistant.open(CORPORA / domain, index, settings, embedder)
    return opened


# ---------------------------------------------------------------- served corpora


@pytest.mark.parametrize("domain", DOMAINS)
def test_another_corpus_is_offered_its_own_questions_each_answered(domain, assistants):
    examples = assistants[domain].examples()
    assert 3 <= len(examples) <= 5, examples
    assert not set(examples) & set(prompts.examples())
    assert len(set(examples)) == len(examples)
    assert len({q.split()[0] for q in examples}) >= 2, f"one form only: {examples}"
    for question in examples:
        assert answered(assistants[domain].ask(question)), question


def test_the_bundled_corpus_keeps_its_file(built, index_copy, settings, embedder):
    from assistant.pipeline import Assistant

    assistant = Assistant.open(built[0], index_copy, settings, embedder)
    assert assistant.examples() == list(prompts.examples())
    assert assistant.examples(n=2) == list(prompts.examples())[:2]


def test_the_choice_is_kept_beside_the_index_and_made_again_for_a_new_one(tmp_path, settings, embedder, monkeypatch):
    from assistant.pipeline import Assistant, build_index

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(CORPORA / "sport", corpus)
    build_index(corpus, index, settings, embedder=embedder)
    first = Assistant.open(corpus, index, settings, embedder).examples()
    kept = json.loads((index / EXAMPLES).read_text(encoding="utf-8"))
    assert kept["examples"] == first and kept["key"]["generation"].startswith("gen-")

    asked = []
    real_ask = Assistant.ask

    def refuse(self, question, *args, **kwargs):
        asked.append(question)
        raise AssertionError(f"asked {question!r} again")

    monkeypatch.setattr(Assistant, "ask", refuse)
    assert Assistant.open(corpus, index, settings, embedder).examples() == first  # a restart asks nothing

    (corpus / "captain.txt").write_text(
        "Harbour United name Tomas Varga captain\nPublished 20/08/2023\n"
        "Harbour United have named striker Tomas Varga as club captain for the rest of the season.\n"
        "Manager Elena Brooks said the squad had chosen him in a vote after training on Friday.\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(Assistant, "ask", real_ask)
    reloaded = Assistant.open(corpus, index, settings, embedder).reload()
    monkeypatch.setattr(Assistant, "ask", lambda self, q, *a, **k: asked.append(q) or real_ask(self, q, *a, **k))
    again = reloaded.examples()
    assert asked, "a new index generation chooses again"
    assert json.loads((index / EXAMPLES).read_text(encoding="utf-8"))["key"]["generation"] != kept["key"]["generation"]
    assert "Summarize “Harbour United name Tomas Varga captain”" in again  # the newest title comes first


# ---------------------------------------------------------------- choosing, on hand-made answers


def _answer(text="An answer. [1]", *, outcome="answered", speaker="", summary=False, cited=True) -> Answer:
    citation = Citation(1, "a.txt", "A title", "The Gazette", "2024-01-02", text, 0, len(text), (0,), (), "", speaker)
    sentence = AnswerSentence(text, "a.txt", 0, 0, len(text), (1,), 1.0)
    return Answer(
        question="q",
        query="q",
        text=text,
        sentences=(sentence,) if cited else (),
        citations=(citation,) if cited else (),
        abstained=outcome != "answered",
        reason="",
        passages=(),
        outcome=outcome,
        summary=summary,
    )


def _forms(*forms):
    return lambda: [iter(form) for form in forms]


def _never():
    raise AssertionError("the corpus's names were listed although the file's questions sufficed")


def test_the_file_s_questions_that_answer_come_first_and_nothing_is_built_when_they_suffice():
    given = ["Who won?", "When did it open?", "How much was paid?"]
    answers = {"Who won?": _answer(), "When did it open?": _answer(outcome="not_in_articles", cited=False)}
    ask = lambda q: answers.get(q, _answer())  # noqa: E731
    assert choose(given, _never, ask, 2) == ["Who won?", "How much was paid?"]


def test_built_questions_fill_in_turn_one_per_subject_and_within_the_budget():
    asked = []
    happened = [Candidate("happened", n, f"What happened with {n}?") for n in ("Ana Lima", "Lima", "Port Vale")]
    said = [Candidate("said", n, f"What did {n} say?") for n in ("Ana Lima", "Acme")]
    summary = [Candidate("summary", "Port Vale wins", "Summarize “Port Vale wins”")]
    speakers = {"What did Acme say?": "Acme"}

    def ask(question):
        asked.append(question)
        if question.startswith("What did"):
            return _answer(speaker=speakers.get(question, "someone else"))
        return _answer("Ana Lima and Port Vale, at length. [1]", summary=True)

    chosen = choose(["Is it in the file?"], _forms(happened, said, summary), lambda q: _unless_file(q, ask), 3)
    assert chosen == ["What happened with Ana Lima?", "What did Acme say?", "Summarize “Port Vale wins”"]
    assert "What did Ana Lima say?" not in asked and "What happened with Lima?" not in asked  # same subject
    assert len(asked) <= TRIES * 3


def _unless_file(question, ask):
    return _answer(outcome="not_in_articles", cited=False) if question == "Is it in the file?" else ask(question)


def test_the_asking_stops_at_the_budget_when_nothing_passes():
    asked = []
    forms = [[Candidate("happened", f"Name{i}", f"What happened with Name{i}?") for i in range(50)]]
    ask = lambda q: asked.append(q) or _answer(outcome="partial")  # noqa: E731
    assert choose([], _forms(*forms), ask, 5) == []
    assert len(asked) == TRIES * 5


def test_a_corpus_with_nothing_to_build_from_offers_no_examples_without_error():
    abstain = lambda q: _answer(outcome="not_in_articles", cited=False)  # noqa: E731
    assert choose(list(prompts.examples()), _forms(), abstain, 5) == []
    assert choose([], _forms([], [], [], []), abstain, 5) == []


@pytest.mark.parametrize(
    "candidate, answer, wanted",
    [
        (Candidate("said", "Acme", "What did Acme say?"), _answer(speaker="Acme"), True),
        (Candidate("said", "Acme", "What did Acme say?"), _answer(speaker="Ana Lima"), False),
        (Candidate("happened", "Acme", "What happened with Acme?"), _answer("Acme grew. [1]", summary=True), True),
        (Candidate("happened", "Acme", "What happened with Acme?"), _answer("Acme grew. [1]"), False),
        (Candidate("happened", "Acme", "What happened with Acme?"), _answer("Acmeville. [1]", summary=True), False),
        (Candidate("who", "Ana Lima", "Who is Ana Lima?"), _answer("Club chairman Ana Lima said so."), True),
        (Candidate("who", "Port Vale", "Who is Port Vale?"), _answer("Port Vale have signed a striker."), False),
        (Candidate("summary", "A title", "Summarize “A title”"), _answer(summary=True), True),
        (Candidate("summary", "A title", "Summarize “A title”"), _answer(outcome="partial", summary=True), False),
        (Candidate("summary", "A title", "Summarize “A title”"), _answer(summary=True, cited=False), False),
    ],
)
def test_each_form_passes_only_when_its_answer_shows_what_it_promises(candidate, answer, wanted):
    assert passes(candidate, answer) is wanted


@pytest.mark.parametrize(
    "sentence, name, wanted",
    [
        ("Valley chairman Ana Lima said the bid was rejected.", "Ana Lima", True),
        ("Ana Lima, the club's director, said so.", "Ana Lima", True),
        ("Ana Lima, Acme's chief, said so.", "Ana Lima", True),
        ("Port Vale have signed a striker.", "Port Vale", False),
        ("The striker joined from Port Vale on Monday.", "Port Vale", False),
        ("Port Vale, Acme and Harbour all bid.", "Port Vale", False),
        ("Ana Limas said so.", "Ana Lima", False),
    ],
)
def test_a_who_answer_introduces_the_name_by_a_role(sentence, name, wanted):
    assert introduces(sentence, name) is wanted


@pytest.mark.parametrize(
    "name, kind, wanted",
    [
        ("Usdaw", "organisation", True),
        ("Brent & Co", "organisation", True),
        ("Ana Lima", "person", True),
        ("defence ministry", "organisation", False),
        ("EU", "organisation", False),
        ("2023", "organisation", False),
        ("Chinese", "place", False),
        ("Acme Holdings International Trading Group Limited", "organisation", False),
    ],
)
def test_names_a_reader_would_not_ask_about_are_set_aside(name, kind, wanted):
    assert askable(Entity(name, kind, 1, ("a.txt",))) is wanted


def test_a_name_the_articles_write_with_the_is_asked_with_it():
    texts = ["The Competition Board said it would look.", "Later the Competition Board ruled.", "Acme said no."]
    assert called("Competition Board", texts) == "the Competition Board"
    assert called("Acme", texts) == "Acme"
    assert called("Acme", ["The Acme plant closed.", "Acme said no.", "Acme agreed."]) == "Acme"


def test_a_kept_choice_is_used_only_under_its_own_key(tmp_path):
    path = tmp_path / EXAMPLES
    key = cache_key("gen-1", Settings(), ["Why?"], 5)
    assert cached(path, key, lambda: ["Who won?"]) == ["Who won?"]
    assert cached(path, key, _never) == ["Who won?"]
    assert cached(path, cache_key("gen-2", Settings(), ["Why?"], 5), lambda: ["When?"]) == ["When?"]
    other_settings = cache_key("gen-2", Settings(k=7), ["Why?"], 5)
    assert cached(path, other_settings, lambda: ["How?"]) == ["How?"]
    path.write_text("{not json", encoding="utf-8")
    assert cached(path, key, lambda: ["Again?"]) == ["Again?"]
    assert [p.name for p in tmp_path.iterdir()] == [EXAMPLES]  # no temporary left behind


def test_a_folder_that_cannot_be_written_only_costs_the_choice(tmp_path):
    missing = tmp_path / "gone" / EXAMPLES
    assert cached(missing, cache_key("gen-1", Settings(), [], 5), lambda: ["Who won?"]) == ["Who won?"]
    assert not missing.parent.exists()
