"""The lead and LexRank baselines on passages cut from a bundled article; LexRank stays offline."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.ingest.sentences import split_sentences
from assistant.types import Passage
from evals.baselines import lead_baseline, lexrank_baseline

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "corpus" / "001_68b3a834523f80c0.txt"


def article_passages() -> list[Passage]:
    """The article's paragraphs (lines of 200+ characters) as passages whose
    offsets point into the article text, which is the lines joined by newlines."""
    lines = [line.strip().removeprefix("•").strip() for line in ARTICLE.read_text(encoding="utf-8").splitlines()]
    text = "\n".join(lines)
    passages, start = [], 0
    for index, line in enumerate(lines):
        if len(line) >= 200:
            passages.append(
                Passage(
                    f"{ARTICLE.name}#{index}",
                    ARTICLE.name,
                    line,
                    1.0 - index / 100,
                    "US/CHINA",
                    "",
                    "2021-03-23",
                    start,
                    start + len(line),
                )
            )
            assert text[start : start + len(line)] == line
        start += len(line) + 1
    return passages


PASSAGES = article_passages()


def sentences_of(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_fixture_has_enough_material():
    assert len(PASSAGES) >= 5
    assert all(len(sentences_of(p.text)) >= 2 for p in PASSAGES[:3])


@pytest.mark.parametrize("baseline", [lead_baseline, lexrank_baseline])
def test_no_passages_no_answer(baseline):
    assert baseline([]) == ("", [])


def test_lead_is_the_first_two_sentences_of_the_top_passage():
    text, cited = lead_baseline(PASSAGES[1:4])
    assert cited == sentences_of(PASSAGES[1].text)[:2]
    assert text == " ".join(cited)
    assert all(s in PASSAGES[1].text for s in cited)


def test_lead_on_a_one_sentence_passage_gives_one():
    only = Passage("x#0", "x", "Talks ended in Anchorage on Friday.", 1.0, "", "", "", 0, 35)
    assert lead_baseline([only]) == ("Talks ended in Anchorage on Friday.", ["Talks ended in Anchorage on Friday."])


def position(sentence: str, passages: list[Passage]) -> tuple[int, int]:
    """(passage rank, offset in it) of the first passage quoting ``sentence`` verbatim."""
    for rank, passage in enumerate(passages):
        if sentence in passage.text:
            return rank, passage.text.index(sentence)
    raise AssertionError(f"not a verbatim sentence of any passage: {sentence!r}")


@pytest.mark.parametrize("first", range(0, 4))
def test_lexrank_picks_three_distinct_verbatim_sentences_in_passage_order(first):
    passages = PASSAGES[first : first + 4]
    text, cited = lexrank_baseline(passages)
    assert len(cited) == 3 == len(set(cited))
    allowed = {s for p in passages[:3] for s in sentences_of(p.text)}
    assert set(cited) <= allowed  # whole sentences, from the top three passages only
    places = [position(s, passages[:3]) for s in cited]
    assert places == sorted(places)
    assert text == " ".join(cited)


def test_lexrank_keeps_a_sentence_repeated_across_passages_once():
    top = PASSAGES[0]
    text, cited = lexrank_baseline([top, top, top], sentences=10)
    assert cited == sentences_of(top.text)
    assert len(cited) == len(set(cited)) < 10


def test_lexrank_sentence_count_is_respected():
    assert len(lexrank_baseline(PASSAGES, sentences=1)[1]) == 1
    assert len(lexrank_baseline(PASSAGES, sentences=5)[1]) == 5


def test_lexrank_runs_without_nltk_data_or_network(monkeypatch, tmp_path):
    import nltk

    def refuse(*args, **kwargs):
        raise AssertionError("tried to reach the network or download NLTK data")

    monkeypatch.setenv("NLTK_DATA", str(tmp_path))
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    with pytest.raises(LookupError):
        nltk.data.find("tokenizers/punkt")  # proof that no punkt data is reachable
    text, cited = lexrank_baseline(PASSAGES[:3])
    assert len(cited) == 3 and text


def test_importing_baselines_loads_neither_sumy_nor_nltk():
    code = "import sys, evals.baselines; print(sorted(m for m in ('sumy', 'nltk') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"
