"""What a search may look at: the date and publication filters, and the query itself.

Filters are applied before ranking (as row masks), so ``k`` results come back
whenever ``k`` chunks pass them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from assistant.errors import QueryError
from assistant.types import Document

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval.  Dates are inclusive ISO days; an article whose date is
    unknown is excluded by any date bound, since it cannot be shown to be inside it.
    ``sources`` match publications case-insensitively; ``articles``, when given, are the only
    articles searched."""

    date_from: str = ""
    date_to: str = ""
    sources: tuple[str, ...] = ()
    articles: frozenset[str] = frozenset()  # only these doc ids (an entity's articles, say)

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
        return bool(self.date_from or self.date_to or self.sources or self.articles)

    def admits(self, doc: Document) -> bool:
        if self.articles and doc.doc_id not in self.articles:
            return False
        if (self.date_from or self.date_to) and not doc.date:
            return False
        if self.date_from and doc.date < self.date_from:
            return False
        if self.date_to and doc.date > self.date_to:
            return False
        wanted = {s.casefold() for s in self.sources}
        return not wanted or doc.publication.casefold() in wanted


@dataclass(frozen=True)
class Allowed:
    chunks: np.ndarray  # bool per chunk row
    sentences: np.ndarray  # bool per sentence row


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
