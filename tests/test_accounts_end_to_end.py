"""Accounts grouped by the parties a question names, end to end (real models, a real index), on
small corpora of other domains: an airline and its regulator, two football coaches."""

from __future__ import annotations

import pytest

AVIATION = {
    "fine.txt": """Skylark Air fined over late refunds
March 3, 2022
The Civil Aviation Authority fined Skylark Air two million pounds on Thursday for slow refunds to passengers.
The regulator said the airline had ignored three written warnings since October.
Skylark Air said the fine was unjustified because nearly all refunds had been paid within ten days.
The airline said it would appeal against the decision.
""",
    "routes.txt": """Skylark Air adds summer routes
February 14, 2022
Skylark Air will fly to six new destinations this summer, including two Greek islands.
Tickets go on sale next week, and the airline expects most flights to be full by May.
""",
}
FOOTBALL = {
    "derby.txt": """Rovers and City draw after late penalty row
October 9, 2021
Rovers and City drew 1-1 on Saturday after a penalty appeal was turned down in the final minute.
Rovers coach Ana Silva said her side had been denied a clear penalty and that the referee should have looked again.
City coach Tunde Okafor said the referee had got every big decision right and that Rovers were lucky to score.
The clubs meet again in the cup next month.
""",
    "table.txt": """City climb to third
October 10, 2021
City moved up to third place in the league after results elsewhere on Sunday went their way.
Their next match is away at the league leaders, who have not lost at home all season.
""",
}


def _assistant(tmp_path, articles, settings, embedder):
    from assistant.pipeline import Assistant, build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    build_index(corpus, tmp_path / "index", settings, embedder=embedder)
    return Assistant.open(corpus, tmp_path / "index", settings, embedder)


@pytest.mark.parametrize(
    "articles, question, first, second",
    [
        (
            AVIATION,
            "How do Skylark Air's and the regulator's accounts of the fine differ?",
            ("According to Skylark Air:", "unjustified"),
            ("According to the regulator:", "three written warnings"),
        ),
        (
            FOOTBALL,
            "How did Silva and Okafor describe the penalty decision differently?",
            ("According to Ana Silva:", "clear penalty"),
            ("According to Tunde Okafor:", "every big decision"),
        ),
    ],
    ids=["airline-and-regulator", "two-coaches"],
)
def test_each_party_named_by_the_question_gets_its_own_statement(
    tmp_path, settings, embedder, articles, question, first, second
):
    answer = _assistant(tmp_path, articles, settings, embedder).ask(question)
    assert answer.disagreement, answer.text
    paragraphs = answer.text.split("\n\n")
    for label, words in (first, second):
        paragraph = next((p for p in paragraphs if p.startswith(label)), None)
        assert paragraph is not None and words in paragraph, answer.text
    assert paragraphs.index(next(p for p in paragraphs if p.startswith(first[0]))) < paragraphs.index(
        next(p for p in paragraphs if p.startswith(second[0]))
    )
