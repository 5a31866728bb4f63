"""The composition root: the only place that turns settings into models, index and retriever."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from assistant import prompts
from assistant.answer.compose import ask
from assistant.errors import QueryError, SettingsError
from assistant.ingest.corpus import Scan, read_corpus
from assistant.ingest.split import Chunking
from assistant.models.embedding import Embedder, load_embedder
from assistant.models.threads import limit_openmp, model_threads
from assistant.retrieve.filters import Filters
from assistant.retrieve.search import Retriever
from assistant.settings import Settings, load_settings
from assistant.store.build import BuildReport, Engine, local, update_index
from assistant.store.generation import open_index
from assistant.types import Answer, Document, Passage, Progress, Sentence, no_progress

if TYPE_CHECKING:
    from assistant.answer.timeline import Event
    from assistant.store.entities import Entity

#: The checkout this package lives in (installed editable by ``make``); NEWSDESK_HOME overrides.
PROJECT_DIR = Path(os.environ.get("NEWSDESK_HOME") or Path(__file__).resolve().parent.parent)


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
    progress: Progress = no_progress,
    engine: str = "local",
) -> BuildReport:
    """Create or incrementally update the index of ``corpus_dir`` in ``index_dir``; ``engine``
    "ray" runs the model on a Ray cluster (``store.ray_engine``), "local" in this process."""
    from assistant.models.answerability import model_info
    from assistant.models.rerank import cross_encoder_info

    return update_index(
        corpus_dir,
        index_dir,
        embedder or build_embedder(settings),
        settings,
        rebuild=rebuild,
        progress=progress,
        readers=(cross_encoder_info(), model_info()),
        engine=_engine(engine, settings),
    )


def _engine(name: str, settings: Settings) -> Engine:
    """The build engine called ``name``; Ray is imported only when asked for."""
    if name == "local":
        return local
    if name == "ray":
        from assistant.store.ray_engine import RayEngine

        return RayEngine(settings.model)
    raise SettingsError(f"unknown build engine {name!r}; use 'local' or 'ray'")


def scan_corpus(corpus_dir: Path, settings: Settings) -> Scan:
    """What indexing reads from ``corpus_dir``: the cleaned articles, every line removed and
    why, skipped files and duplicates (``assistant index --report``)."""
    return read_corpus(
        corpus_dir, max_bytes=settings.max_article_bytes, duplicate_similarity=settings.duplicate_similarity
    )


def add_url(corpus_dir: Path, url: str, settings: Settings) -> Path:
    """Fetch the article at ``url`` into ``corpus_dir`` (``ingest.live``); index it with
    ``build_index``.  Raises ``FetchError`` or ``ArticleError`` saying why it cannot be added."""
    from assistant.ingest import live

    return live.add_url(corpus_dir, url, settings)


def feeds(corpus_dir: Path):
    """The feeds ``corpus_dir`` follows (``ingest.live.Feeds``: ``add``, ``remove``, ``seen``)."""
    from assistant.ingest import live

    return live.Feeds.of(corpus_dir)


def poll_feeds(corpus_dir: Path, settings: Settings):
    """Store every item of the followed feeds not seen before (``ingest.live.Poll``); index
    them with ``build_index``."""
    from assistant.ingest import live

    return live.poll(corpus_dir, settings)


@dataclass(frozen=True)
class ArticleInfo:
    """One indexed article and how many sentences and chunks it became (the corpus table)."""

    document: Document
    sentences: int
    chunks: int


@dataclass
class Assistant:
    """Search and answers over one corpus and its index: the API the CLI and the web app use."""

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
    def open(
        cls,
        corpus_dir: Path,
        index_dir: Path,
        settings: Settings,
        embedder: Embedder,
        report: BuildReport | None = None,
    ) -> Assistant:
        from assistant.models import answerability
        from assistant.models.rerank import CrossEncoder, model_dir

        model_dir()  # missing model files fail here, at start-up, not at the first question
        answerability.model_file()
        loaded = open_index(index_dir, embedder.info, Chunking.of(settings))
        threads = model_threads(settings.threads)
        retriever = Retriever(
            loaded, embedder, settings, lambda: CrossEncoder(threads), lambda: answerability.Answerability(threads)
        )
        return cls(settings, corpus_dir, index_dir, embedder, retriever, report)

    def with_settings(self, settings: Settings) -> Assistant:
        """This assistant answering with other query-time ``settings``, over the same loaded
        index and models (``evals/tune.py`` compares candidate settings this way).  Raises
        ``SettingsError`` when ``settings`` would need another index (model or chunking)."""
        if settings.model != self.settings.model or Chunking.of(settings) != Chunking.of(self.settings):
            raise SettingsError("model and chunking are the index's own settings; build another index to change them")
        return replace(self, settings=settings, retriever=self.retriever.with_settings(settings))

    def search(
        self,
        query: str,
        k: int | None = None,
        *,
        mode: str | None = None,
        date_from: str = "",
        date_to: str = "",
        sources: Sequence[str] = (),
        articles: Sequence[str] = (),
    ) -> list[Passage]:
        """The ``k`` best passages for ``query`` (``settings.k`` by default), each with its
        text, score and provenance; ``articles`` (doc ids), when given, are the only ones searched."""
        filters = Filters(date_from, date_to, tuple(sources), frozenset(articles))
        return self.retriever.search(query, k, mode, filters)

    def ask(
        self,
        question: str,
        history: Sequence[str] | None = None,
        *,
        date_from: str = "",
        date_to: str = "",
        sources: Sequence[str] = (),
        articles: Sequence[str] = (),
    ) -> Answer:
        """An extractive, cited answer, or an abstention naming what the corpus holds nearest.

        ``history`` is the earlier user turns of the conversation, oldest first; ``articles``
        (doc ids, e.g. an entity's: ``entities``), when given, are the only ones searched.
        """
        filters = Filters(date_from, date_to, tuple(sources), frozenset(articles))
        return ask(self.retriever, self.settings, question, history or (), filters)

    def timeline(self, *, about: str = "", words: str = "", date_from: str = "", date_to: str = "") -> list[Event]:
        """Every sentence that dates what it reports, in date order (``answer.timeline``): of the
        articles naming ``about`` (a person, organisation or place), holding ``words``, with a
        date from ``date_from`` to ``date_to`` (inclusive ISO days; a month or year counts by
        its first day)."""
        from assistant.answer.timeline import events

        filters = Filters(date_from, date_to)  # checks the dates
        documents = self.retriever.index.documents
        chosen = [documents[d] for d in self.articles_about(about)] if about else documents.values()
        wanted = " ".join(words.split()).casefold()
        return [
            e
            for e in events(chosen, self.retriever.index.sentences, same_words=self.settings.same_words)
            if (not wanted or wanted in e.text.casefold())
            and (not filters.date_from or e.date >= filters.date_from)
            and (not filters.date_to or e.date <= filters.date_to)
        ]

    def articles_about(self, name: str) -> tuple[str, ...]:
        """The articles naming ``name`` (any kind, case aside), for ``ask(articles=...)``; raises
        ``QueryError`` when no article names it."""
        found = self._named.get(" ".join(name.split()).casefold())
        if not found:
            raise QueryError(prompts.render("entity_unknown", name=name))
        return found

    def entities(self) -> list[Entity]:
        """The people, organisations and places the indexed articles name, with their articles,
        those in most articles first (``store.entities``; found once per article, then cached)."""
        return list(self._entities)

    @cached_property
    def _named(self) -> dict[str, tuple[str, ...]]:
        """Each entity name, case folded, with the articles naming it under any kind."""
        named: dict[str, set[str]] = {}
        for e in self._entities:
            named.setdefault(e.name.casefold(), set()).update(e.articles)
        return {name: tuple(sorted(articles)) for name, articles in named.items()}

    @cached_property
    def _entities(self) -> tuple[Entity, ...]:
        """Listed once per served index: a chat filtered to an entity asks for them every turn."""
        from assistant.store.entities import ENTITIES, corpus_entities

        return tuple(corpus_entities(self.retriever.index.documents.values(), self.index_dir / ENTITIES))

    def examples(self, n: int = 5) -> list[str]:
        """Up to ``n`` example questions this index answers, each asked before it is offered
        (``answer.examples``): those of ``prompts/examples.txt`` it answers, then questions built
        from the names its articles mention most and their titles.  Chosen once per index
        generation and settings, and kept beside the index."""
        from assistant.answer.examples import EXAMPLES, cache_key, cached, candidates, choose

        index = self.retriever.index
        given = prompts.examples()
        newest = sorted(index.documents.values(), key=lambda d: d.date, reverse=True)  # undated last

        def build():
            return candidates(self.entities(), [d.title for d in newest if d.title], [d.text for d in newest])

        key = cache_key(index.path.name, self.settings, given, n)
        return cached(self.index_dir / EXAMPLES, key, lambda: choose(given, build, self.ask, n))

    def summarize(self, doc_id: str, sentences: int = 3) -> tuple[Sentence, ...]:
        """The ``sentences`` most central sentences of one article, in article order, verbatim with
        their offsets (``answer.salience``: no question, so the article ranks its own sentences).
        Raises ``QueryError`` for an article the index does not hold."""
        from assistant.answer.salience import SalienceWeights, summarize_article

        index = self.retriever.index
        doc = index.documents.get(doc_id)
        if doc is None:
            raise QueryError(f"no indexed article {doc_id!r}; `assistant index --report` lists the articles")
        if not isinstance(sentences, int) or sentences <= 0:
            raise QueryError(f"sentences must be a positive whole number, got {sentences!r}")
        own = index.sentences[doc_id]
        vectors = index.sentence_vectors(list(index.sentence_rows.of_document(doc_id)))
        title = self.embedder.encode_documents([doc.title])[0] if doc.title else None
        weights = SalienceWeights.of(self.settings)
        chosen = summarize_article([s.text for s in own], vectors, title, sentences, weights, self.settings.redundancy)
        return tuple(own[i] for i in chosen)

    def article(self, doc_id: str) -> Document | None:
        """The cleaned article ``doc_id`` as indexed, or None when the index holds no such article."""
        return self.retriever.index.documents.get(doc_id)

    def articles(self) -> list[ArticleInfo]:
        """Every indexed article with its sentence and chunk counts, oldest first (undated last)."""
        import numpy as np

        index = self.retriever.index
        counts = [
            np.bincount(rows.document_numbers, minlength=len(index.documents))
            for rows in (index.sentence_rows, index.chunks)
        ]
        numbered = sorted(enumerate(index.documents.values()), key=lambda nd: (nd[1].date or "9999", nd[1].doc_id))
        return [ArticleInfo(d, int(counts[0][n]), int(counts[1][n])) for n, d in numbered]

    def publications(self) -> list[str]:
        """The publications named by the indexed articles, sorted (for the source filter)."""
        return sorted({d.publication for d in self.retriever.index.documents.values() if d.publication})

    def greeting(self) -> str:
        """How many articles are indexed and the range of their dates, for the chat's first line."""
        docs = self.retriever.index.documents.values()
        dates = sorted(d.date for d in docs if d.date)
        if dates:
            return prompts.render("greeting", count=len(docs), first=dates[0], last=dates[-1])
        return prompts.render("greeting_undated", count=len(docs))

    def add_article(self, filename: str, data: bytes) -> Path:
        """Check an uploaded article and store it in the corpus folder (``ingest.uploads``);
        ``reload`` then indexes it.  Returns the path written."""
        from assistant.ingest.uploads import store_upload

        return store_upload(self.corpus_dir, filename, data, max_bytes=self.settings.max_article_bytes)

    def add_url(self, url: str) -> Path:
        """Fetch the article at ``url`` into the corpus folder (``ingest.live``); ``reload``
        then indexes it.  Returns the path written."""
        return add_url(self.corpus_dir, url, self.settings)

    def follow_feed(self, url: str) -> bool:
        """Follow the feed at ``url``; False when the corpus already follows it."""
        return feeds(self.corpus_dir).add(url)

    def unfollow_feed(self, url: str) -> bool:
        """Stop following the feed at ``url`` (the articles it gave stay); False when not followed."""
        return feeds(self.corpus_dir).remove(url)

    def followed_feeds(self) -> dict[str, int]:
        """Each feed followed, with how many of its items have been taken."""
        return {url: len(seen) for url, seen in feeds(self.corpus_dir).seen.items()}

    def poll_feeds(self):
        """Store the new items of the feeds the corpus follows (``ingest.live.Poll``); ``reload``
        then indexes them."""
        return poll_feeds(self.corpus_dir, self.settings)

    def reload(self, progress: Progress = no_progress) -> Assistant:
        """Update the index from the corpus folder and return an assistant serving it."""
        report = build_index(self.corpus_dir, self.index_dir, self.settings, embedder=self.embedder, progress=progress)
        return Assistant.open(self.corpus_dir, self.index_dir, self.settings, self.embedder, report)
