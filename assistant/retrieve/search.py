"""Find the passages that answer a query: dense, lexical, fused, optionally reranked, filtered.

* ``dense``   — cosine similarity of the query to chunk vectors (title + chunk).
* ``lexical`` — BM25 (see lexical.py).
* ``hybrid``  — four signals on the union of their candidates: the chunk's
  cosine, the cosine of its best *sentence* (a chunk vector averages several
  topics; one sentence that answers is a sharper signal), and BM25 of the chunk
  and of its best sentence, which let exact names ("Okonkwo", "Feb. 10") that
  embeddings blur win.  Each is z-normalised over the candidates and summed with
  weights from settings: score fusion beat reciprocal-rank fusion on the
  question set (README).  Sentences, like chunks, are embedded and indexed
  with their article's title.
* ``rerank``  — the cross-encoder rescores the top hybrid candidates; its order
  and the hybrid order are combined by reciprocal-rank fusion, since on its own
  the cross-encoder ranked worse than hybrid here.
Filters (date range, publications) are applied before ranking, so ``k`` results
are returned whenever ``k`` chunks pass the filters.
"""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from assistant.errors import QueryError
from assistant.ingest.text import MONTHS
from assistant.retrieve.filters import Allowed, Filters, check_query
from assistant.settings import MODES, Settings
from assistant.store.generation import Index
from assistant.store.lexical import tokenize
from assistant.store.rows import overlaps
from assistant.store.vectors import reconstruct, search_parameters
from assistant.types import Chunk, Passage

if TYPE_CHECKING:
    import numpy as np

    from assistant.models.answerability import Answerability
    from assistant.models.embedding import Embedder
    from assistant.models.rerank import CrossEncoder


def standardise(values: np.ndarray) -> np.ndarray:
    """Standard scores, so signals on different scales can be added; constant -> zeros."""
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else values * 0.0


def _search(index, vector: np.ndarray, n: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    """Top ``n`` rows of a FAISS inner-product index among the allowed rows.

    An HNSW walk (large indexes: the ``approximate_above`` setting) only meets the rows
    near its path, so under a narrow filter it can come back with fewer than ``n``
    admitted rows; those admitted rows are then few, and are ranked exactly.
    """
    import faiss
    import numpy as np

    n = min(n, index.ntotal if allowed is None else int(allowed.sum()))
    if n <= 0:
        return []
    selector = None if allowed is None else faiss.IDSelectorBatch(np.flatnonzero(allowed).astype(np.int64))
    scores, rows = index.search(vector[None, :].astype(np.float32), n, params=search_parameters(index, n, selector))
    found = [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=False) if r >= 0]
    if len(found) < n:
        candidates = np.flatnonzero(allowed) if allowed is not None else np.arange(index.ntotal)
        exact = reconstruct(index, candidates) @ vector
        return [(int(candidates[i]), float(exact[i])) for i in top_rows(exact, n, None)]
    return found


def rrf(rankings: Sequence[Sequence[int]], k: int) -> dict[int, float]:
    """Reciprocal-rank fusion: each list gives 1/(k + rank) to the rows it ranks."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
    return fused


def top_rows(scores: np.ndarray, n: int, allowed: np.ndarray | None) -> list[int]:
    """Rows of the n highest scores among allowed rows, best first."""
    import numpy as np

    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    n = min(n, int(np.isfinite(scores).sum()))
    if n <= 0:
        return []
    head = np.argpartition(-scores, n - 1)[:n]
    return [int(r) for r in head[np.argsort(-scores[head], kind="stable")]]


#: A question's word is mentioned by an article word it starts, when it is at least this long
#: (stemmed): "Congress" by "congressional", but "US" not by "use".
PREFIX_CHARS = 5


class _OnFirstUse:
    """A value (a model, the sorted vocabulary) built on its first use; copies of its owner
    (``Retriever.with_settings``) share it."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._value = None

    def __call__(self) -> Any:
        if self._value is None:
            self._value = self._factory()
        return self._value


class Retriever:
    """Searches one loaded index.  The models that read text (the cross-encoder, the
    answerability model) are built on first use."""

    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        settings: Settings,
        reranker: Callable[[], CrossEncoder],
        answerability: Callable[[], Answerability],
    ) -> None:
        import numpy as np

        self.index = index
        self._embedder = embedder
        self._settings = settings
        self._reranker = _OnFirstUse(reranker)
        self._answerability = _OnFirstUse(answerability)
        # Each (sentence, chunk) overlap, by sentence; a sentence row's pairs start at its offset.
        self._pair_sentence, self._pair_chunk = overlaps(index.chunks, index.sentence_rows)
        self._sentence_pairs = np.searchsorted(self._pair_sentence, np.arange(len(index.sentence_rows) + 1))
        self._vocabulary = _OnFirstUse(lambda: sorted(self.index.chunk_lexical.vocabulary))  # for ``unmentioned``
        self.query_vector = lru_cache(maxsize=256)(self._encode_query)
        # Hybrid search and then the answer's prefilter read a question's sentence BM25; one
        # score per sentence row each (megabytes at scale), so only the latest few are kept.
        self.sentence_lexical = lru_cache(maxsize=4)(self._sentence_bm25)

    def with_settings(self, settings: Settings) -> Retriever:
        """This retriever searching with other query-time ``settings`` (weights, candidate
        counts): the loaded index, the BM25 indexes, the query cache and the models are
        shared, not built again."""
        other = copy.copy(self)
        other._settings = settings
        return other

    @property
    def reranker(self) -> CrossEncoder:
        return self._reranker()

    @property
    def answerability(self) -> Answerability:
        return self._answerability()

    def _encode_query(self, query: str) -> np.ndarray:
        """A query's vector; cached, since a question is searched and then answered."""
        return self._embedder.encode_queries([query])[0]

    def unmentioned(self, terms: Sequence[str]) -> list[str]:
        """The ``terms`` no article mentions, even as the start of a longer word ("Congress" is
        mentioned by "congressional").  Month names never count: a question's month is
        usually the articles' date, which their text need not repeat."""
        vocabulary = self._vocabulary()

        def known(stem: str) -> bool:
            at = bisect.bisect_left(vocabulary, stem)
            return at < len(vocabulary) and (
                vocabulary[at] == stem or (len(stem) >= PREFIX_CHARS and vocabulary[at].startswith(stem))
            )

        asked = [t for t in terms if t.casefold() not in MONTHS]
        return [t for t, stems in zip(asked, tokenize(asked), strict=True) if not all(map(known, stems))]

    def documents_mentioning(self, term: str) -> list[str]:
        """Ids of the articles whose text has ``term`` (as BM25 indexes it: stemmed, any case), most first."""
        scores = self.index.chunk_lexical.scores(term)
        return list(dict.fromkeys(self.index.chunks.doc_id(r) for r in top_rows(scores, len(scores), scores > 0)))

    def _sentence_bm25(self, query: str) -> np.ndarray:
        """BM25 of every sentence row (with its article's title) for ``query``; read-only, as it is shared."""
        scores = self.index.sentence_lexical.scores(query)
        scores.setflags(write=False)
        return scores

    def nearest_sentences(self, row: int, n: int) -> list[tuple[int, float]]:
        """The ``n`` sentence rows whose vectors are nearest sentence ``row``'s (itself included),
        each with its cosine, nearest first; the whole corpus, whatever a question's filters."""
        return _search(self.index.sentence_index, self.index.sentence_vectors([row])[0], n, None)

    def sentence_row(self, doc_id: str, index: int) -> int:
        return self.index.sentence_rows.of_document(doc_id)[index]

    def chunk_row(self, passage: Passage) -> int:
        return self.index.chunks.of_document(passage.doc_id)[int(passage.chunk_id.rpartition("#")[2])]

    def sentence_rows_near(self, passages: Sequence[Passage], neighbours: int) -> dict[int, float]:
        """Sentence rows inside the passages, and ``neighbours`` either side, each with the rank of
        the best passage holding it (0 for the top passage; a neighbour counts half a rank lower)."""
        ranks: dict[int, float] = {}
        for rank, passage in enumerate(passages):
            chunk = self.index.chunks[self.chunk_row(passage)]
            sentences = self.index.sentences[chunk.doc_id]
            inside = [s.index for s in sentences if s.start < chunk.end and chunk.start < s.end]
            low, high = max(0, inside[0] - neighbours), min(len(sentences) - 1, inside[-1] + neighbours)
            for i in range(low, high + 1):
                row = self.sentence_row(chunk.doc_id, i)
                ranks[row] = min(ranks.get(row, float("inf")), rank + (0 if i in inside else 0.5))
        return ranks

    def search(
        self, query: str, k: int | None = None, mode: str | None = None, filters: Filters | None = None
    ) -> list[Passage]:
        """The best ``k`` passages for ``query`` (k is clamped to what the filters admit)."""
        query = check_query(query, self._settings.max_query_chars)
        k = self._settings.k if k is None else k
        mode = mode or self._settings.mode
        if not isinstance(k, int) or k <= 0:
            raise QueryError(f"k must be a positive whole number, got {k!r}")
        if mode not in MODES:
            raise QueryError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        allowed = self._allowed(filters or Filters())
        chunk_mask = allowed.chunks if allowed else None
        pool = max(self._settings.candidates, k)
        if mode == "lexical":
            lexical = self.index.chunk_lexical.scores(query)
            ranked = [(r, float(lexical[r])) for r in top_rows(lexical, pool, chunk_mask)]
        else:
            vector = self.query_vector(query)
            if mode == "dense":
                ranked = _search(self.index.chunk_index, vector, pool, chunk_mask)
            else:
                ranked = self._hybrid(query, vector, pool, allowed)
            if mode == "rerank":
                ranked = self._rerank(query, ranked, k)
        return [self._passage(self.index.chunks[r], s) for r, s in ranked[:k]]

    def _hybrid(self, query: str, vector: np.ndarray, pool: int, allowed: Allowed | None) -> list[tuple[int, float]]:
        import numpy as np

        settings = self._settings
        chunk_hits = dict(_search(self.index.chunk_index, vector, pool, allowed and allowed.chunks))
        best_sentence: dict[int, float] = {}
        for row, score in _search(self.index.sentence_index, vector, 4 * pool, allowed and allowed.sentences):
            for chunk in self._pair_chunk[self._sentence_pairs[row] : self._sentence_pairs[row + 1]].tolist():
                best_sentence[chunk] = max(best_sentence.get(chunk, -1.0), score)
        lexical = self.index.chunk_lexical.scores(query)
        lexical_rows = top_rows(lexical, pool, allowed and allowed.chunks)
        rows = sorted(set(chunk_hits) | set(best_sentence) | set(lexical_rows))
        if not rows:
            return []
        floor = min(best_sentence.values(), default=0.0)  # what an unseen chunk's best sentence at most reaches
        dense = self.index.chunk_vectors(rows) @ vector
        sentence = np.array([best_sentence.get(r, floor) for r in rows])
        best_lexical = np.zeros(len(self.index.chunks), dtype=np.float32)
        np.maximum.at(best_lexical, self._pair_chunk, self.sentence_lexical(query)[self._pair_sentence])
        fused = (
            standardise(dense)
            + settings.sentence_weight * standardise(sentence)
            + settings.lexical_weight * standardise(lexical[rows])
            + settings.sentence_lexical_weight * standardise(best_lexical[rows])
        )
        order = np.argsort(-fused, kind="stable")
        return [(rows[i], float(fused[i])) for i in order]

    def _rerank(self, query: str, ranked: list[tuple[int, float]], k: int) -> list[tuple[int, float]]:
        head = [r for r, _ in ranked[: max(self._settings.rerank_top, k)]]
        logits = self.reranker.score(query, [self.index.chunks[r].text for r in head])
        by_reranker = [head[i] for i in sorted(range(len(head)), key=lambda i: -float(logits[i]))]
        fused = rrf([by_reranker, head], self._settings.rrf_k)
        rest = [(r, s) for r, s in ranked if r not in fused]
        return sorted(fused.items(), key=lambda item: -item[1]) + [(r, 0.0) for r, _ in rest]

    def _allowed(self, filters: Filters) -> Allowed | None:
        """Masks of the chunk rows and sentence rows whose articles pass the filters."""
        import numpy as np

        if not filters.active:
            return None
        admitted = np.fromiter(map(filters.admits, self.index.documents.values()), dtype=bool)
        return Allowed(
            admitted[self.index.chunks.document_numbers], admitted[self.index.sentence_rows.document_numbers]
        )

    def _passage(self, chunk: Chunk, score: float) -> Passage:
        doc = self.index.documents[chunk.doc_id]
        return Passage(
            chunk.chunk_id,
            chunk.doc_id,
            chunk.text,
            score,
            doc.title,
            doc.publication,
            doc.date,
            chunk.start,
            chunk.end,
            doc.label,
        )
