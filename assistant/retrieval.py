"""Find the passages that answer a query: dense, lexical, fused, optionally reranked, filtered.

* ``dense``   — cosine similarity of e5 (or MiniLM) vectors, exact FAISS search.
* ``lexical`` — BM25 (see lexical.py).
* ``hybrid``  — reciprocal-rank fusion of the two: robust to their different score
  scales, and it lets exact names ("Tiankai", "Feb. 10") that embeddings blur win.
* ``rerank``  — the cross-encoder rescores the top fused candidates (the default:
  see README for the measured gain).
Filters (date range, publications) are applied before ranking, so ``k`` results
are returned whenever ``k`` chunks pass the filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Callable, Sequence

from .errors import QueryError
from .lexical import Lexical
from .settings import MODES, Settings
from .store import Index
from .types import Chunk, Document, Passage

if TYPE_CHECKING:
    import numpy as np

    from .embedding import Embedder
    from .rerank import CrossEncoder


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval.  Dates are inclusive ISO days; an article whose date is
    unknown is excluded by any date bound, since it cannot be shown to be inside it.
    ``sources`` match publications case-insensitively."""

    date_from: str = ""
    date_to: str = ""
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise QueryError(f"{name} must be a date like 2021-03-23, got {value!r}") from None
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise QueryError(f"date_from {self.date_from} is after date_to {self.date_to}")

    @property
    def active(self) -> bool:
        return bool(self.date_from or self.date_to or self.sources)

    def admits(self, doc: Document) -> bool:
        if (self.date_from or self.date_to) and not doc.date:
            return False
        if self.date_from and doc.date < self.date_from:
            return False
        if self.date_to and doc.date > self.date_to:
            return False
        wanted = {s.casefold() for s in self.sources}
        return not wanted or doc.publication.casefold() in wanted


def check_query(query: str, max_chars: int) -> str:
    """The query with surrounding whitespace removed, or a QueryError saying what is wrong."""
    if not isinstance(query, str):
        raise QueryError(f"the query must be text, got {type(query).__name__}")
    cleaned = query.encode("utf-8", "replace").decode("utf-8").strip()
    if not cleaned:
        raise QueryError("the query is empty; type a question")
    if len(cleaned) > max_chars:
        raise QueryError(f"the query is {len(cleaned):,} characters; the limit is {max_chars:,}")
    return cleaned


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


class Retriever:
    """Searches one loaded index.  The cross-encoder is built on first use of ``rerank``."""

    def __init__(self, index: Index, embedder: Embedder, settings: Settings,
                 reranker: Callable[[], CrossEncoder]) -> None:
        self.index = index
        self._embedder = embedder
        self._settings = settings
        self._reranker_factory = reranker
        self._reranker: CrossEncoder | None = None
        self._lexical = Lexical([c.text for c in index.chunks])

    @property
    def reranker(self) -> CrossEncoder:
        if self._reranker is None:
            self._reranker = self._reranker_factory()
        return self._reranker

    def search(self, query: str, k: int | None = None, mode: str | None = None,
               filters: Filters = Filters()) -> list[Passage]:
        """The best ``k`` passages for ``query`` (k is clamped to what the filters admit)."""
        query = check_query(query, self._settings.max_query_chars)
        k = self._settings.k if k is None else k
        mode = mode or self._settings.mode
        if not isinstance(k, int) or k <= 0:
            raise QueryError(f"k must be a positive whole number, got {k!r}")
        if mode not in MODES:
            raise QueryError(f"mode {mode!r} is not one of {', '.join(MODES)}")
        allowed = self._allowed(filters)
        pool = max(self._settings.candidates, k)
        if mode == "dense":
            rows, scores = self._dense(query, pool, allowed)
        elif mode == "lexical":
            lexical = self._lexical.scores(query)
            rows = top_rows(lexical, pool, allowed)
            scores = [float(lexical[r]) for r in rows]
        else:
            dense_rows, _ = self._dense(query, pool, allowed)
            lexical_rows = top_rows(self._lexical.scores(query), pool, allowed)
            fused = rrf([dense_rows, lexical_rows], self._settings.rrf_k)
            rows = sorted(fused, key=lambda r: (-fused[r], r))
            scores = [fused[r] for r in rows]
            if mode == "rerank":
                head = rows[: max(self._settings.rerank_top, k)]
                logits = self.reranker.score(query, [self.index.chunks[r].text for r in head])
                order = sorted(range(len(head)), key=lambda i: -float(logits[i]))
                rows = [head[i] for i in order]
                scores = [float(logits[i]) for i in order]
        return [self._passage(self.index.chunks[r], s) for r, s in zip(rows[:k], scores[:k])]

    def _allowed(self, filters: Filters) -> np.ndarray | None:
        import numpy as np

        if not filters.active:
            return None
        admitted = {d for d, doc in self.index.documents.items() if filters.admits(doc)}
        return np.fromiter((c.doc_id in admitted for c in self.index.chunks), dtype=bool,
                           count=len(self.index.chunks))

    def _dense(self, query: str, n: int, allowed: np.ndarray | None) -> tuple[list[int], list[float]]:
        import faiss
        import numpy as np

        vectors = self.index.vectors
        n = min(n, vectors.ntotal if allowed is None else int(allowed.sum()))
        if n <= 0:
            return [], []
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.flatnonzero(allowed).astype(np.int64)))
        scores, rows = vectors.search(self._embedder.encode_queries([query]), n, params=params)
        keep = rows[0] >= 0
        return [int(r) for r in rows[0][keep]], [float(s) for s in scores[0][keep]]

    def _passage(self, chunk: Chunk, score: float) -> Passage:
        doc = self.index.documents[chunk.doc_id]
        return Passage(chunk.chunk_id, chunk.doc_id, chunk.text, score, doc.title,
                       doc.publication, doc.date, chunk.start, chunk.end)
