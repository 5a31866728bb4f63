"""Crashes, concurrent builds and hostile questions never lose or corrupt anything."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.errors import QueryError
from assistant.pipeline import chunking_of
from assistant.store import open_index

CLI = [sys.executable, "-m", "assistant.cli"]


def _extra_articles(corpus: Path, count: int) -> None:
    """New articles, each the first half of one bundled article and the second half of
    another (so none is a near-duplicate of any other), enough for a build of seconds."""
    texts = [[l for l in p.read_text(encoding="utf-8").splitlines() if len(l) > 80]
             for p in sorted(corpus.glob("*.txt"))]
    pairs = [(a, b) for a in range(len(texts)) for b in range(len(texts)) if a != b][:count]
    for n, (a, b) in enumerate(pairs):
        lines = texts[a][: len(texts[a]) // 2] + texts[b][len(texts[b]) // 2 :]
        (corpus / f"extra-{n:02d}.txt").write_text(
            f"Dispatch number {n} on US-China diplomacy\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8")


def _snapshot(index_dir: Path, embedder, settings):
    index = open_index(index_dir, embedder.info, chunking_of(settings))
    return (index_dir / "CURRENT").read_text(), [c.chunk_id for c in index.chunks]


@pytest.fixture
def big(corpus_copy, built, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(built[1], index_dir)
    _extra_articles(corpus_copy, 12)
    return corpus_copy, index_dir


def test_sigkill_during_a_build_leaves_the_previous_index_served(big, embedder, settings):
    from assistant.pipeline import Assistant

    corpus, index_dir = big
    before = _snapshot(index_dir, embedder, settings)
    question = "What did Kerry's China trip produce?"
    answer_before = Assistant.open(corpus, index_dir, settings, embedder).ask(question).text
    for delay in (0.3, 1.5, 4.0):
        process = subprocess.Popen([*CLI, "index", "--corpus", str(corpus), "--index", str(index_dir)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if process.poll() is not None:
            pytest.fail(f"the build finished within {delay} s: make the corpus larger")
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert _snapshot(index_dir, embedder, settings) == before
        served = Assistant.open(corpus, index_dir, settings, embedder)
        assert served.ask(question).text == answer_before
    done = subprocess.run([*CLI, "index", "--corpus", str(corpus), "--index", str(index_dir)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "12 added" in done.stdout
    assert not list(index_dir.glob(".tmp-*"))
    assert len(open_index(index_dir, embedder.info, chunking_of(settings)).documents) == 17


def test_a_second_build_fails_clearly_while_one_runs(big):
    corpus, index_dir = big
    first = subprocess.Popen([*CLI, "index", "--corpus", str(corpus), "--index", str(index_dir)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)
        second = subprocess.run([*CLI, "index", "--corpus", str(corpus), "--index", str(index_dir)],
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 1
        assert "is being built by pid" in second.stderr and "Traceback" not in second.stderr
    finally:
        out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err


@pytest.mark.parametrize("question", [
    "What did Kerry\x00's China\x07 trip produce?",  # control characters
    "What did Kerry's China trip produce? \ud800",  # a lone surrogate
    "¿Qué produjo el viaje de Kerry a China? 中国",  # other scripts
])
def test_odd_characters_in_questions_get_an_answer_or_a_clear_abstention(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained or answer.citations
    answer.text.encode("utf-8")  # always valid text to show


def test_a_one_megabyte_question_is_refused_with_its_size(assistant):
    with pytest.raises(QueryError, match="1,000,000 characters"):
        assistant.ask("x" * 1_000_000)
