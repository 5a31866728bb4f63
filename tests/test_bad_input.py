"""The bad-file matrix of issue #6 for the CLI (`assistant index`) and the Python API
(`Assistant.load`): each runs once, as a real process, over one corpus holding every bad
file of ``badfiles.BAD`` beside good articles; each row then checks its own warning, and
every good article must be indexed and answerable.  The web upload's column is in
test_app.py, against the real server; the question rows are in test_robustness.py
(API), test_cli.py and test_app.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from badfiles import BAD, GOOD, unprivileged, write_corpus

from assistant.types import PHASES

PREFIX = unprivileged()
QUESTIONS = [question for _, _, question, _ in GOOD]
API = """
import json, sys
from assistant import Assistant

assistant = Assistant.load(sys.argv[1], sys.argv[2])
build = assistant.last_build
warnings = {s.path: s.reason for s in build.skipped}
warnings.update({d.doc_id: f"duplicate of {d.kept} (similarity {d.similarity:.2f})" for d in build.duplicates})
answers = {q: assistant.ask(q) for q in json.loads(sys.argv[3])}
found = {q: "" if a.abstained else a.text for q, a in answers.items()}
print(json.dumps({"added": build.added, "warnings": warnings, "found": found}))
"""
EXPECTED = [bad for bad in BAD if bad.name != "locked.txt" or PREFIX is not None]


def _ids(bad) -> str:
    return bad.row


def _runnable(bad) -> None:
    if bad not in EXPECTED:
        pytest.skip("running as root without setpriv: chmod 000 cannot deny reading")


@pytest.fixture(scope="module")
def base(tmp_path_factory, built):
    """A corpus of every bad file, and the session index to update (copied per surface)."""
    folder = tmp_path_factory.mktemp("bad-input")
    write_corpus(folder / "corpus", locked=PREFIX is not None)
    for surface in ("cli", "api"):
        shutil.copytree(built[1], folder / f"index-{surface}")
    return folder


def _run(*command) -> subprocess.CompletedProcess:
    return subprocess.run([*(PREFIX or []), *map(str, command)], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def cli(base):
    return _run(
        sys.executable, "-m", "assistant.serve.cli", "index", "--corpus", base / "corpus", "--index", base / "index-cli"
    )


@pytest.fixture(scope="module")
def api(base):
    done = _run(sys.executable, "-c", API, base / "corpus", base / "index-api", json.dumps(QUESTIONS))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("bad", BAD, ids=_ids)
def test_cli_warns_once_per_bad_file(cli, bad):
    _runnable(bad)
    lines = [line for line in cli.stderr.splitlines() if line.startswith(f"warning: {bad.name} skipped: ")]
    assert len(lines) == 1 and bad.reason in lines[0], cli.stderr


def test_cli_indexes_and_answers_every_good_article(cli, base, settings, embedder):
    from assistant.pipeline import Assistant

    assert cli.returncode == 0, cli.stderr
    lines = cli.stderr.splitlines()
    warnings = [line for line in lines if line.startswith("warning: ")]
    assert len(warnings) == len(EXPECTED)  # one warning each; the rest is the build's progress, a line a phase
    assert [line.split(":")[0] for line in lines if line not in warnings] == list(PHASES)
    assert "2 added" in cli.stdout and "5 unchanged" in cli.stdout
    served = Assistant.open(base / "corpus", base / "index-cli", settings, embedder)
    for _, _, question, phrase in GOOD:
        answer = served.ask(question)
        assert not answer.abstained and phrase in answer.text, question


@pytest.mark.parametrize("bad", BAD, ids=_ids)
def test_api_reports_each_bad_file(api, bad):
    _runnable(bad)
    assert bad.reason in api["warnings"][bad.name]


def test_api_indexes_and_answers_every_good_article(api):
    assert set(api["warnings"]) == {bad.name for bad in EXPECTED}
    assert sorted(api["added"]) == ["wide.txt", "yellen.md"]
    for _, _, question, phrase in GOOD:
        assert phrase in api["found"][question], question
