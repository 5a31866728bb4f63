"""One label per article everywhere (``Document.label``: the title, else the start of the text,
else the file name): in the answer's citations, the sources cards, the whole-article chooser's
labels, the corpus table, the corroboration list, the timeline, the CLI and the JSON."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from assistant import prompts
from assistant.serve.render import corpus_rows, sources_html

UNTITLED = (
    "The harbour board will decide on Monday whether to extend the ferry pier by forty metres, a plan it "
    "first proposed in 2019.\n\n"
    "The board said on 3 May 2024 that the extension would let two ferries berth at once.\n"
)


@pytest.fixture(scope="module")
def pier(tmp_path_factory, settings, embedder):
    from assistant.pipeline import Assistant, build_index

    corpus = tmp_path_factory.mktemp("pier")
    (corpus / "pier-0001.txt").write_text(UNTITLED, encoding="utf-8")
    index = tmp_path_factory.mktemp("pier-index")
    build_index(corpus, index, settings, embedder=embedder)
    return Assistant.open(corpus, index, settings, embedder)


def test_an_untitled_article_has_the_same_label_everywhere(pier):
    doc = pier.article("pier-0001.txt")
    label = doc.label
    assert not doc.title and label != doc.doc_id and label.endswith("…")
    answer = pier.ask("What would the pier extension allow?")
    assert answer.citations and {c.label for c in answer.citations} == {label}
    assert prompts.citation_label(answer.citations[0]).startswith(f"[{answer.citations[0].number}] {label}")
    cards = sources_html(answer, {doc.doc_id: doc})
    assert label in cards and doc.doc_id not in cards
    assert {t.label for s in answer.sentences for t in s.stated_in} == {label}
    assert [row[0] for row in corpus_rows(pier.articles())] == [label]
    assert {e.label for e in pier.timeline()} == {label}
    assert {p.label for p in pier.search("ferry pier")} == {label}


def test_the_cli_and_its_json_use_the_label(pier):
    command = [sys.executable, "-m", "assistant.serve.cli", "ask", "What would the pier extension allow?"]
    where = ["--corpus", str(pier.corpus_dir), "--index", str(pier.index_dir)]
    label = pier.article("pier-0001.txt").label
    plain = subprocess.run([*command, *where], capture_output=True, text=True, timeout=300, check=True).stdout
    assert f"] {label} —" in plain and "pier-0001.txt —" not in plain
    printed = subprocess.run([*command, "--json", *where], capture_output=True, text=True, timeout=300, check=True)
    assert {c["label"] for c in json.loads(printed.stdout)["citations"]} == {label}
