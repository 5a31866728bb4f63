"""The CLI as a user runs it: a real process, real files, one-line errors and no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from badfiles import break_index

ASSISTANT = [sys.executable, "-m", "assistant.serve.cli"]


def run(*args: str | Path, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*ASSISTANT, *map(str, args)], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def test_index_report_search_and_up_to_date(corpus_copy, index_copy):
    report = run("index", "--corpus", corpus_copy, "--index", index_copy, "--report")
    assert "up to date: 5 articles" in report.stdout
    assert "publication: Speevr" in report.stdout
    assert "Read More »" in report.stdout  # removed lines are listed for the user to check
    assert "date:        2021-03-23" in report.stdout
    found = run(
        "search",
        "How long did the Biden Xi call last?",
        "-k",
        "2",
        "--json",
        "--corpus",
        corpus_copy,
        "--index",
        index_copy,
    )
    passages = json.loads(found.stdout)
    assert len(passages) == 2
    assert {"text", "score", "doc_id", "title", "source", "date", "start", "end"} <= set(passages[0])
    assert any("90 minutes" in p["text"] for p in passages)


@pytest.mark.parametrize(
    "args, message",
    [
        (["index", "--corpus", "/nonexistent/folder"], "error: corpus folder /nonexistent/folder does not exist"),
        (["search", "   "], "error: the query is empty"),
        (["ask", " \t "], "error: the query is empty"),
        # Linux caps one argument at 128 KiB: the 1 MB question goes through `chat` below.
        (["ask", "x" * 100_000], "error: the query is 100,000 characters; the limit is 2,000"),
        (["search", "Kerry", "--from", "yesterday"], "error: date_from"),
        (["index", "--set", "chunk_tokens=zero"], "error: setting chunk_tokens"),
        (["index", "--set", "colour=blue"], "error: unknown setting"),
        (["index", "--model", "/no/such/model"], "error: model '/no/such/model'"),
    ],
    ids=[
        "missing corpus",
        "blank search",
        "blank ask",
        "100 KB question",
        "bad date",
        "bad setting value",
        "unknown setting",
        "missing model folder",
    ],
)
def test_bad_input_is_one_line_and_nonzero(corpus_copy, index_copy, args, message):
    done = run(*args, *(["--corpus", corpus_copy] if "--corpus" not in args else []), "--index", index_copy, ok=False)
    assert done.returncode == 1
    assert done.stderr.startswith(message), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


BROKEN = {  # how badfiles.break_index breaks the index: a phrase of the message
    "truncated faiss": "chunks.faiss does not match its checksum",
    "other dimension": "(dim=768) but 'e5-small-v2' (dim=384) is configured",
    "newer format": "index format 99",
}


@pytest.mark.parametrize("how, phrase", BROKEN.items(), ids=BROKEN.keys())
def test_a_broken_index_serves_nothing_and_names_the_fix(corpus_copy, index_copy, how, phrase):
    """One of each kind (corrupt, mismatched, newer); test_store.py has the message of every kind."""
    break_index(index_copy, how)
    done = run("search", "Kerry", "--corpus", corpus_copy, "--index", index_copy, ok=False)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("error: ") and len(done.stderr.splitlines()) == 1
    assert phrase in done.stderr and "run `assistant index --rebuild`" in done.stderr
    rebuilt = run("index", "--rebuild", "--corpus", corpus_copy, "--index", index_copy)
    assert "5 added" in rebuilt.stdout


def test_chat_keeps_the_conversation_and_survives_a_bad_question(corpus_copy, index_copy):
    turns = "What did Kerry's China trip produce?\n\nAnd who met him?\n" + "x" * 1_000_000 + "\n/quit\n"
    done = subprocess.run(
        [*ASSISTANT, "chat", "--corpus", str(corpus_copy), "--index", str(index_copy)],
        input=turns,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert done.stdout.startswith("Articles indexed: 5")
    assert "Type a question about the articles." in done.stdout  # the empty line
    assert "Searched for: And who met him? Kerry" in done.stdout
    assert "error: the query is 1,000,000 characters; the limit is 2,000" in done.stdout


def test_control_characters_and_invalid_utf8_in_a_question_are_answered(corpus_copy, index_copy):
    """Arguments are bytes: an invalid UTF-8 byte arrives as a lone surrogate, which is replaced."""
    question = b"What did Kerry's\x07 China \x1b trip produce? \xff\xfe"
    done = subprocess.run(
        [*map(os.fsencode, [*ASSISTANT, "ask", "--json", "--corpus", corpus_copy, "--index", index_copy]), question],
        capture_output=True,
        timeout=300,
    )
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    answer = json.loads(done.stdout)
    assert answer["citations"] and answer["question"].endswith("produce? ??")


#: Runs the CLI with the eval extra's package (sumy) made unimportable, as on an install without it.
WITHOUT_EVAL_EXTRA = """
import sys
from importlib.abc import MetaPathFinder

class Hide(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "sumy":
            raise ModuleNotFoundError(name=name)
        return None

sys.meta_path.insert(0, Hide())
from assistant.serve.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["eval", "external"])
def test_evaluation_without_its_extra_fails_in_one_line_naming_it(command):
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_EVAL_EXTRA, command], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "evaluation extra" in lines[0] and "sumy" in lines[0], done.stderr
