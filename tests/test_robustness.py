"""Crashes, concurrent builds and hostile questions never lose or corrupt anything."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from badfiles import ODD, REFUSED

from assistant.errors import QueryError
from assistant.ingest.split import Chunking
from assistant.store.generation import open_index

CLI = [sys.executable, "-m", "assistant.serve.cli"]


def _extra_articles(corpus: Path, count: int) -> None:
    """New articles, each the first half of one bundled article and the second half of
    another (so none is a near-duplicate of any other), enough for a build of seconds."""
    texts = [
        [line for line in p.read_text(encoding="utf-8").splitlines() if len(line) > 80]
        for p in sorted(corpus.glob("*.txt"))
    ]
    pairs = [(a, b) for a in range(len(texts)) for b in range(len(texts)) if a != b][:count]
    for n, (a, b) in enumerate(pairs):
        lines = texts[a][: len(texts[a]) // 2] + texts[b][len(texts[b]) // 2 :]
        (corpus / f"extra-{n:02d}.txt").write_text(
            f"Dispatch number {n} on US-China diplomacy\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8"
        )


def _snapshot(index_dir: Path, embedder, settings):
    index = open_index(index_dir, embedder.info, Chunking.of(settings))
    return (index_dir / "CURRENT").read_text(), [c.chunk_id for c in index.chunks]


EXTRA = 10  # articles: some 300 texts to embed, more than one ENCODE_STEP


@pytest.fixture
def big(corpus_copy, index_copy):
    """The bundled corpus and its index, with EXTRA new articles to add: a build of seconds."""
    _extra_articles(corpus_copy, EXTRA)
    return corpus_copy, index_copy


#: ``assistant index`` that SIGKILLs itself at one point of the build.  The points are
#: events Python audits (opening or renaming a file), or, for "embedding", the progress bar
#: drawn on a stderr that says it is a terminal, so the build itself runs unaltered; the
#: file names are the index layout of store.py.
CRASH = """
import os, signal, sys

point, corpus, index = sys.argv[1:]
POINTS = {
    "reading the corpus": lambda event, args: event == "open" and str(args[0]).startswith(corpus + os.sep),
    "embedding": lambda event, args: event == "embedding bar",
    "writing the new generation": lambda event, args: (
        event == "open" and os.sep + ".tmp-gen-" in str(args[0]) and str(args[0]).endswith("sentences.rows.npy")),
    "switching CURRENT": lambda event, args: event == "os.rename" and str(args[1]).endswith(os.sep + "CURRENT"),
}


def crash(event, args):
    if POINTS[point](event, args):
        os.kill(os.getpid(), signal.SIGKILL)


class Terminal:
    # stderr as a terminal, so the CLI draws bars; the embedding bar first moves off 0 %
    # after the first ENCODE_STEP texts, in the middle of embedding.

    def __init__(self, stream):
        self.stream = stream

    def isatty(self):
        return True

    def write(self, text):
        if text.lstrip("\\r").startswith("embedding:") and "  0%" not in text:
            crash("embedding bar", ())
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()


sys.stderr = Terminal(sys.stderr)
sys.addaudithook(crash)
from assistant.serve.cli import main

main(["index", "--corpus", corpus, "--index", index])
"""
CRASH_POINTS = ["reading the corpus", "embedding", "writing the new generation", "switching CURRENT"]


def test_sigkill_at_any_point_of_a_build_leaves_the_previous_index_served(big, embedder, settings):
    """After each kill the previous index is served and answers exactly as before; the next
    build then completes (and was long enough that "embedding" fell between two batches)."""
    from assistant.pipeline import Assistant
    from assistant.store.build import ENCODE_STEP

    corpus, index_dir = big
    before = _snapshot(index_dir, embedder, settings)
    question = "What did Kerry's China trip produce?"
    answer_before = Assistant.open(corpus, index_dir, settings, embedder).ask(question).text
    for point in CRASH_POINTS:
        killed = subprocess.run(
            [sys.executable, "-c", CRASH, point, str(corpus), str(index_dir)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert killed.returncode == -signal.SIGKILL, f"{point}: {killed.stderr}"
        assert _snapshot(index_dir, embedder, settings) == before, point
        assert Assistant.open(corpus, index_dir, settings, embedder).ask(question).text == answer_before, point
    done = subprocess.run(
        [*CLI, "index", "--corpus", str(corpus), "--index", str(index_dir)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert f"{EXTRA} added" in done.stdout
    assert int(re.search(r"(\d+) chunks and sentences embedded", done.stdout)[1]) > ENCODE_STEP
    assert not list(index_dir.glob(".tmp-*"))
    assert len(open_index(index_dir, embedder.info, Chunking.of(settings)).documents) == 5 + EXTRA


def _stop_once_building(index_dir: Path, process: subprocess.Popen, finished) -> None:
    """Freeze ``process`` (SIGSTOP) as soon as it holds the build lock of ``index_dir``,
    which then names it; fail if the build is ``finished()`` before it was seen."""
    lock = index_dir / ".lock"
    while lock.read_text() != f"pid {process.pid}":
        if finished():
            pytest.fail("the build finished before it was seen holding the lock: make it longer")
        time.sleep(0.01)
    process.send_signal(signal.SIGSTOP)


def test_a_second_build_fails_clearly_while_one_runs_and_corrupts_nothing(big, embedder, settings):
    """The first build is frozen while it holds the lock, so the second surely meets it."""
    corpus, index_dir = big
    command = [*CLI, "index", "--corpus", str(corpus), "--index", str(index_dir)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _stop_once_building(index_dir, first, lambda: first.poll() is not None)
        second = subprocess.run(command, capture_output=True, text=True, timeout=300)
    finally:
        first.send_signal(signal.SIGCONT)
        _, err = first.communicate(timeout=600)
    assert second.returncode == 1 and second.stdout == ""
    assert second.stderr == (
        f"error: the index in {index_dir} is being built by pid {first.pid}; wait for it to finish and retry\n"
    )
    assert first.returncode == 0, err
    assert len(open_index(index_dir, embedder.info, Chunking.of(settings)).documents) == 5 + EXTRA


@pytest.mark.parametrize("question", ODD.values(), ids=ODD.keys())
def test_odd_characters_in_questions_get_an_answer_or_a_clear_abstention(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained or answer.citations
    answer.text.encode("utf-8")  # always valid text to show
    for passage in assistant.search(question, 3):
        passage.text.encode("utf-8")


@pytest.mark.parametrize("method", ["ask", "search"])
@pytest.mark.parametrize("question, message", REFUSED.values(), ids=REFUSED.keys())
def test_empty_and_huge_questions_are_refused_specifically(assistant, method, question, message):
    with pytest.raises(QueryError, match=message):
        getattr(assistant, method)(question)


def _long_article(path: Path, sentences: int) -> str:
    """Write an article of distinct sentences (indexing it takes seconds); return one of them."""
    said = [
        f"On day {n} of the tariff talks, delegate number {n * 7 % 101} from province {n % 13} "
        f"asked for line {n * 31} of the schedule to be cut by {n % 9 + 1} points."
        for n in range(sentences)
    ]
    paragraphs = [" ".join(said[i : i + 4]) for i in range(0, sentences, 4)]
    path.write_text("Tariff schedule talks, day by day\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return said[sentences // 2]


def test_sigkill_of_the_app_while_it_indexes_an_upload_loses_nothing(
    corpus_copy, index_copy, tmp_path, embedder, settings
):
    """The app stores an upload, then indexes it in-process; killing it there must leave the
    previous index served as before, and the stored upload is indexed by the next build."""
    from appserver import start_app
    from gradio_client import Client, handle_file

    from assistant.pipeline import Assistant, build_index

    before = _snapshot(index_copy, embedder, settings)
    question = "What did Kerry's China trip produce?"
    answer_before = Assistant.open(corpus_copy, index_copy, settings, embedder).ask(question).text
    sentence = _long_article(tmp_path / "talks.txt", 60)
    process, url = start_app(corpus_copy, index_copy)
    try:
        job = Client(url, verbose=False).submit([handle_file(str(tmp_path / "talks.txt"))], api_name="/upload")
        _stop_once_building(index_copy, process, job.done)  # the upload is stored; the app indexes it
    finally:
        process.kill()  # SIGKILL
        process.wait()
    assert _snapshot(index_copy, embedder, settings) == before
    assert Assistant.open(corpus_copy, index_copy, settings, embedder).ask(question).text == answer_before
    (stored,) = corpus_copy.glob("upload-*.txt")  # stored whole before indexing began
    assert not list(corpus_copy.glob(".upload-*"))
    report = build_index(corpus_copy, index_copy, settings, embedder=embedder)
    assert report.added == (stored.name,) and not report.changed and not report.removed
    served = Assistant.open(corpus_copy, index_copy, settings, embedder)
    assert any(sentence in p.text for p in served.search(sentence, 3))
