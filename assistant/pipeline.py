"""The composition root: the only place that turns settings into models, index and retriever."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .answer import ask
from .embedding import Embedder, load_embedder
from .indexing import BuildReport, update_index
from .retrieval import Filters, Retriever
from .settings import Settings, load_settings
from .store import Chunking, Index, open_index
from .threads import limit_openmp, model_threads
from .types import Answer, Passage

#: The checkout this package lives in (installed editable by ``make``); NEWSDESK_HOME overrides.
PROJECT_DIR = Path(os.environ.get("NEWSDESK_HOME") or Path(__file__).resolve().parent.parent)


def chunking_of(settings: Settings) -> Chunking:
    return Chunking(settings.chunk_tokens, settings.overlap_tokens)


def build_embedder(settings: Settings) -> Embedder:
    limit_openmp()
    return load_embedder(settings.model, model_threads(settings.threads))


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings,
    *,
    rebuild: bool = False,
    embedder: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Create or incrementally update the index of ``corpus_dir`` in ``index_dir``."""
    return update_index(
        corpus_dir,
        index_dir,
        embedder or build_embedder(settings),
        chunking_of(settings),
        rebuild=rebuild,
        max_bytes=settings.max_article_bytes,
        progress=progress,
        approximate_above=settings.approximate_above,
    )


@dataclass
class Assistant:
    """Search (and, later, answers) over one corpus and its index."""

    settings: Settings
    corpus_dir: Path
    index_dir: Path
    embedder: Embedder
    retriever: Retriever
    last_build: BuildReport | None = None

    @classmethod
    def load(
        cls,
        corpus_dir: Path | str | None = None,
        index_dir: Path | str | None = None,
        settings: Settings | None = None,
        *,
        update: bool = True,
    ) -> Assistant:
        """Open the index of ``corpus_dir``, first building or updating it when ``update``.

        Defaults are the project's ``corpus/`` and ``index/`` and the settings in
        its ``pyproject.toml``.  With ``update=False`` a missing index raises
        IndexMissingError instead of being built.
        """
        corpus = Path(corpus_dir) if corpus_dir is not None else PROJECT_DIR / "corpus"
        index = Path(index_dir) if index_dir is not None else PROJECT_DIR / "index"
        settings = settings or load_settings(PROJECT_DIR)
        embedder = build_embedder(settings)
        report = build_index(corpus, index, settings, embedder=embedder) if update else None
        return cls.open(corpus, index, settings, embedder, report)

    @classmethod
    def open(cls, corpus_dir: Path, index_dir: Path, settings: Settings, embedder: Embedder,
             report: BuildReport | None = None) -> Assistant:
        from .rerank import CrossEncoder, model_dir

        model_dir()  # missing cross-encoder files fail here, at start-up, not at the first question
        loaded: Index = open_index(index_dir, embedder.info, chunking_of(settings))
        threads = model_threads(settings.threads)
        retriever = Retriever(loaded, embedder, settings, lambda: CrossEncoder(threads))
        return cls(settings, corpus_dir, index_dir, embedder, retriever, report)

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        mode: str | None = None,
        date_from: str = "",
        date_to: str = "",
        sources: tuple[str, ...] | list[str] = (),
    ) -> list[Passage]:
        """The ``k`` best passages for ``query``, each with its text, score and provenance."""
        return self.retriever.search(query, k, mode, Filters(date_from, date_to, tuple(sources)))

    def ask(
        self,
        question: str,
        history: Sequence[str] | None = None,
        *,
        date_from: str = "",
        date_to: str = "",
        sources: tuple[str, ...] | list[str] = (),
    ) -> Answer:
        """An extractive, cited answer, or an abstention naming what the corpus holds nearest.

        ``history`` is the earlier user turns of the conversation, oldest first.
        """
        return ask(self.retriever, self.settings, question, history or (),
                   Filters(date_from, date_to, tuple(sources)))

    def greeting(self) -> str:
        """How many articles are indexed and the range of their dates, for the chat's first line."""
        from . import prompts

        docs = self.retriever.index.documents.values()
        dates = sorted(d.date for d in docs if d.date)
        if dates:
            return prompts.render("greeting", count=len(docs), first=dates[0], last=dates[-1])
        return prompts.render("greeting_undated", count=len(docs))

    def reload(self) -> Assistant:
        """Update the index from the corpus folder and return an assistant serving it."""
        report = build_index(self.corpus_dir, self.index_dir, self.settings, embedder=self.embedder)
        return Assistant.open(self.corpus_dir, self.index_dir, self.settings, self.embedder, report)

