"""Cleaning, dates, attribution, answer types and disagreeing accounts on three corpora that
are not the bundled articles (``tests/corpora/``): a football transfer, a supermarket merger
and its regulator, a border dispute.  Each page is saved as a reader would copy it, furniture
and all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.answer.accounts import side_of, stated_by
from assistant.ingest.corpus import read_corpus

CORPORA = Path(__file__).resolve().parent / "corpora"
DOMAINS = ("sport", "business", "conflict")
_SENTENCE = re.compile(r".*[.”]$")


def _body_lines(path: Path) -> list[str]:
    """The lines a person would call the article: complete sentences of six words or more."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if _SENTENCE.match(line) and len(line.split()) >= 6 and "©" not in line]


@pytest.fixture(scope="module")
def documents():
    return {
        f"{domain}/{a.document.doc_id}": a.document
        for domain in DOMAINS
        for a in read_corpus(CORPORA / domain).articles
    }


@pytest.mark.parametrize("domain", DOMAINS)
def test_cleaning_keeps_every_body_sentence_and_drops_the_furniture(domain, documents):
    for path in sorted((CORPORA / domain).glob("*.txt")):
        document = documents[f"{domain}/{path.name}"]
        paragraphs = document.text.split("\n\n")
        body = _body_lines(path)
        assert paragraphs == body, f"{path.name}: kept {paragraphs}"


@pytest.mark.parametrize(
    "name, title, date, author",
    [
        ("sport/transfer.txt", "Harbour United sign striker Tomas Varga for record fee", "2023-07-14", "Nadia Kerr"),
        ("sport/reaction.txt", "Varga fee divides opinion", "2023-07-16", ""),
        ("business/merger.txt", "Greenfield and Oakmart agree 3.1 billion pound merger", "", ""),  # 03/02: undecided
        ("conflict/ceasefire.txt", "Armenia and Azerbaijan trade blame over border shelling", "2022-09-22", ""),
    ],
)
def test_the_headline_and_the_day_first_date_are_read_below_the_menu(name, title, date, author, documents):
    document = documents[name]
    assert (document.title, document.date, document.author) == (title, date, author)
    assert bool(document.date_written) == (not date), "an undecided date is kept as written, flagged"


@pytest.mark.parametrize(
    "sentence, source",
    [
        ("Valley Rangers chairman Owen Pike said the club had rejected two earlier bids.", "Owen Pike"),
        ("“He gives us a presence in the box,” Brooks told the club's website.", "Brooks"),
        (
            "The Competition and Markets Authority said it would examine the merger.",
            "Competition and Markets Authority",
        ),
        ("The shopworkers' union Usdaw said the merger could put jobs at risk.", "Usdaw"),
        ("Armenia's defence ministry said Azerbaijani forces had fired artillery.", "Armenia"),
        ("Azerbaijan's foreign ministry said its troops had only returned fire.", "Azerbaijan"),
        ("Ararat Mirzoyan, Armenia's foreign minister, said monitors would be asked to visit.", "Armenia"),
        ("Officials said the agenda would include the return of prisoners.", "unnamed"),
    ],
)
def test_each_domain_attributes_statements_to_the_source_the_text_names(sentence, source):
    assert side_of(sentence) == source


@pytest.fixture(scope="module")
def assistants(tmp_path_factory, settings, embedder):
    from assistant.pipeline import Assistant, build_index

    opened = {}
    for domain in DOMAINS:
        index = tmp_path_factory.mktemp(f"index-{domain}")
        build_index(CORPORA / domain, index, settings, embedder=embedder)
        opened[domain] = Assistant.open(CORPORA / domain, index, settings, embedder)
    return opened


@pytest.mark.parametrize(
    "domain, question, wanted",
    [
        ("sport", "Who did Harbour United sign?", "Varga"),
        ("sport", "When is Varga expected to make his debut?", "29 July"),
        ("sport", "How much did Harbour United pay for the striker?", "42 million"),
        ("business", "When is the regulator's first decision on the supermarket merger due?", "12 April"),
        ("business", "How many stores would the combined group run?", "1,240"),
        ("conflict", "Where will the foreign ministers meet?", "Geneva"),
    ],
)
def test_typed_questions_get_an_answer_of_their_type(domain, question, wanted, assistants):
    answer = assistants[domain].ask(question)
    assert not answer.abstained and wanted in answer.text, answer.text


@pytest.mark.parametrize(
    "domain, question, first, second",
    [
        (
            "business",
            "How do Greenfield's and Usdaw's accounts of the merger's effect on jobs differ?",
            ("According to Greenfield:", "no store closures"),
            ("According to Usdaw:", "jobs at risk"),
        ),
        (
            "conflict",
            "How do the Armenian and Azerbaijani accounts of the shelling differ?",
            ("According to the Armenian side:", "fired artillery"),
            ("According to the Azerbaijani side:", "returned fire"),
        ),
    ],
    ids=["company-and-union", "two-governments"],
)
def test_disagreeing_accounts_are_grouped_by_the_parties_named(domain, question, first, second, assistants):
    answer = assistants[domain].ask(question)
    assert answer.disagreement, answer.text
    paragraphs = answer.text.split("\n\n")
    for label, words in (first, second):
        paragraph = next((p for p in paragraphs if p.startswith(label)), None)
        assert paragraph is not None and words in paragraph, answer.text


LIBRARY = """Council approves riverside library
June 2, 2023
The city council voted on Tuesday to build a new public library beside the river.
Councillors said the building would give students a quiet place to work in the evenings.
The library will have a children's floor and a reading garden.
"""


def test_an_on_topic_answer_without_what_was_asked_is_partial_and_says_so(tmp_path, settings, embedder):
    """The articles are about the library but never name its architect: the reader is told that
    first, then shown what they do say, cited; it is not an answer (``abstained``)."""
    from assistant import prompts
    from assistant.pipeline import Assistant, build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "library.txt").write_text(LIBRARY, encoding="utf-8")
    build_index(corpus, tmp_path / "index", settings, embedder=embedder)
    answer = Assistant.open(corpus, tmp_path / "index", settings, embedder).ask(
        "Which architect will design the riverside library?"
    )
    assert answer.outcome == "partial" and answer.abstained, answer.reason
    assert answer.text.startswith(prompts.render("partial", kind="person")), answer.text
    assert answer.citations and all(f"[{c.number}]" in answer.text for c in answer.citations)
    off_topic = Assistant.open(corpus, tmp_path / "index", settings, embedder).ask("Who won the chess final?")
    assert off_topic.outcome == "not_in_articles" and not off_topic.citations


@pytest.mark.parametrize(
    "domain, question, speaker",
    [
        ("business", "What did the shopworkers' union say about the merger?", "Usdaw"),
        ("conflict", "What did Azerbaijan's foreign ministry say about the shelling?", "Azerbaijan"),
    ],
)
def test_each_citation_says_who_is_speaking(domain, question, speaker, assistants):
    answer = assistants[domain].ask(question)
    assert speaker in {c.stated_by for c in answer.citations}, [(c.text, c.stated_by) for c in answer.citations]
    for c in answer.citations:
        assert c.stated_by == stated_by(c.text)
