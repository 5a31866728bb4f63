"""Shared fixtures: the real e5 model, and a real index of the bundled corpus built once per session.

Tests never write into the repository: corpora and indexes are copied into tmp paths.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from appserver import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session", autouse=True)
def _model_cache(tmp_path_factory):
    """The ONNX models' optimized graphs cached in the session's temporary folder, not the
    user's (``NEWSDESK_CACHE``; servers and commands the tests start inherit it)."""
    import os

    os.environ["NEWSDESK_CACHE"] = str(tmp_path_factory.mktemp("newsdesk-cache"))


@pytest.fixture(scope="session")
def settings():
    from assistant.settings import Settings

    return Settings()


@pytest.fixture(scope="session")
def embedder(settings):
    from assistant.pipeline import build_embedder

    return build_embedder(settings)


@pytest.fixture(scope="session")
def built(tmp_path_factory, settings, embedder):
    """(corpus_dir, index_dir) of the bundled corpus, indexed once; treat as read-only."""
    from assistant.pipeline import build_index

    base = tmp_path_factory.mktemp("bundled")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, base / "index", settings, embedder=embedder)
    return corpus, base / "index"


@pytest.fixture(scope="session")
def assistant(built, settings, embedder):
    from assistant.pipeline import Assistant

    corpus, index = built
    return Assistant.open(corpus, index, settings, embedder)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A private, writable copy of the bundled corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def index_copy(built, tmp_path) -> Path:
    """A private, writable copy of the bundled corpus's index (``built``)."""
    target = tmp_path / "index"
    shutil.copytree(built[1], target)
    return target


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (browsers cannot be downloaded here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
